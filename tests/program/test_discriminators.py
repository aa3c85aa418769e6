"""The pure helpers of solinbox.program: discriminators, the id, IDL rendering/conversion, errors."""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
from typing import Any

import pytest
from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError
from solinbox.program import (
    CUSTOM_ERROR_MAP,
    DISCRIMINATOR_LEN,
    PROGRAM_ID,
    IdlError,
    ProgramError,
    account_discriminator,
    event_discriminator,
    from_code,
    from_logs,
    instruction_discriminator,
    load_idl,
    load_legacy_idl,
)
from solinbox.program.errors import InvalidInstructionData, UnknownInstruction
from solinbox.program.idl import dumps_idl, instruction_discriminators, to_legacy

# --------------------------------------------------------------------------- discriminators


def test_instruction_discriminator_matches_anchor() -> None:
    # Every Anchor program's `initialize`: afaf6d1f0d989bed.
    assert instruction_discriminator("initialize") == bytes.fromhex("afaf6d1f0d989bed")
    assert instruction_discriminator("create_inbox") == bytes([217, 134, 249, 100, 35, 95, 26, 130])
    assert instruction_discriminator("react") == bytes([30, 51, 119, 72, 84, 37, 204, 207])


@pytest.mark.parametrize(
    ("function", "namespace", "name"),
    [
        (instruction_discriminator, "global", "send_message"),
        (account_discriminator, "account", "Inbox"),
        (account_discriminator, "account", "ThreadPage"),
        (event_discriminator, "event", "ThreadRead"),
    ],
)
def test_discriminators_are_namespaced_sha256_prefixes(
    function: Any, namespace: str, name: str
) -> None:
    digest = hashlib.sha256(f"{namespace}:{name}".encode()).digest()
    assert function(name) == digest[:8]
    assert len(function(name)) == DISCRIMINATOR_LEN == 8


def test_namespaces_differ() -> None:
    assert (
        len(
            {
                instruction_discriminator("inbox"),
                account_discriminator("inbox"),
                event_discriminator("inbox"),
            }
        )
        == 3
    )


@pytest.mark.parametrize(
    "name", ["createInbox", "CreateInbox", "", "create-inbox", "global:x", "9lives", " react"]
)
def test_instruction_names_must_be_snake_case(name: str) -> None:
    with pytest.raises(ValueError, match="snake_case"):
        instruction_discriminator(name)


@pytest.mark.parametrize("name", ["", "Thread Page", "account:Inbox", "1Inbox", "Inbox\n"])
def test_type_names_must_be_identifiers(name: str) -> None:
    with pytest.raises(ValueError, match="identifiers"):
        account_discriminator(name)
    with pytest.raises(ValueError, match="identifiers"):
        event_discriminator(name)


def test_program_id() -> None:
    assert isinstance(PROGRAM_ID, Pubkey)
    assert str(PROGRAM_ID) == "iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei"


# --------------------------------------------------------------------------- IDL loading / rendering


def test_loaded_idls_are_fresh_copies() -> None:
    first = load_idl()
    first["instructions"].clear()
    assert load_idl()["instructions"]
    legacy = load_legacy_idl()
    legacy["errors"].clear()
    assert load_legacy_idl()["errors"]


def test_instruction_discriminators_reads_the_idl() -> None:
    table = instruction_discriminators()
    assert table["create_inbox"] == instruction_discriminator("create_inbox")
    assert list(table) == [ix["name"] for ix in load_idl()["instructions"]]
    assert instruction_discriminators(
        {"instructions": [{"name": "x", "discriminator": [1] * 8}]}
    ) == {"x": b"\x01" * 8}


def test_dumps_idl_layout() -> None:
    value = {"a": [1, 2, 3], "b": {"c": [], "d": {}}, "e": [{"f": "é"}], "g": ["x", None, True]}
    text = dumps_idl(value)
    assert json.loads(text) == value
    assert text == (
        "{\n"
        '  "a": [1, 2, 3],\n'
        '  "b": {\n'
        '    "c": [],\n'
        '    "d": {}\n'
        "  },\n"
        '  "e": [\n'
        "    {\n"
        '      "f": "é"\n'
        "    }\n"
        "  ],\n"
        '  "g": ["x", null, true]\n'
        "}\n"
    )


# --------------------------------------------------------------------------- IDL conversion


def _idl(**overrides: Any) -> dict[str, Any]:
    idl: dict[str, Any] = {
        "address": "11111111111111111111111111111111",
        "metadata": {"name": "demo", "version": "1.2.3", "spec": "0.1.0"},
        "instructions": [
            {
                "name": "do_it",
                "docs": ["Does it."],
                "discriminator": list(instruction_discriminator("do_it")),
                "accounts": [
                    {"name": "payer", "writable": True, "signer": True, "docs": ["Pays."]},
                    {"name": "state_pda", "writable": True, "pda": {"seeds": []}},
                    {"name": "maybe", "optional": True, "relations": ["payer"]},
                    {"name": "group", "accounts": [{"name": "system_program", "address": "11111111111111111111111111111111"}]},
                ],
                "args": [
                    {"name": "owner_key", "type": "pubkey"},
                    {"name": "amounts", "type": {"vec": {"option": "u64"}}},
                    {"name": "seed", "type": {"array": ["u8", 32]}},
                    {"name": "rule", "type": {"defined": {"name": "Rule"}}},
                ],
                "returns": "u64",
            }
        ],
        "accounts": [{"name": "State", "discriminator": list(account_discriminator("State"))}],
        "events": [{"name": "Done", "discriminator": list(event_discriminator("Done"))}],
        "errors": [{"code": 6000, "name": "Bad", "msg": "Bad."}, {"code": 6001, "name": "Worse"}],
        "types": [
            {"name": "Rule", "docs": ["A rule."], "type": {"kind": "enum", "variants": [
                {"name": "None"},
                {"name": "Pay", "fields": [{"name": "min_amount", "type": "u64"}]},
                {"name": "Pair", "fields": ["u8", "pubkey"]},
            ]}},
            {"name": "State", "serialization": "bytemuck", "repr": {"kind": "c"}, "type": {"kind": "struct", "fields": [
                {"name": "next_id", "type": "u64"},
            ]}},
            {"name": "Done", "type": {"kind": "struct", "fields": [{"name": "who", "type": "pubkey"}]}},
        ],
        "constants": [{"name": "MAX_LEN", "type": "u16", "value": "200"}],
    }  # fmt: skip
    idl.update(overrides)
    return idl


def test_to_legacy_converts_everything() -> None:
    idl = _idl()
    before = copy.deepcopy(idl)
    legacy = to_legacy(idl)
    assert idl == before, "to_legacy must not modify its argument"
    assert legacy == {
        "version": "1.2.3",
        "name": "demo",
        "constants": [{"name": "MAX_LEN", "type": "u16", "value": "200"}],
        "instructions": [
            {
                "name": "doIt",
                "docs": ["Does it."],
                "accounts": [
                    {"name": "payer", "isMut": True, "isSigner": True, "docs": ["Pays."]},
                    {"name": "statePda", "isMut": True, "isSigner": False},
                    {"name": "maybe", "isMut": False, "isSigner": False, "isOptional": True},
                    {"name": "group", "accounts": [{"name": "systemProgram", "isMut": False, "isSigner": False}]},
                ],
                "args": [
                    {"name": "ownerKey", "type": "publicKey"},
                    {"name": "amounts", "type": {"vec": {"option": "u64"}}},
                    {"name": "seed", "type": {"array": ["u8", 32]}},
                    {"name": "rule", "type": {"defined": "Rule"}},
                ],
                "returns": "u64",
            }
        ],
        "accounts": [{"name": "State", "type": {"kind": "struct", "fields": [{"name": "nextId", "type": "u64"}]}}],
        "types": [
            {"name": "Rule", "docs": ["A rule."], "type": {"kind": "enum", "variants": [
                {"name": "None"},
                {"name": "Pay", "fields": [{"name": "minAmount", "type": "u64"}]},
                {"name": "Pair", "fields": ["u8", "publicKey"]},
            ]}},
        ],
        "events": [{"name": "Done", "fields": [{"name": "who", "type": "publicKey", "index": False}]}],
        "errors": [{"code": 6000, "name": "Bad", "msg": "Bad."}, {"code": 6001, "name": "Worse"}],
        "metadata": {"address": "11111111111111111111111111111111"},
    }  # fmt: skip


def test_shipped_legacy_idl_is_the_conversion_of_the_idl() -> None:
    assert load_legacy_idl() == to_legacy(load_idl())


def _with_arg(ty: Any) -> dict[str, Any]:
    idl = _idl()
    idl["instructions"][0]["args"] = [{"name": "x", "type": ty}]
    return idl


def _with_type(typedef: dict[str, Any]) -> dict[str, Any]:
    idl = _idl()
    idl["types"].append(typedef)
    return idl


@pytest.mark.parametrize(
    ("idl", "message"),
    [
        (_with_arg("u256"), "no legacy equivalent"),
        (_with_arg({"coption": "u8"}), "no legacy equivalent"),
        (_with_arg({"array": ["u8", {"generic": "N"}]}), "generic array"),
        (_with_arg({"defined": {"name": "Rule", "generics": [{"kind": "type", "type": "u8"}]}}), "generic"),
        (_with_arg({"generic": "T"}), "no legacy equivalent"),
        (_idl(accounts=[{"name": "State", "discriminator": [0] * 8}]), "discriminator"),
        (_idl(events=[{"name": "Done", "discriminator": [0] * 8}]), "discriminator"),
        (_idl(accounts=[{"name": "Missing", "discriminator": list(account_discriminator("Missing"))}]), "no type definition"),
        (_with_type({"name": "T", "type": {"kind": "type", "alias": "u8"}}), "kind 'type'"),
        (_with_type({"name": "T", "type": {"kind": "struct", "fields": ["u8"]}}), "tuple fields"),
        (_with_type({"name": "T", "generics": [{"kind": "type", "name": "U"}], "type": {"kind": "struct", "fields": []}}), "generic"),
    ],
)  # fmt: skip
def test_to_legacy_refuses_what_it_cannot_express(idl: dict[str, Any], message: str) -> None:
    with pytest.raises(IdlError, match=message):
        to_legacy(idl)


def test_to_legacy_refuses_custom_instruction_discriminators() -> None:
    idl = _idl()
    idl["instructions"][0]["discriminator"] = [1, 2, 3, 4, 5, 6, 7, 8]
    with pytest.raises(IdlError, match="custom discriminators"):
        to_legacy(idl)


def test_to_legacy_refuses_names_anchorpy_would_mangle() -> None:
    # camel("send_v_2") == "sendV2", and pyheck's snake("sendV2") == "send_v2": another sighash.
    idl = _idl()
    idl["instructions"][0]["name"] = "send_v_2"
    idl["instructions"][0]["discriminator"] = list(instruction_discriminator("send_v_2"))
    with pytest.raises(IdlError, match="wrong discriminator"):
        to_legacy(idl)


def test_idl_error_is_a_solinbox_value_error() -> None:
    assert issubclass(IdlError, SolinboxError)
    assert issubclass(IdlError, ValueError)


# --------------------------------------------------------------------------- program errors


def test_from_code() -> None:
    error = from_code(6000, ["log line"])
    assert isinstance(error, UnknownInstruction)
    assert isinstance(error, ProgramError)
    assert isinstance(error, SolinboxError)
    assert error.logs == ["log line"]
    assert str(error) == f"6000 UnknownInstruction: {UnknownInstruction.msg}"
    assert from_code(5999) is None
    assert from_code(max(CUSTOM_ERROR_MAP) + 1) is None
    assert from_code(6001) is not None and from_code(6001).logs == []  # type: ignore[union-attr]


def test_custom_error_map() -> None:
    codes = list(CUSTOM_ERROR_MAP)
    assert codes == sorted(codes) == list(range(6000, 6000 + len(codes)))
    assert all(cls.code == code for code, cls in CUSTOM_ERROR_MAP.items())
    with pytest.raises(TypeError):
        CUSTOM_ERROR_MAP[1] = UnknownInstruction  # type: ignore[index]


def test_program_error_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        ProgramError()


def test_program_errors_pickle_and_raise() -> None:
    error = InvalidInstructionData(["a", "b"])
    copy_ = pickle.loads(pickle.dumps(error))
    assert type(copy_) is InvalidInstructionData
    assert copy_.logs == ["a", "b"]
    assert str(copy_) == str(error)
    with pytest.raises(ProgramError) as caught:
        raise error
    assert caught.value.code == 6001


def test_from_logs_ours() -> None:
    logs = [
        f"Program {PROGRAM_ID} invoke [1]",
        f"Program {PROGRAM_ID} consumed 1042 of 200000 compute units",
        f"Program {PROGRAM_ID} failed: custom program error: 0x1771",
    ]
    error = from_logs(logs)
    assert isinstance(error, InvalidInstructionData)
    assert error.logs == logs
    assert isinstance(from_logs(iter(logs)), InvalidInstructionData)


def test_from_logs_first_failure_decides() -> None:
    light = "SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7"
    logs = [
        f"Program {PROGRAM_ID} invoke [1]",
        f"Program {light} invoke [2]",
        f"Program {light} failed: custom program error: 0x1770",
        f"Program {PROGRAM_ID} failed: custom program error: 0x1770",
    ]
    assert from_logs(logs) is None  # Light's 6000, not our UnknownInstruction
    assert isinstance(from_logs(logs, Pubkey.from_string(light)), UnknownInstruction)


def test_from_logs_without_a_custom_error() -> None:
    assert from_logs([]) is None
    assert from_logs([f"Program {PROGRAM_ID} failed: invalid account data for instruction"]) is None
    assert (
        from_logs([f"Program {PROGRAM_ID} failed: custom program error: 0x1"]) is None
    )  # not ours
    assert isinstance(
        from_logs([f"Program {PROGRAM_ID} failed: custom program error: 0x177A"]), ProgramError
    )
