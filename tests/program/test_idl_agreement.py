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
import struct
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_AUTHORITY,
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    STATE_TREES_V1,
    SYSTEM_PROGRAM_ID,
)
from solinbox.program import accounts, records
from solinbox.program import constants as program_constants
from solinbox.program import errors as program_errors
from solinbox.program import instructions as ixs
from solinbox.program.constants import InboxKind, MessageType, RecordKind
from solinbox.program.discriminators import (
    account_discriminator,
    event_discriminator,
    instruction_discriminator,
)
from solinbox.program.errors import CUSTOM_ERROR_MAP, ProgramError
from solinbox.program.events import EVENT_LAYOUTS
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
from solinbox.program.pda import block_marker, cpi_authority, inbox_address, thread_page_for


class _Checkout:
    """Paths of the checkout, bound to pytest's rootdir by the ``_bind_checkout`` fixture."""

    root: Path

    @property
    def program(self) -> Path:
        return self.root / "programs" / "inbox"

    @property
    def src(self) -> Path:
        return self.program / "src"

    @property
    def idl(self) -> Path:
        return self.root / "idl"

    @property
    def package_data(self) -> Path:
        return self.root / "src" / "solinbox" / "program" / "data"


REPO = _Checkout()


@pytest.fixture(autouse=True, scope="module")
def _bind_checkout(repo_root: Path) -> None:
    REPO.root = repo_root


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
    source = (REPO.src / "lib.rs").read_text()
    match = re.search(
        r'pub const ID: Address = Address::from_str_const\("([1-9A-HJ-NP-Za-km-z]+)"\);', source
    )
    assert match is not None, 'lib.rs: no `pub const ID: Address = Address::from_str_const("…")`'
    return match.group(1)


def rust_errors() -> list[RustError]:
    """``InboxError``'s variants: explicit or implicit (previous + 1) codes, doc messages."""
    body = _block((REPO.src / "error.rs").read_text(), "pub enum InboxError", "error.rs")
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
    body = _block(
        (REPO.src / "instruction.rs").read_text(), "pub mod discriminator", "instruction.rs"
    )
    found = re.findall(r"pub const ([A-Z][A-Z0-9_]*): \[u8; 8\] = \[([0-9,\s]+)\];", body)
    declared = re.findall(r"pub const (\w+)", body)
    assert [name for name, _ in found] == declared, (
        "instruction.rs: unparsed discriminator constant"
    )
    return {name.lower(): [int(b) for b in data.split(",") if b.strip()] for name, data in found}


def rust_dispatch() -> tuple[list[str], dict[str, str]]:
    """The ``Instruction`` enum's variants and ``from_discriminator``'s ``CONST => Variant`` arms."""
    source = (REPO.src / "instruction.rs").read_text()
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
    package = tomllib.loads((REPO.program / "Cargo.toml").read_text())["package"]
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
    assert (REPO.idl / name).read_bytes() == (REPO.package_data / name).read_bytes(), REGENERATE


def test_files_are_in_canonical_form() -> None:
    assert idl_text() == dumps_idl(json.loads(idl_text())), REGENERATE
    assert legacy_idl_text() == dumps_idl(to_legacy(json.loads(idl_text()))), REGENERATE


def test_shipped_files_are_the_package_data() -> None:
    assert idl_text() == (REPO.package_data / IDL_FILE).read_text(encoding="utf-8")
    assert legacy_idl_text() == (REPO.package_data / LEGACY_IDL_FILE).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the address


def test_address_agrees_everywhere(idl: dict[str, Any], legacy: dict[str, Any]) -> None:
    address = rust_program_id()
    assert idl["address"] == address
    assert legacy["metadata"]["address"] == address
    assert str(PROGRAM_ID) == address


def test_deploy_keypair_has_the_program_id() -> None:
    secret = json.loads((REPO.program / "keys" / "inbox-keypair.json").read_text())
    assert str(Keypair.from_bytes(bytes(secret)).pubkey()) == rust_program_id()


def test_anchor_toml_has_the_program_id() -> None:
    config = tomllib.loads((REPO.root / "Anchor.toml").read_text())
    assert config["programs"]["localnet"]["inbox"] == rust_program_id()
    assert config["scripts"]["test"] == "scripts/test"  # the README's test command


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


# --------------------------------------------------------------------------- args and accounts
#
# The Python builders (solinbox.program.instructions) are tested against the real program, so
# they are the reference for the byte encoding of every argument and for the account list. A
# small IDL-driven Borsh encoder below encodes the same values from the IDL's declarations
# alone; both must produce the same bytes, and the IDL's accounts must be the builders' metas.

_INT_FORMATS = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q", "i64": "<q", "bool": "<?"}


def _types_by_name(idl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in idl["types"]}


def borsh_encode(ty: Any, value: Any, types: dict[str, dict[str, Any]]) -> bytes:
    """Borsh-encode ``value`` as the IDL (0.30 format) type ``ty``; pubkeys are solders Pubkeys."""
    if isinstance(ty, str):
        if ty in _INT_FORMATS:
            return struct.pack(_INT_FORMATS[ty], value)
        if ty == "pubkey":
            return bytes(value)
        if ty in ("bytes", "string"):
            raw = value.encode() if ty == "string" else bytes(value)
            return struct.pack("<I", len(raw)) + raw
        raise AssertionError(f"unsupported IDL type {ty!r}")
    ((kind, inner),) = ty.items()
    if kind == "option":
        return b"\x00" if value is None else b"\x01" + borsh_encode(inner, value, types)
    if kind == "vec":
        return struct.pack("<I", len(value)) + b"".join(
            borsh_encode(inner, v, types) for v in value
        )
    if kind == "array":
        element, length = inner
        assert len(value) == length
        return b"".join(borsh_encode(element, v, types) for v in value)
    if kind == "defined":
        body = types[inner["name"]]["type"]
        assert body["kind"] == "struct"
        assert set(value) == {f["name"] for f in body["fields"]}, inner["name"]
        return b"".join(borsh_encode(f["type"], value[f["name"]], types) for f in body["fields"])
    raise AssertionError(f"unsupported IDL type {ty!r}")


def borsh_size(ty: Any, types: dict[str, dict[str, Any]]) -> int:
    """Size of a fixed-size IDL type (integers, pubkeys, arrays, structs of those)."""
    if isinstance(ty, str):
        if ty in _INT_FORMATS:
            return struct.calcsize(_INT_FORMATS[ty])
        assert ty == "pubkey", f"{ty!r} has no fixed size"
        return 32
    ((kind, inner),) = ty.items()
    if kind == "array":
        return borsh_size(inner[0], types) * int(inner[1])
    assert kind == "defined", f"{ty!r} has no fixed size"
    return sum(borsh_size(f["type"], types) for f in types[inner["name"]]["type"]["fields"])


def flat_layout(
    ty: Any, types: dict[str, dict[str, Any]], prefix: str = ""
) -> list[tuple[str, int]]:
    """``[(dotted field name, size)]`` with nested structs flattened (arrays of structs kept)."""
    if isinstance(ty, dict) and "defined" in ty:
        out: list[tuple[str, int]] = []
        for f in types[ty["defined"]["name"]]["type"]["fields"]:
            out += flat_layout(f["type"], types, f"{prefix}{f['name']}.")
        return out
    return [(prefix.rstrip("."), borsh_size(ty, types))]


@dataclass(frozen=True)
class IxCase:
    """One instruction with sample values: the IDL args, the builder's result, account keys."""

    name: str
    args: dict[str, Any]
    ix: Instruction
    keys: dict[str, Pubkey]


def _key(n: int) -> Pubkey:
    return Pubkey(bytes([n]) * 32)


OWNER, SENDER, MINT, SOURCE, DEST, TOKEN = (_key(n) for n in (11, 12, 13, 14, 15, 16))
INBOX = inbox_address(OWNER, 7)[0]
TREE = ixs.DEFAULT_OUTPUT_TREE


def _light_keys() -> dict[str, Pubkey]:
    return {
        "light_system_program": LIGHT_SYSTEM_PROGRAM_ID,
        "cpi_authority": cpi_authority()[0],
        "registered_program_pda": REGISTERED_PROGRAM_PDA,
        "account_compression_authority": ACCOUNT_COMPRESSION_AUTHORITY,
        "account_compression_program": ACCOUNT_COMPRESSION_PROGRAM_ID,
        "output_tree": TREE,
        "system_program": SYSTEM_PROGRAM_ID,
    }


def _rule(mint: Pubkey | None, escrow: bool) -> tuple[ixs.PaymentRuleInput, dict[str, Any]]:
    refund = 86_400 if escrow else 0
    rule = ixs.PaymentRuleInput(
        amount=123_456_789, mint=mint, escrow=escrow, refund_after_secs=refund
    )
    as_args = {"mint": mint or Pubkey.default(), "amount": 123_456_789, "escrow": escrow,
               "refund_after_secs": refund}  # fmt: skip
    return rule, as_args


def _message(content: bytes, message_type: MessageType, other: int, encrypted: bool) -> tuple[ixs.MessageInput, dict[str, Any]]:  # fmt: skip
    msg = ixs.MessageInput(content, message_type, other, encrypted)
    return msg, {"message_type": int(message_type), "other_type": other, "flags": int(encrypted),
                 "content": content}  # fmt: skip


def instruction_cases() -> list[IxCase]:
    """Sample calls of every builder, with optional accounts present and absent."""
    page1 = thread_page_for(INBOX, 1)
    page40 = thread_page_for(INBOX, 40)
    marker = block_marker(INBOX, SENDER)[0]
    token = ixs.TokenAccounts(mint=MINT, source=SOURCE, destination=DEST, token_program=TOKEN)
    tokens = {"mint": MINT, "token_program": TOKEN}
    absent = dict.fromkeys(["mint", "token_program"], PROGRAM_ID)
    sol_rule, sol_rule_args = _rule(None, escrow=True)
    tok_rule, tok_rule_args = _rule(MINT, escrow=False)
    text, text_args = _message("héllo".encode(), MessageType.TEXT, 0, False)
    other, other_args = _message(bytes(range(200)), MessageType.OTHER, 0xBEEF, True)
    cases = [
        IxCase("create_inbox",
               {"id": 7, "kind": 0, "expires_at": 0, "payment_rule": tok_rule_args,
                "name": "Alice ☕", "uri": "https://example.com/a.json"},
               ixs.create_inbox(OWNER, 7, payment_rule=tok_rule, name="Alice ☕", uri="https://example.com/a.json"),
               {"owner": OWNER, "inbox": INBOX, "system_program": SYSTEM_PROGRAM_ID, "mint": MINT}),
        IxCase("create_inbox",
               {"id": 7, "kind": 1, "expires_at": 2_000_000_000, "payment_rule": None, "name": "", "uri": ""},
               ixs.create_inbox(OWNER, 7, kind=InboxKind.EPHEMERAL, expires_at=2_000_000_000),
               {"owner": OWNER, "inbox": INBOX, "system_program": SYSTEM_PROGRAM_ID, "mint": PROGRAM_ID}),
        IxCase("set_inbox_metadata", {"name": "n", "uri": "ipfs://x"},
               ixs.set_inbox_metadata(OWNER, INBOX, "n", "ipfs://x"), {"owner": OWNER, "inbox": INBOX}),
        IxCase("set_payment_rule", {"payment_rule": sol_rule_args},
               ixs.set_payment_rule(OWNER, INBOX, sol_rule),
               {"owner": OWNER, "inbox": INBOX, "mint": PROGRAM_ID}),
        IxCase("set_payment_rule", {"payment_rule": tok_rule_args},
               ixs.set_payment_rule(OWNER, INBOX, tok_rule), {"owner": OWNER, "inbox": INBOX, "mint": MINT}),
        IxCase("set_payment_rule", {"payment_rule": None},
               ixs.set_payment_rule(OWNER, INBOX, None), {"owner": OWNER, "inbox": INBOX, "mint": PROGRAM_ID}),
        IxCase("close_inbox", {}, ixs.close_inbox(OWNER, INBOX, [(page1, SENDER), (page40, OWNER)]),
               {"owner": OWNER, "inbox": INBOX}),
        IxCase("create_thread",
               {"expected_thread_id": 40, "payment_amount": 5_000, **text_args},
               ixs.create_thread(SENDER, INBOX, OWNER, 40, text, payment_amount=5_000),
               {"sender": SENDER, "inbox": INBOX, "thread_page": page40, "block_marker": marker,
                "inbox_owner": OWNER, **absent, "sender_token": PROGRAM_ID,
                "destination_token": PROGRAM_ID, **_light_keys()}),
        IxCase("create_thread",
               {"expected_thread_id": 0, "payment_amount": 2**64 - 1, **other_args},
               ixs.create_thread(SENDER, INBOX, OWNER, 1, other, payment_amount=2**64 - 1, token=token,
                                 expected_thread_id=0, output_tree=STATE_TREES_V1[1].tree),
               {"sender": SENDER, "inbox": INBOX, "thread_page": page1, "block_marker": marker,
                "inbox_owner": OWNER, **tokens, "sender_token": SOURCE, "destination_token": DEST,
                **_light_keys(), "output_tree": STATE_TREES_V1[1].tree}),
        IxCase("send_message",
               {"thread_id": 40, "reply_to": 3, "payment_amount": 9, **text_args},
               ixs.send_message(OWNER, INBOX, 40, text, reply_to=3, payment_amount=9, recipient=SENDER),
               {"poster": OWNER, "inbox": INBOX, "thread_page": page40, "recipient": SENDER, **absent,
                "poster_token": PROGRAM_ID, "recipient_token": PROGRAM_ID, **_light_keys()}),
        IxCase("send_message",
               {"thread_id": 1, "reply_to": 0, "payment_amount": 0, **other_args},
               ixs.send_message(SENDER, INBOX, 1, other, token=token),
               {"poster": SENDER, "inbox": INBOX, "thread_page": page1, "recipient": PROGRAM_ID,
                **tokens, "poster_token": SOURCE, "recipient_token": DEST, **_light_keys()}),
        IxCase("mark_read", {"thread_id": 40, "seq": 12}, ixs.mark_read(OWNER, INBOX, 40, 12),
               {"reader": OWNER, "inbox": INBOX, "thread_page": page40}),
        IxCase("set_archived", {"thread_id": 1, "archived": True}, ixs.set_archived(SENDER, INBOX, 1, True),
               {"member": SENDER, "inbox": INBOX, "thread_page": page1}),
        IxCase("set_archived", {"thread_id": 1, "archived": False}, ixs.set_archived(SENDER, INBOX, 1, False),
               {"member": SENDER, "inbox": INBOX, "thread_page": page1}),
        IxCase("block_sender", {"sender": SENDER}, ixs.block_sender(OWNER, INBOX, SENDER),
               {"owner": OWNER, "inbox": INBOX, "block_marker": marker, "system_program": SYSTEM_PROGRAM_ID}),
        IxCase("unblock_sender", {"sender": SENDER}, ixs.unblock_sender(OWNER, INBOX, SENDER),
               {"owner": OWNER, "inbox": INBOX, "block_marker": marker}),
        IxCase("approve_escrow", {"thread_id": 40}, ixs.approve_escrow(SENDER, INBOX, 40),
               {"sender": SENDER, "inbox": INBOX, "thread_page": page40}),
        IxCase("claim_escrow", {"thread_id": 40}, ixs.claim_escrow(OWNER, INBOX, 40),
               {"owner": OWNER, "inbox": INBOX, "thread_page": page40, **absent, "vault": PROGRAM_ID,
                "owner_token": PROGRAM_ID}),
        IxCase("claim_escrow", {"thread_id": 1}, ixs.claim_escrow(OWNER, INBOX, 1, token=token),
               {"owner": OWNER, "inbox": INBOX, "thread_page": page1, **tokens, "vault": SOURCE,
                "owner_token": DEST}),
        IxCase("refund_escrow", {"thread_id": 1}, ixs.refund_escrow(SENDER, INBOX, 1, token=token),
               {"sender": SENDER, "inbox": INBOX, "thread_page": page1, **tokens, "vault": SOURCE,
                "sender_token": DEST}),
        IxCase("refund_escrow", {"thread_id": 40}, ixs.refund_escrow(SENDER, INBOX, 40),
               {"sender": SENDER, "inbox": INBOX, "thread_page": page40, **absent, "vault": PROGRAM_ID,
                "sender_token": PROGRAM_ID}),
        IxCase("react", {"thread_id": 40, "seq": 2, "reaction": 9, "added": False},
               ixs.react(OWNER, INBOX, 40, 2, 9, added=False),
               {"member": OWNER, "inbox": INBOX, "thread_page": page40, **_light_keys()}),
    ]  # fmt: skip
    return cases


CASES = instruction_cases()


def test_every_instruction_has_cases(idl: dict[str, Any]) -> None:
    assert {c.name for c in CASES} == {ix["name"] for ix in idl["instructions"]}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_idl_args_encode_like_the_builders(idl: dict[str, Any], case: IxCase) -> None:
    ix_idl = next(i for i in idl["instructions"] if i["name"] == case.name)
    assert [a["name"] for a in ix_idl["args"]] == list(case.args)
    types = _types_by_name(idl)
    data = bytes(ix_idl["discriminator"]) + b"".join(
        borsh_encode(a["type"], case.args[a["name"]], types) for a in ix_idl["args"]
    )
    assert data == bytes(case.ix.data)
    assert case.ix.program_id == PROGRAM_ID


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_idl_accounts_are_the_builders_metas(idl: dict[str, Any], case: IxCase) -> None:
    ix_idl = next(i for i in idl["instructions"] if i["name"] == case.name)
    items = ix_idl["accounts"]
    assert all("accounts" not in item for item in items), "no composite account items"
    assert [item["name"] for item in items] == [
        n for n in (i["name"] for i in items) if n in case.keys
    ]
    metas = case.ix.accounts
    assert len(metas) >= len(items)
    for item, meta in zip(items, metas, strict=False):
        key = case.keys[item["name"]]
        if key == PROGRAM_ID:  # an absent optional account: Anchor's None, read-only
            assert item.get("optional"), f"{case.name}.{item['name']} is passed as absent"
            assert (meta.pubkey, meta.is_signer, meta.is_writable) == (PROGRAM_ID, False, False)
            continue
        expected = (key, bool(item.get("signer")), bool(item.get("writable")))
        assert (meta.pubkey, meta.is_signer, meta.is_writable) == expected, item["name"]
        if "address" in item:
            assert Pubkey.from_string(item["address"]) == key, item["name"]
        if "pda" in item:
            assert _derive(item["pda"], case, ix_idl) == key, item["name"]
    extra = metas[len(items) :]
    if case.name == "close_inbox":  # remaining accounts: (page, payer) pairs, all writable
        assert extra and len(extra) % 2 == 0
        assert all(m.is_writable and not m.is_signer for m in extra)
    else:
        assert extra == []


def _derive(pda: dict[str, Any], case: IxCase, ix_idl: dict[str, Any]) -> Pubkey:
    """The address an Anchor client derives from an IDL ``pda`` (const / account / arg seeds)."""
    arg_types = {a["name"]: a["type"] for a in ix_idl["args"]}
    seeds: list[bytes] = []
    for seed in pda["seeds"]:
        if seed["kind"] == "const":
            seeds.append(bytes(seed["value"]))
        elif seed["kind"] == "account":
            seeds.append(bytes(case.keys[seed["path"]]))
        else:
            assert seed["kind"] == "arg"
            seeds.append(borsh_encode(arg_types[seed["path"]], case.args[seed["path"]], {}))
    assert "program" not in pda
    return Pubkey.find_program_address(seeds, PROGRAM_ID)[0]


def test_optional_accounts_and_fixed_addresses(idl: dict[str, Any]) -> None:
    by_name = {ix["name"]: ix for ix in idl["instructions"]}
    optional = {
        name: [a["name"] for a in ix["accounts"] if a.get("optional")]
        for name, ix in by_name.items()
    }
    assert optional == {
        "create_inbox": ["mint"],
        "set_inbox_metadata": [],
        "set_payment_rule": ["mint"],
        "close_inbox": [],
        "create_thread": ["mint", "sender_token", "destination_token", "token_program"],
        "send_message": ["recipient", "mint", "poster_token", "recipient_token", "token_program"],
        "mark_read": [],
        "set_archived": [],
        "block_sender": [],
        "unblock_sender": [],
        "approve_escrow": [],
        "claim_escrow": ["mint", "vault", "owner_token", "token_program"],
        "refund_escrow": ["mint", "vault", "sender_token", "token_program"],
        "react": [],
    }
    light = list(_light_keys())[:-1]
    for name in ("create_thread", "send_message", "react"):
        names = [a["name"] for a in by_name[name]["accounts"]]
        assert names[-6:] == light, name  # the six Light accounts close the list (light.rs)


# --------------------------------------------------------------------------- accounts and layouts

_RUST_SIZES = {"u8": 1, "U64": 8, "U32": 4}
# IDL field names that differ from the Rust ones.
_RENAMED = {"from": "sender", "_pad": "padding"}


def rust_struct(file: str, name: str) -> list[tuple[str, str]]:
    """``[(field, type)]`` of ``pub struct name`` in ``state/<file>.rs``."""
    body = _block((REPO.src / "state" / f"{file}.rs").read_text(), f"pub struct {name}", file)
    return re.findall(r"^\s*pub (\w+): ([^,]+),", body, re.M)


def rust_layout(file: str, name: str) -> list[tuple[str, int]]:
    """The Rust struct's fields with their sizes, nested structs flattened (alignment 1)."""
    out: list[tuple[str, int]] = []
    for field, ty in rust_struct(file, name):
        field = _RENAMED.get(field, field)
        if ty in _RUST_SIZES:
            out.append((field, _RUST_SIZES[ty]))
        elif m := re.fullmatch(r"\[u8; (\w+)\]", ty):
            n = m.group(1)
            out.append(
                (field, int(n) if n.isdigit() else {"MAX_NAME_LEN": 32, "MAX_URI_LEN": 200}[n])
            )
        elif m := re.fullmatch(r"\[ThreadSlot; SLOTS_PER_PAGE as usize\]", ty):
            out.append((field, 32 * sum(size for _, size in rust_layout("page", "ThreadSlot"))))
        elif ty == "PaymentRule":
            out += [(f"{field}.{f}", s) for f, s in rust_layout("inbox", "PaymentRule")]
        else:
            raise AssertionError(f"{name}.{field}: unknown Rust type {ty}")
    return out


@pytest.mark.parametrize(
    ("idl_type", "file", "rust_name"),
    [
        ("Inbox", "inbox", "Inbox"),
        ("InboxMetadata", "inbox", "InboxMetadata"),
        ("PaymentRule", "inbox", "PaymentRule"),
        ("ThreadPage", "page", "ThreadPage"),
        ("ThreadSlot", "page", "ThreadSlot"),
        ("BlockMarker", "block", "BlockMarker"),
    ],
)
def test_account_types_match_the_rust_structs(
    idl: dict[str, Any], idl_type: str, file: str, rust_name: str
) -> None:
    types = _types_by_name(idl)
    layout = flat_layout({"defined": {"name": idl_type}}, types)
    rust = rust_layout(file, rust_name)
    if idl_type in {t["name"] for t in idl["accounts"]}:  # Anchor's discriminator is implicit
        assert rust[0] == ("discriminator", 8)
        rust = rust[1:]
    assert layout == rust
    assert types[idl_type]["serialization"] == "bytemuck"
    assert types[idl_type]["repr"] == {"kind": "c"}


def test_account_sizes(idl: dict[str, Any]) -> None:
    types = _types_by_name(idl)

    def size(name: str) -> int:
        return borsh_size({"defined": {"name": name}}, types)

    inbox_rs = (REPO.src / "state" / "inbox.rs").read_text()
    page_rs = (REPO.src / "state" / "page.rs").read_text()
    assert "assert!(Inbox::EPHEMERAL_LEN == 132)" in inbox_rs
    assert "assert!(Inbox::STANDARD_LEN == 366)" in inbox_rs
    assert "assert!(ThreadPage::LEN == 84 + 32 * 112)" in page_rs
    assert 8 + size("Inbox") == accounts.Inbox.EPHEMERAL_LEN == 132
    assert 8 + size("Inbox") + size("InboxMetadata") == accounts.Inbox.STANDARD_LEN == 366
    assert 8 + size("ThreadPage") == accounts.ThreadPage.LEN == 3668
    assert size("ThreadSlot") == accounts.ThreadSlot.SIZE == 112
    assert 8 + size("BlockMarker") == accounts.BlockMarker.LEN == 73
    assert size("PaymentRule") == accounts.PaymentRule.LAYOUT.size == 52
    owner_offset = 8 + sum(s for n, s in flat_layout({"defined": {"name": "Inbox"}}, types)[:4])
    assert owner_offset == accounts.Inbox.OWNER_OFFSET


def test_account_discriminators(idl: dict[str, Any]) -> None:
    state = (REPO.src / "state" / "mod.rs").read_text()
    rust = {
        name: [int(b) for b in data.split(",")]
        for name, data in re.findall(r"pub const (\w+): \[u8; 8\] = \[([0-9, ]+)\];", state)
    }
    assert [a["name"] for a in idl["accounts"]] == ["Inbox", "ThreadPage", "BlockMarker"]
    for account in idl["accounts"]:
        name = account["name"]
        assert account["discriminator"] == list(account_discriminator(name))
        assert account["discriminator"] == rust[re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()]
        assert account["discriminator"] == list(getattr(accounts, name).DISCRIMINATOR)


# --------------------------------------------------------------------------- compressed records


def rust_record_writer(function: str) -> list[tuple[str, int | None]]:
    """``[(expression, size)]`` written by ``write_<record>`` in records.rs (None = variable)."""
    source = (REPO.src / "state" / "records.rs").read_text()
    match = re.search(rf"^pub fn {function}\(.*?\{{\n(.*?)^\}}", source, re.M | re.S)
    assert match is not None, f"records.rs: no `pub fn {function}`"
    body = match.group(1)
    out: list[tuple[str, int | None]] = []
    for method, expr in re.findall(r"w\.(u8|u16|u32|u64|put)\((.+?)\)\??;?$", body, re.M):
        sizes = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}
        out.append((expr, sizes.get(method, None if "content" in expr else 32)))
    return out


@pytest.mark.parametrize(
    ("name", "writer", "kind"),
    [("ThreadHeader", "write_thread_header", 1), ("Message", "write_message", 2),
     ("Reaction", "write_reaction", 3)],
)  # fmt: skip
def test_record_types_match_the_rust_writers(idl: dict[str, Any], name: str, writer: str, kind: int) -> None:  # fmt: skip
    types = _types_by_name(idl)
    layout = flat_layout({"defined": {"name": name}}, types)
    prefix = [("kind", 1), ("version", 1), ("inbox", 32), ("thread_id", 8)]
    assert layout[:4] == prefix
    written = rust_record_writer(writer)
    if name == "Message":  # content_len u16 then the content bytes: not a Borsh type
        assert written[-1] == ("m.content", None)
        written = written[:-1]
    assert [s for _, s in layout[4:]] == [s for _, s in written]
    records_rs = (REPO.src / "state" / "records.rs").read_text()
    const = {"ThreadHeader": "THREAD_HEADER", "Message": "MESSAGE", "Reaction": "REACTION"}[name]
    disc = re.search(rf"pub const {const}_DISCRIMINATOR: \[u8; 8\] = \[([0-9, ]+)\];", records_rs)
    assert disc is not None
    assert [int(b) for b in disc.group(1).split(",")] == list(account_discriminator(name))
    assert f"KIND_{const}: u8 = {kind};" in records_rs
    assert int(RecordKind[re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()]) == kind
    fixed = {
        "ThreadHeader": "THREAD_HEADER_LEN",
        "Message": "MESSAGE_FIXED_LEN",
        "Reaction": "REACTION_LEN",
    }
    extra = re.search(rf"pub const {fixed[name]}: usize = PREFIX_LEN \+ (\d+);", records_rs)
    assert extra is not None
    assert sum(s for _, s in layout) == 42 + int(extra.group(1))


def test_record_memcmp_offsets(idl: dict[str, Any]) -> None:
    types = _types_by_name(idl)

    def offset(record: str, field: str) -> int:
        layout = flat_layout({"defined": {"name": record}}, types)
        names = [n for n, _ in layout]
        return sum(s for _, s in layout[: names.index(field)])

    assert offset("Message", "inbox") == records.OFFSET_INBOX == 2
    assert offset("Message", "thread_id") == records.OFFSET_THREAD_ID == 34
    assert offset("ThreadHeader", "sender") == records.THREAD_FROM_OFFSET == 42
    assert offset("ThreadHeader", "recipient") == records.THREAD_TO_OFFSET == 74
    assert offset("Message", "sender") == records.MESSAGE_SENDER_OFFSET == 47
    assert offset("Message", "content_len") == 137


# --------------------------------------------------------------------------- events

_EVENT_CODES = {"pubkey": "32s", "u64": "Q", "u32": "I", "u8": "B", "bool": "?"}
_CHAIN_SIZES = {"put": 32, "u64": 8, "u32": 4, "u8": 1}


def rust_event_bodies() -> dict[str, list[int]]:
    """``{EVENT_CONST: [field sizes]}`` from every ``Event::new(&X)...emit()`` chain."""
    found: dict[str, list[int]] = {}
    for path in sorted((REPO.src / "instructions").glob("*.rs")):
        source = path.read_text()
        for const, chain in re.findall(r"Event::new\(&(\w+)\)(.*?)\.emit\(\)", source, re.S):
            sizes = [_CHAIN_SIZES[m] for m in re.findall(r"\.(put|u64|u32|u8)\(", chain)]
            assert found.setdefault(const, sizes) == sizes, f"{const} emitted with two layouts"
    return found


def test_events_match_rust_and_the_python_decoder(idl: dict[str, Any]) -> None:
    types = _types_by_name(idl)
    events_rs = (REPO.src / "events.rs").read_text()
    rust_discs = {
        name: [int(b) for b in data.split(",")]
        for name, data in re.findall(r"pub const (\w+): \[u8; 8\] = \[([0-9, ]+)\];", events_rs)
    }
    bodies = rust_event_bodies()
    assert [e["name"] for e in idl["events"]] == list(EVENT_LAYOUTS)
    assert len(idl["events"]) == len(rust_discs) == len(bodies) == 12
    for event in idl["events"]:
        name = event["name"]
        const = re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()
        assert event["discriminator"] == list(event_discriminator(name)) == rust_discs[const]
        fields = types[name]["type"]["fields"]
        assert tuple((f["name"], _EVENT_CODES[f["type"]]) for f in fields) == EVENT_LAYOUTS[name]
        assert [borsh_size(f["type"], types) for f in fields] == bodies[const], name


# --------------------------------------------------------------------------- docs/protocol.md


def test_protocol_doc_tables_match_the_idl(idl: dict[str, Any]) -> None:
    """The layout, event and error tables of ``docs/protocol.md`` are the IDL's."""
    doc = (REPO.root / "docs" / "protocol.md").read_text(encoding="utf-8")
    types = _types_by_name(idl)
    starts = {"Inbox": 8, "InboxMetadata": 132, "ThreadPage": 8, "ThreadSlot": 0,
              "BlockMarker": 8, "ThreadHeader": 0, "Message": 0, "Reaction": 0}  # fmt: skip
    for name, offset in starts.items():
        for field_name, size in flat_layout({"defined": {"name": name}}, types):
            row = f"| {offset} | {size} | `{field_name}` |"
            assert row in doc, f"docs/protocol.md: {name} lacks the row {row!r}"
            offset += size
        assert f"| **{offset}** |" in doc, f"docs/protocol.md: {name} total {offset}"
    for error in idl["errors"]:
        row = f"| {error['code']} | {error['code']:#x} | `{error['name']}` | {error['msg']} |"
        assert row in doc, f"docs/protocol.md: the error table lacks {row!r}"
    for event in idl["events"]:
        assert f"| `{event['name']}` | `{bytes(event['discriminator']).hex()}` |" in doc
    for ix in idl["instructions"]:
        assert f"### `{ix['name']}(" in doc, f"docs/protocol.md: {ix['name']} is not documented"


def test_idl_constants_match_rust_and_python(idl: dict[str, Any]) -> None:
    rust: dict[str, int] = {}
    for file in ("inbox", "page", "records"):
        source = (REPO.src / "state" / f"{file}.rs").read_text()
        rust |= {n: int(v) for n, v in re.findall(r"pub const (\w+): \w+ = (\d+);", source)}
    constants = {c["name"]: c for c in idl["constants"]}
    assert set(constants) == {
        "SLOTS_PER_PAGE",
        "MAX_NAME_LEN",
        "MAX_URI_LEN",
        "MAX_EPHEMERAL_THREADS",
        "MAX_CONTENT_LEN",
        "REACTION_COUNT",
    }
    for name, constant in constants.items():
        assert int(constant["value"]) == rust[name], name
        assert constant["type"] in _INT_FORMATS
        python = getattr(program_constants, name, None)
        assert int(python if python is not None else len(program_constants.REACTIONS)) == rust[name]


@pytest.mark.parametrize(
    ("name", "token", "table", "documented"),
    [
        ("create_thread", False, False, 660),
        ("create_thread", False, True, 843),
        ("create_thread", True, False, 532),
        ("create_thread", True, True, 715),
        ("send_message", False, False, 721),
        ("send_message", False, True, 904),
        ("send_message", True, False, 593),
        ("send_message", True, True, 776),
    ],
)
def test_protocol_doc_message_size_table(
    name: str, token: bool, table: bool, documented: int
) -> None:
    """The largest content that fits a 1232-byte transaction is what docs/protocol.md says."""
    sender = Keypair.from_seed(bytes([2]) * 32)
    lookup = AddressLookupTableAccount(
        Pubkey(bytes([9]) * 32), [*_light_keys().values(), PROGRAM_ID]
    )
    accounts = ixs.TokenAccounts(MINT, SOURCE, DEST, TOKEN) if token else None

    def size(n: int) -> int:
        message = ixs.MessageInput(b"x" * n)
        if name == "create_thread":
            ix = ixs.create_thread(sender.pubkey(), INBOX, OWNER, 1, message, payment_amount=int(token), token=accounts)  # fmt: skip
        else:
            ix = ixs.send_message(sender.pubkey(), INBOX, 1, message, payment_amount=int(token), token=accounts)  # fmt: skip
        compiled = MessageV0.try_compile(sender.pubkey(), [ix], [lookup] if table else [], Hash.default())  # fmt: skip
        return len(bytes(VersionedTransaction(compiled, [sender])))

    assert size(documented) <= 1232 < size(documented + 1)
    doc = (REPO.root / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert str(documented) in doc
