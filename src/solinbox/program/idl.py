"""The inbox program's IDL, in Anchor's current format and in the legacy one anchorpy reads.

Two JSON files ship inside the package (``solinbox/program/data/``):

* ``inbox.json`` — the Anchor 0.30+ IDL (``address``, ``metadata.spec = "0.1.0"``,
  snake_case instruction names with explicit ``discriminator`` arrays). It is the contract:
  hand-maintained, checked against the Rust sources by ``tests/program/test_idl_agreement.py``.
* ``inbox.legacy.json`` — the same interface in the pre-0.30 format that anchorpy 0.21 reads
  (camelCase instruction names, ``isMut`` / ``isSigner``, ``publicKey``, address in
  ``metadata``). It is *derived*: ``to_legacy(load_idl())`` rendered with :func:`dumps_idl`.

``idl/inbox.json`` at the repository root (where Anchor tools look) is the one edited by hand;
``scripts/gen-idl`` copies into it what the Rust sources define (address, name, version,
instruction names and discriminators, errors), derives ``idl/inbox.legacy.json`` and writes
byte-identical copies of both here, and the tests fail when any copy is stale.

Everything in this module is pure: loading reads package data, nothing touches the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, Final

from solinbox.errors import SolinboxError
from solinbox.program.discriminators import (
    account_discriminator,
    event_discriminator,
    instruction_discriminator,
)

__all__ = [
    "IDL_FILE",
    "LEGACY_IDL_FILE",
    "IdlError",
    "JsonObject",
    "dumps_idl",
    "idl_text",
    "instruction_discriminators",
    "legacy_idl_text",
    "load_idl",
    "load_legacy_idl",
    "to_legacy",
]

JsonObject = dict[str, Any]
"""A decoded JSON object (the IDLs are plain ``json`` data)."""

IDL_FILE: Final = "inbox.json"
"""File name of the Anchor 0.30+ IDL, in ``solinbox/program/data/`` and ``idl/``."""
LEGACY_IDL_FILE: Final = "inbox.legacy.json"
"""File name of the legacy (anchorpy) IDL, next to :data:`IDL_FILE`."""

_DATA_DIR: Final = "data"


class IdlError(SolinboxError, ValueError):
    """An IDL is malformed or uses something the legacy format cannot express."""


# --------------------------------------------------------------------------- loading


@cache
def _read(name: str) -> str:
    return (resources.files(__package__ or "solinbox.program") / _DATA_DIR / name).read_text(
        encoding="utf-8"
    )


def idl_text() -> str:
    """The shipped Anchor 0.30+ IDL, exactly as stored (``inbox.json``)."""
    return _read(IDL_FILE)


def legacy_idl_text() -> str:
    """The shipped legacy IDL, exactly as stored (``inbox.legacy.json``); give it to anchorpy."""
    return _read(LEGACY_IDL_FILE)


def load_idl() -> JsonObject:
    """The Anchor 0.30+ IDL as a fresh ``dict`` (callers may modify it)."""
    idl: JsonObject = json.loads(idl_text())
    return idl


def load_legacy_idl() -> JsonObject:
    """The legacy IDL as a fresh ``dict`` (callers may modify it)."""
    idl: JsonObject = json.loads(legacy_idl_text())
    return idl


def instruction_discriminators(idl: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """``{snake_case name: 8-byte discriminator}`` of every instruction, in IDL order.

    Reads ``idl`` (an Anchor 0.30+ IDL), by default the shipped one.
    """
    source = load_idl() if idl is None else idl
    return {ix["name"]: bytes(ix["discriminator"]) for ix in source["instructions"]}


# --------------------------------------------------------------------------- rendering


def dumps_idl(idl: Any) -> str:
    """Render an IDL as the files store it: 2-space indent, lists of scalars on one line.

    Keys keep their order; the text ends with a newline. ``json.loads(dumps_idl(x)) == x``.
    """
    return _render(idl, 0) + "\n"


def _render(value: Any, depth: int) -> str:
    pad = "  " * (depth + 1)
    end = "  " * depth
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{pad}{json.dumps(k)}: {_render(v, depth + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if not any(isinstance(v, dict | list) for v in value):
            return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        return "[\n" + ",\n".join(pad + _render(v, depth + 1) for v in value) + "\n" + end + "]"
    return json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------- conversion

_SIMPLE_TYPES: Final = frozenset(
    {
        "bool",
        "u8",
        "i8",
        "u16",
        "i16",
        "u32",
        "i32",
        "f32",
        "u64",
        "i64",
        "f64",
        "u128",
        "i128",
        "bytes",
        "string",
    }
)
_UPPER_AFTER_LOWER_OR_DIGIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _camel(name: str) -> str:
    """``create_inbox`` → ``createInbox`` (heck's lowerCamelCase, as Anchor < 0.30 wrote)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    """``createInbox`` → ``create_inbox``: what anchorpy (pyheck) does to a legacy name."""
    return _UPPER_AFTER_LOWER_OR_DIGIT.sub("_", name).lower()


def _docs(src: Mapping[str, Any], dst: JsonObject) -> JsonObject:
    if src.get("docs"):
        dst["docs"] = list(src["docs"])
    return dst


def _type(ty: Any, where: str) -> Any:
    """Convert one IDL type expression."""
    if isinstance(ty, str):
        if ty == "pubkey":
            return "publicKey"
        if ty in _SIMPLE_TYPES:
            return ty
        raise IdlError(f"{where}: type {ty!r} has no legacy equivalent")
    if isinstance(ty, dict) and len(ty) == 1:
        ((kind, inner),) = ty.items()
        if kind in ("option", "vec"):
            return {kind: _type(inner, where)}
        if kind == "array":
            element, length = inner
            if not isinstance(length, int):
                raise IdlError(f"{where}: generic array lengths have no legacy equivalent")
            return {"array": [_type(element, where), length]}
        if kind == "defined":
            if inner.get("generics"):
                raise IdlError(f"{where}: generic types have no legacy equivalent")
            return {"defined": inner["name"]}
    raise IdlError(f"{where}: type {ty!r} has no legacy equivalent")


def _fields(fields: Sequence[Any], where: str) -> list[JsonObject]:
    """Convert named fields (``[{name, type, docs?}]``); tuple fields are refused."""
    out = []
    for field in fields:
        if not isinstance(field, dict):
            raise IdlError(f"{where}: tuple fields have no legacy equivalent here")
        out.append(
            _docs(field, {"name": _camel(field["name"]), "type": _type(field["type"], where)})
        )
    return out


def _typedef_body(typedef: Mapping[str, Any]) -> JsonObject:
    """Convert the ``type`` of a type definition (struct or enum)."""
    where = f"type {typedef['name']}"
    if typedef.get("generics"):
        raise IdlError(f"{where}: generic types have no legacy equivalent")
    body = typedef["type"]
    if body["kind"] == "struct":
        return {"kind": "struct", "fields": _fields(body.get("fields", []), where)}
    if body["kind"] == "enum":
        variants = []
        for variant in body["variants"]:
            out: JsonObject = {"name": variant["name"]}
            fields = variant.get("fields")
            if fields:
                if all(isinstance(f, dict) for f in fields):
                    out["fields"] = _fields(fields, f"{where}::{variant['name']}")
                else:
                    out["fields"] = [_type(f, f"{where}::{variant['name']}") for f in fields]
            variants.append(out)
        return {"kind": "enum", "variants": variants}
    raise IdlError(f"{where}: kind {body['kind']!r} has no legacy equivalent")


def _ix_accounts(items: Sequence[Mapping[str, Any]]) -> list[JsonObject]:
    out = []
    for item in items:
        if "accounts" in item:  # a composite (nested) accounts struct
            out.append({"name": _camel(item["name"]), "accounts": _ix_accounts(item["accounts"])})
            continue
        account: JsonObject = {
            "name": _camel(item["name"]),
            "isMut": bool(item.get("writable", False)),
            "isSigner": bool(item.get("signer", False)),
        }
        if item.get("optional"):
            account["isOptional"] = True
        out.append(_docs(item, account))
    return out


def _check_discriminator(kind: str, name: str, actual: Any, expected: bytes) -> None:
    if list(expected) != list(actual):
        raise IdlError(
            f"{kind} {name}: discriminator {list(actual)} is not Anchor's {list(expected)}; "
            "the legacy format cannot carry custom discriminators"
        )


def to_legacy(idl: Mapping[str, Any]) -> JsonObject:
    """Convert an Anchor 0.30+ IDL to the legacy (pre-0.30) format that anchorpy 0.21 reads.

    Instruction, account-item, argument and field names become camelCase (type names keep
    their case); ``pubkey`` becomes ``publicKey``; account and event types move from ``types``
    into ``accounts`` / ``events``; the address moves to ``metadata.address``. Instruction
    ``address`` / ``pda`` / ``relations`` hints and ``serialization`` / ``repr`` attributes
    are dropped (the legacy format has no place for them).

    Raises:
        IdlError: a discriminator is not Anchor's default (the legacy format derives them from
            names), a snake_case name would not survive anchorpy's camel → snake round trip,
            or a construct (generics, aliases, tuple structs, ``coption``, 256-bit integers)
            has no legacy equivalent.
    """
    metadata = idl["metadata"]
    types_by_name = {t["name"]: t for t in idl.get("types", [])}
    moved: set[str] = set()

    def typedef(name: str, what: str) -> Mapping[str, Any]:
        if name not in types_by_name:
            raise IdlError(f"{what} {name}: no type definition in `types`")
        moved.add(name)
        found: Mapping[str, Any] = types_by_name[name]
        return found

    instructions = []
    for ix in idl["instructions"]:
        name = ix["name"]
        legacy_name = _camel(name)
        if _snake(legacy_name) != name:
            raise IdlError(
                f"instruction {name}: anchorpy would turn {legacy_name!r} into "
                f"{_snake(legacy_name)!r} and compute the wrong discriminator"
            )
        _check_discriminator(
            "instruction", name, ix["discriminator"], instruction_discriminator(name)
        )
        out = _docs(ix, {"name": legacy_name})
        out["accounts"] = _ix_accounts(ix["accounts"])
        out["args"] = _fields(ix["args"], f"instruction {name}")
        if ix.get("returns") is not None:
            out["returns"] = _type(ix["returns"], f"instruction {name}")
        instructions.append(out)

    accounts = []
    for account in idl.get("accounts", []):
        name = account["name"]
        _check_discriminator("account", name, account["discriminator"], account_discriminator(name))
        definition = typedef(name, "account")
        accounts.append(_docs(definition, {"name": name, "type": _typedef_body(definition)}))

    events = []
    for event in idl.get("events", []):
        name = event["name"]
        _check_discriminator("event", name, event["discriminator"], event_discriminator(name))
        body = _typedef_body(typedef(name, "event"))
        if body["kind"] != "struct":
            raise IdlError(f"event {name}: events are structs")
        fields = [{"name": f["name"], "type": f["type"], "index": False} for f in body["fields"]]
        events.append({"name": name, "fields": fields})

    legacy: JsonObject = {"version": metadata["version"], "name": metadata["name"]}
    _docs(idl, legacy)
    if idl.get("constants"):
        legacy["constants"] = [
            {
                "name": c["name"],
                "type": _type(c["type"], f"constant {c['name']}"),
                "value": c["value"],
            }
            for c in idl["constants"]
        ]
    legacy["instructions"] = instructions
    legacy["accounts"] = accounts
    legacy["types"] = [
        _docs(t, {"name": t["name"], "type": _typedef_body(t)})
        for t in idl.get("types", [])
        if t["name"] not in moved
    ]
    legacy["events"] = events
    legacy["errors"] = [
        {k: e[k] for k in ("code", "name", "msg") if k in e} for e in idl.get("errors", [])
    ]
    legacy["metadata"] = {"address": idl["address"]}
    return legacy
