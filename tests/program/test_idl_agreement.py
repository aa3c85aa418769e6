"""The IDL (both formats), the Rust sources and the Python package agree exactly.

Parses ``programs/inbox/src/{lib,error,instruction}.rs`` — the program id, the
``InboxError`` variants with their ``/// NNNN: message`` doc comments, the discriminator
constants and the dispatch table — and checks them against ``idl/inbox.json``,
``idl/inbox.legacy.json``, their copies shipped in the package, :mod:`solinbox.program`,
the deploy keypair and ``Anchor.toml``.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from solders.keypair import Keypair

from solinbox.program import errors as program_errors
from solinbox.program.discriminators import instruction_discriminator
from solinbox.program.errors import CUSTOM_ERROR_MAP, ProgramError
from solinbox.program.idl import (
    IDL_FILE,
    LEGACY_IDL_FILE,
    dumps_idl,
    idl_text,
    instruction_discriminators,
    legacy_idl_text,
    load_idl,
    load_legacy_idl,
    to_legacy,
)
from solinbox.program.ids import PROGRAM_ID

ROOT = Path(__file__).resolve().parents[2]
PROGRAM_DIR = ROOT / "programs" / "inbox"
SRC = PROGRAM_DIR / "src"
ROOT_IDL = ROOT / "idl"
PACKAGE_IDL = ROOT / "src" / "solinbox" / "program" / "data"
REGENERATE = "stale: run scripts/gen-idl (syncs idl/ and src/solinbox/program/{data/,errors.py} with the Rust sources)"


# --------------------------------------------------------------------------- Rust parsing


@dataclass(frozen=True)
class RustError:
    code: int
    name: str
    msg: str


def _block(source: str, header: str, what: str) -> str:
    """The text between ``header {`` and its closing brace at the same indentation."""
    match = re.search(rf"^([ \t]*){re.escape(header)}\s*\{{\n(.*?)^\1\}}", source, re.M | re.S)
    assert match is not None, f"cannot find `{header} {{ … }}` ({what})"
    return match.group(2)


def rust_program_id() -> str:
    source = (SRC / "lib.rs").read_text()
    match = re.search(
        r'pub const ID: Address = Address::from_str_const\("([1-9A-HJ-NP-Za-km-z]+)"\);', source
    )
    assert match is not None, 'lib.rs: no `pub const ID: Address = Address::from_str_const("…")`'
    return match.group(1)


def rust_errors() -> list[RustError]:
    """``InboxError``'s variants: explicit or implicit (previous + 1) codes, doc messages."""
    body = _block((SRC / "error.rs").read_text(), "pub enum InboxError", "error.rs")
    errors: list[RustError] = []
    docs: list[str] = []
    code = -1
    for raw in body.splitlines():
        line = raw.strip()
        if (
            not line
            or line.startswith("#[")
            or (line.startswith("//") and not line.startswith("///"))
        ):
            continue
        if line.startswith("///"):
            docs.append(line[3:].strip())
            continue
        variant = re.fullmatch(r"([A-Z][A-Za-z0-9]*)\s*(?:=\s*(\d+))?\s*,?", line)
        assert variant is not None, f"error.rs: cannot parse InboxError line {line!r}"
        name, explicit = variant.groups()
        code = int(explicit) if explicit is not None else code + 1
        doc = " ".join(docs)
        docs = []
        documented = re.fullmatch(r"(\d+): (.+)", doc)
        assert documented is not None, (
            f"error.rs: {name} lacks its `/// {code}: message` doc comment"
        )
        assert int(documented.group(1)) == code, (
            f"error.rs: {name} is {code} but documented as {documented.group(1)}"
        )
        errors.append(RustError(code, name, documented.group(2)))
    return errors


def rust_discriminators() -> dict[str, list[int]]:
    """``{snake_name: bytes}`` of the constants in ``instruction::discriminator``, in order."""
    body = _block((SRC / "instruction.rs").read_text(), "pub mod discriminator", "instruction.rs")
    found = re.findall(r"pub const ([A-Z][A-Z0-9_]*): \[u8; 8\] = \[([0-9,\s]+)\];", body)
    declared = re.findall(r"pub const (\w+)", body)
    assert [name for name, _ in found] == declared, (
        "instruction.rs: unparsed discriminator constant"
    )
    return {name.lower(): [int(b) for b in data.split(",") if b.strip()] for name, data in found}


def rust_dispatch() -> tuple[list[str], dict[str, str]]:
    """The ``Instruction`` enum's variants and ``from_discriminator``'s ``CONST => Variant`` arms."""
    source = (SRC / "instruction.rs").read_text()
    variants = re.findall(
        r"^\s*([A-Z]\w*),\s*$", _block(source, "pub enum Instruction", "instruction.rs"), re.M
    )
    arms = dict(re.findall(r"^\s*([A-Z][A-Z0-9_]*) => Self::(\w+),", source, re.M))
    return variants, arms


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _camel(snake: str) -> str:
    pascal = _pascal(snake)
    return pascal[:1].lower() + pascal[1:]


# --------------------------------------------------------------------------- the Rust side


def test_rust_sources_parse() -> None:
    discriminators = rust_discriminators()
    errors = rust_errors()
    assert len(discriminators) == 14
    assert errors, "no InboxError variants parsed"
    assert [e.code for e in errors] == list(range(6000, 6000 + len(errors)))
    assert len({e.name for e in errors}) == len(errors)


def test_rust_discriminators_follow_anchors_rule() -> None:
    for name, data in rust_discriminators().items():
        assert data == list(instruction_discriminator(name)), f"instruction.rs: {name.upper()}"


def test_rust_dispatch_covers_every_instruction() -> None:
    discriminators = rust_discriminators()
    variants, arms = rust_dispatch()
    assert variants == [_pascal(name) for name in discriminators]
    assert arms == {name.upper(): _pascal(name) for name in discriminators}


# --------------------------------------------------------------------------- the Anchor 0.30 IDL


@pytest.fixture(scope="module")
def idl() -> dict[str, Any]:
    return load_idl()


@pytest.fixture(scope="module")
def legacy() -> dict[str, Any]:
    return load_legacy_idl()


def test_idl_shape(idl: dict[str, Any]) -> None:
    required = ["address", "metadata", "instructions", "accounts", "events", "errors", "types"]
    assert [key for key in idl if key in required] == required
    assert idl["metadata"]["spec"] == "0.1.0"
    for ix in idl["instructions"]:
        assert set(ix) >= {"name", "discriminator", "accounts", "args"}


def test_idl_metadata_matches_cargo(idl: dict[str, Any]) -> None:
    package = tomllib.loads((PROGRAM_DIR / "Cargo.toml").read_text())["package"]
    assert idl["metadata"]["name"] == package["name"]
    assert idl["metadata"]["version"] == package["version"]
    assert idl["metadata"].get("description") == package.get("description")


def test_idl_instructions_match_rust(idl: dict[str, Any]) -> None:
    assert {ix["name"]: ix["discriminator"] for ix in idl["instructions"]} == rust_discriminators()
    assert [ix["name"] for ix in idl["instructions"]] == list(rust_discriminators())
    assert {k: list(v) for k, v in instruction_discriminators().items()} == rust_discriminators()


def test_idl_errors_match_rust(idl: dict[str, Any]) -> None:
    assert idl["errors"] == [
        {"code": e.code, "name": e.name, "msg": e.msg} for e in rust_errors()
    ], REGENERATE


# --------------------------------------------------------------------------- the legacy IDL


def test_legacy_idl_matches_rust(legacy: dict[str, Any]) -> None:
    assert legacy["metadata"] == {"address": rust_program_id()}
    assert [ix["name"] for ix in legacy["instructions"]] == [
        _camel(n) for n in rust_discriminators()
    ]
    assert legacy["errors"] == [
        {"code": e.code, "name": e.name, "msg": e.msg} for e in rust_errors()
    ]


def test_legacy_idl_is_derived_from_the_idl(idl: dict[str, Any], legacy: dict[str, Any]) -> None:
    assert legacy == to_legacy(idl), REGENERATE
    assert (legacy["name"], legacy["version"]) == (
        idl["metadata"]["name"],
        idl["metadata"]["version"],
    )


# --------------------------------------------------------------------------- the files


@pytest.mark.parametrize("name", [IDL_FILE, LEGACY_IDL_FILE])
def test_repo_copies_are_byte_identical_to_the_package_data(name: str) -> None:
    assert (ROOT_IDL / name).read_bytes() == (PACKAGE_IDL / name).read_bytes(), REGENERATE


def test_files_are_in_canonical_form() -> None:
    assert idl_text() == dumps_idl(json.loads(idl_text())), REGENERATE
    assert legacy_idl_text() == dumps_idl(to_legacy(json.loads(idl_text()))), REGENERATE


def test_shipped_files_are_the_package_data() -> None:
    assert idl_text() == (PACKAGE_IDL / IDL_FILE).read_text(encoding="utf-8")
    assert legacy_idl_text() == (PACKAGE_IDL / LEGACY_IDL_FILE).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the address


def test_address_agrees_everywhere(idl: dict[str, Any], legacy: dict[str, Any]) -> None:
    address = rust_program_id()
    assert idl["address"] == address
    assert legacy["metadata"]["address"] == address
    assert str(PROGRAM_ID) == address


def test_deploy_keypair_has_the_program_id() -> None:
    secret = json.loads((PROGRAM_DIR / "keys" / "inbox-keypair.json").read_text())
    assert str(Keypair.from_bytes(bytes(secret)).pubkey()) == rust_program_id()


def test_anchor_toml_has_the_program_id() -> None:
    anchor_toml = ROOT / "Anchor.toml"
    if not anchor_toml.exists():
        pytest.skip("Anchor.toml does not exist at the repository root; nothing to compare")
    config = tomllib.loads(anchor_toml.read_text())
    assert config["programs"]["localnet"]["inbox"] == rust_program_id()


# --------------------------------------------------------------------------- Python errors


def test_python_errors_match_rust_and_idl(idl: dict[str, Any]) -> None:
    expected = [(e.code, e.name, e.msg) for e in rust_errors()]
    assert [(c.code, c.name, c.msg) for c in CUSTOM_ERROR_MAP.values()] == expected, REGENERATE
    assert [(e["code"], e["name"], e["msg"]) for e in idl["errors"]] == expected
    for code, name, _ in expected:
        cls = getattr(program_errors, name)
        assert CUSTOM_ERROR_MAP[code] is cls
        assert issubclass(cls, ProgramError)
        assert cls.__name__ == name
        assert name in program_errors.__all__
        assert cls.__doc__ is not None and cls.__doc__.startswith(f"{code}: {cls.msg}")
