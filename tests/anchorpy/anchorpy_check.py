"""Load solinbox's legacy IDL with anchorpy 0.21 and report what anchorpy makes of it.

Runs in the anchorpy environment (``.venv-anchorpy``: anchorpy 0.21.0, solana 0.36.6,
solders 0.26.0), never in the main one, and imports nothing from solinbox.
``test_anchorpy_compat.py`` runs it as::

    .venv-anchorpy/bin/python tests/anchorpy/anchorpy_check.py IDL --expect EXPECT.json

``IDL`` is the legacy IDL to load; ``EXPECT.json`` holds what the main side computed
(``address``, ``name``, ``version``, ``instructions`` ``{snake_name: [8 bytes]}``, ``errors``
``[{code, name, msg}]``, optionally ``synthetic``: a second legacy IDL with encoded
instruction / account / event bytes to decode, and optionally ``real``: calls to encode, account
bytes and transaction logs the real program produced, see ``check_real``). It prints one JSON
object: what anchorpy observed (``program``, ``synthetic``, ``real``) and ``problems``, the list
of disagreements with the
expectations (empty when all agree). Exit status 0 whenever the report was written.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import attrs
from anchorpy.error import ProgramError
from anchorpy.program.context import Context
from anchorpy.program.core import Program, _parse_idl_errors
from anchorpy.program.event import EventParser
from anchorpy.provider import Provider
from anchorpy_core.idl import (
    Idl,
    IdlTypeArray,
    IdlTypeDefined,
    IdlTypeOption,
    IdlTypeSimple,
    IdlTypeVec,
)
from pyheck import snake
from solders.instruction import AccountMeta
from solders.pubkey import Pubkey
from solders.transaction_status import InstructionErrorCustom, TransactionErrorInstructionError

# A program id that is not ours: errors it reports must not be mapped to our names.
OTHER_PROGRAM = "SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7"


def failure_logs(program_id: str, code: int) -> list[str]:
    """The logs the runtime writes when ``program_id`` returns ``Custom(code)``."""
    return [
        f"Program {program_id} invoke [1]",
        f"Program {program_id} consumed 1234 of 200000 compute units",
        f"Program {program_id} failed: custom program error: {code:#x}",
    ]


def to_json(value: Any) -> Any:
    """Turn what anchorpy decodes (construct containers, dataclasses, sumtypes) into JSON."""
    if isinstance(value, Pubkey):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, dict):  # construct Container
        return {k: to_json(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if attrs.has(type(value)):  # an enum variant (sumtypes): {"Variant": fields}
        fields = attrs.asdict(value, recurse=False)
        if not fields:
            body: Any = None
        elif set(fields) == {"tuple_data"}:
            body = to_json(fields["tuple_data"])
        else:
            body = to_json(fields)
        return {type(value).__name__: body}
    return value


def load_program(path: str) -> Program:
    idl = Idl.from_json(Path(path).read_text(encoding="utf-8"))
    address = (idl.metadata or {}).get("address")
    if address is None:
        raise SystemExit(f"{path}: legacy IDL has no metadata.address")
    # A read-only provider: nothing is sent, only the namespaces and coders are built.
    return Program(idl, Pubkey.from_string(address), Provider.readonly())


def check_program(path: str, expect: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    program = load_program(path)
    idl = program.idl
    pid = str(program.program_id)
    observed: dict[str, Any] = {
        "address": pid,
        "name": idl.name,
        "version": idl.version,
        "instructions": {},
        "errors": [{"code": e.code, "name": e.name, "msg": e.msg} for e in (idl.errors or [])],
        "parsed_errors": {},
        "foreign_errors": {},
    }
    for key in ("address", "name", "version"):
        if observed[key] != expect[key]:
            problems.append(f"{key}: anchorpy sees {observed[key]!r}, expected {expect[key]!r}")

    # Instructions: build each through the `instruction` namespace, decode it back.
    for idl_ix in idl.instructions:
        snake = next(n for n, fn in program.instruction.items() if fn.idl_ix.name == idl_ix.name)
        # Default argument values (zeroes, empty, None): only the discriminator matters here;
        # ``check_real`` encodes real values.
        args = [from_json(program, arg.ty, None) for arg in idl_ix.args]
        ix = program.instruction[snake](*args, ctx=Context(accounts=dummy_accounts(idl_ix)))
        data = bytes(ix.data)
        decoded = program.coder.instruction.parse(data)
        observed["instructions"][snake] = {
            "idl_name": idl_ix.name,
            "program_id": str(ix.program_id),
            "data": list(data),
            "decoded_name": decoded.name,
        }
        want = expect["instructions"].get(snake)
        if want is None:
            problems.append(f"instruction {snake}: in the IDL, not expected")
        elif list(data[:8]) != want:
            problems.append(
                f"instruction {snake}: anchorpy encodes {list(data[:8])}, expected {want}"
            )
        if decoded.name != snake:
            problems.append(f"instruction {snake}: decodes back as {decoded.name!r}")
        if str(ix.program_id) != expect["address"]:
            problems.append(f"instruction {snake}: addressed to {ix.program_id}")
    for snake in expect["instructions"].keys() - observed["instructions"].keys():
        problems.append(f"instruction {snake}: expected, missing from anchorpy's namespace")

    # Errors: the IDL table, then anchorpy's own mapping of a failed transaction.
    if observed["errors"] != expect["errors"]:
        seen = {e["code"]: e for e in observed["errors"]}
        wanted = {e["code"]: e for e in expect["errors"]}
        for code in sorted(seen.keys() | wanted.keys()):
            if seen.get(code) != wanted.get(code):
                problems.append(
                    f"error {code}: anchorpy reads {seen.get(code)}, expected {wanted.get(code)}"
                )
        if list(seen) != list(wanted):
            problems.append("errors: not in the expected order")
    idl_errors = _parse_idl_errors(idl)
    for error in expect["errors"]:
        code = error["code"]
        tx_error = TransactionErrorInstructionError(0, InstructionErrorCustom(code))
        parsed = ProgramError.parse_tx_error(
            tx_error, idl_errors, program.program_id, failure_logs(pid, code)
        )
        foreign = ProgramError.parse_tx_error(
            tx_error, idl_errors, program.program_id, failure_logs(OTHER_PROGRAM, code)
        )
        observed["parsed_errors"][str(code)] = (
            None if parsed is None else {"code": parsed.code, "msg": parsed.msg}
        )
        observed["foreign_errors"][str(code)] = None if foreign is None else foreign.code
        if parsed is None or parsed.code != code or parsed.msg != error["msg"]:
            problems.append(
                f"error {code}: anchorpy maps it to {observed['parsed_errors'][str(code)]}"
            )
        if foreign is not None:
            problems.append(f"error {code}: anchorpy attributes another program's error to us")
    return observed


def dummy_accounts(idl_ix: Any) -> dict[str, Any]:
    """Some key for every account of an instruction (nested groups as dicts)."""
    out: dict[str, Any] = {}
    for item in idl_ix.accounts:
        if hasattr(item, "accounts"):
            out[snake(item.name)] = dummy_accounts(item)
        else:
            out[snake(item.name)] = Pubkey.default()
    return out


def from_json(program: Program, ty: Any, value: Any) -> Any:
    """Turn a JSON value into what anchorpy's encoder takes for the (legacy) IDL type ``ty``.

    ``value`` None gives the type's default (0, empty, None, a struct of defaults). Pubkeys
    are base58 strings, ``bytes`` hex strings, structs objects keyed by snake_case names.
    """
    if isinstance(ty, IdlTypeSimple):
        if ty == IdlTypeSimple.PublicKey:
            return Pubkey.default() if value is None else Pubkey.from_string(value)
        if ty == IdlTypeSimple.Bytes:
            return b"" if value is None else bytes.fromhex(value)
        if ty == IdlTypeSimple.String:
            return "" if value is None else value
        if ty == IdlTypeSimple.Bool:
            return bool(value)
        return 0 if value is None else int(value)
    if isinstance(ty, IdlTypeOption):
        return None if value is None else from_json(program, ty.option, value)
    if isinstance(ty, IdlTypeVec):
        return [from_json(program, ty.vec, v) for v in (value or [])]
    if isinstance(ty, IdlTypeArray):
        element, length = ty.array
        values = value if value is not None else [None] * length
        return [from_json(program, element, v) for v in values]
    if isinstance(ty, IdlTypeDefined):
        typedef = next(t for t in program.idl.types if t.name == ty.defined)
        fields = {
            snake(f.name): from_json(program, f.ty, (value or {}).get(snake(f.name)))
            for f in typedef.ty.fields
        }
        # A dict, not ``program.type[name](**fields)``: anchorpy encodes a dataclass with
        # ``dataclasses.asdict``, which deep-copies its values, and solders 0.26's Pubkey
        # cannot be copied ("cannot pickle 'solders.pubkey.Pubkey' object"). Dicts pass as is.
        return fields
    raise TypeError(f"unsupported IDL type {ty!r}")


def check_real(real: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Encode real instructions, decode real account bytes and real transaction logs.

    ``real`` holds ``instructions`` (``[{name, args: {snake: json}, accounts: {snake: key},
    remaining: [[key, signer, writable]], data: hex}]``, the data being what solinbox's builder
    produced for the same call), ``accounts`` (``{label: hex}``: whole account data),
    ``metadata`` (``{label: hex}``: bytes to decode as ``InboxMetadata``) and ``logs``
    (``[[line]]``: one transaction's log lines each).
    """
    program = load_program(real["idl"])
    observed: dict[str, Any] = {"instructions": [], "accounts": {}, "metadata": {}, "events": []}
    for call in real["instructions"]:
        fn = program.instruction[call["name"]]
        args = [from_json(program, a.ty, call["args"][snake(a.name)]) for a in fn.idl_ix.args]
        accounts = {k: Pubkey.from_string(v) for k, v in call["accounts"].items()}
        remaining = [
            AccountMeta(Pubkey.from_string(k), is_signer=s, is_writable=w)
            for k, s, w in call["remaining"]
        ]
        ix = fn(*args, ctx=Context(accounts=accounts, remaining_accounts=remaining))
        data = bytes(ix.data)
        observed["instructions"].append(
            {
                "name": call["name"],
                "data": data.hex(),
                "accounts": [[str(m.pubkey), m.is_signer, m.is_writable] for m in ix.accounts],
                "decoded": to_json(program.coder.instruction.parse(data).data),
            }
        )
        if data.hex() != call["data"]:
            problems.append(
                f"real {call['name']}: anchorpy encodes {data.hex()}, ours {call['data']}"
            )
    for label, hex_data in real["accounts"].items():
        account = program.coder.accounts.parse(bytes.fromhex(hex_data))
        observed["accounts"][label] = {"name": account.name, "data": to_json(account.data)}
    for label, hex_data in real["metadata"].items():
        decoded = program.coder.types.decode("InboxMetadata", bytes.fromhex(hex_data))
        observed["metadata"][label] = to_json(decoded)
    parser = EventParser(program.program_id, program.coder)
    for logs in real["logs"]:
        seen: list[dict[str, Any]] = []

        def collect(event: Any, into: list[dict[str, Any]] = seen) -> None:
            into.append({"name": event.name, "data": to_json(event.data)})

        parser.parse_logs(list(logs), collect)
        observed["events"].append(seen)
    return observed


def check_synthetic(expect: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    program = load_program(expect["idl"])
    coder = program.coder
    observed: dict[str, Any] = {
        "instructions": {name: list(disc) for name, disc in coder.instruction.sighashes.items()},
        "accounts": {
            name: list(disc) for name, disc in coder.accounts.acc_name_to_discriminator.items()
        },
        "events": {name: list(disc) for disc, name in coder.events.discriminators.items()},
        "instruction_accounts": {
            ix.name: [to_json_account(item) for item in ix.accounts]
            for ix in program.idl.instructions
        },
    }
    for kind in ("instructions", "accounts", "events"):
        if observed[kind] != expect[kind]:
            problems.append(
                f"synthetic {kind}: anchorpy has {observed[kind]}, expected {expect[kind]}"
            )
    ix = coder.instruction.parse(bytes.fromhex(expect["instruction_data"]))
    observed["instruction"] = {"name": ix.name, "data": to_json(ix.data)}
    account = coder.accounts.parse(bytes.fromhex(expect["account_data"]))
    observed["account"] = {"name": account.name, "data": to_json(account.data)}
    event = coder.events.parse(bytes.fromhex(expect["event_data"]))
    observed["event"] = None if event is None else {"name": event.name, "data": to_json(event.data)}
    return observed


def to_json_account(item: Any) -> Any:
    """An instruction's account item as anchorpy parsed it."""
    if hasattr(item, "accounts"):
        return {"name": item.name, "accounts": [to_json_account(a) for a in item.accounts]}
    return {
        "name": item.name,
        "is_mut": item.is_mut,
        "is_signer": item.is_signer,
        "is_optional": bool(item.is_optional),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("idl", help="the legacy IDL to load")
    parser.add_argument("--expect", required=True, help="JSON file of expectations")
    args = parser.parse_args(argv)
    expect = json.loads(Path(args.expect).read_text(encoding="utf-8"))
    problems: list[str] = []
    report: dict[str, Any] = {
        "versions": {p: version(p) for p in ("anchorpy", "anchorpy-core", "solana", "solders")},
        "program": check_program(args.idl, expect, problems),
    }
    if "synthetic" in expect:
        report["synthetic"] = check_synthetic(expect["synthetic"], problems)
    if "real" in expect:
        report["real"] = check_real(expect["real"], problems)
    report["problems"] = problems
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
