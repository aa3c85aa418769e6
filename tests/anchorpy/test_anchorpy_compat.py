"""anchorpy 0.21 reads our legacy IDL: same discriminators, same errors, same address.

anchorpy cannot live in the main environment (``/work/shared/design/dependencies.md``), so
``anchorpy_check.py`` runs in ``.venv-anchorpy`` (made by ``scripts/setup``) as a
subprocess: this side computes the expectations with solinbox, the check script loads the
IDL into ``anchorpy.Program`` and its coders and reports what it observed, as JSON.

Besides the shipped IDL, a synthetic Anchor 0.30 IDL with accounts, args, types, an account
and an event goes through :func:`solinbox.program.idl.to_legacy` and anchorpy decodes
hand-encoded Borsh bytes with it: the converter is exercised on everything the program's
interface will grow into, before the real instructions have arguments.
"""

from __future__ import annotations

import functools
import json
import os
import struct
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from solinbox.program import PROGRAM_ID
from solinbox.program.discriminators import (
    account_discriminator,
    event_discriminator,
    instruction_discriminator,
)
from solinbox.program.errors import CUSTOM_ERROR_MAP, from_logs
from solinbox.program.idl import LEGACY_IDL_FILE, dumps_idl, load_idl, to_legacy

ROOT = Path(__file__).resolve().parents[2]
CHECK_SCRIPT = Path(__file__).with_name("anchorpy_check.py")
ANCHORPY_PYTHON = Path(
    os.environ.get("SOLINBOX_ANCHORPY_PYTHON", ROOT / ".venv-anchorpy" / "bin" / "python")
)
SYSTEM_PROGRAM = "11111111111111111111111111111111"
PUBKEY = bytes(range(32))
PUBKEY_B58 = "1thX6LZfHDZZKUs92febYZhYRcXddmzfzF2NvTkPNE"


def _u32(n: int) -> bytes:
    return struct.pack("<I", n)


def _u64(n: int) -> bytes:
    return struct.pack("<Q", n)


SYNTHETIC_IDL: dict[str, Any] = {
    "address": SYSTEM_PROGRAM,
    "metadata": {"name": "synthetic", "version": "0.0.1", "spec": "0.1.0"},
    "instructions": [
        {
            "name": "post_note",
            "docs": ["Post a note."],
            "discriminator": list(instruction_discriminator("post_note")),
            "accounts": [
                {"name": "author", "writable": True, "signer": True},
                {"name": "note_book", "writable": True},
                {"name": "referrer", "optional": True},
                {
                    "name": "programs",
                    "accounts": [{"name": "system_program", "address": SYSTEM_PROGRAM}],
                },
            ],
            "args": [
                {"name": "recipient", "type": "pubkey"},
                {"name": "tip_lamports", "type": {"option": "u64"}},
                {"name": "body", "type": "bytes"},
                {"name": "title", "type": "string"},
                {"name": "tag", "type": {"array": ["u8", 4]}},
                {"name": "flags", "type": {"vec": "u16"}},
                {"name": "kind", "type": {"defined": {"name": "Kind"}}},
                {"name": "meta", "type": {"defined": {"name": "Meta"}}},
            ],
        }
    ],
    "accounts": [{"name": "NoteBook", "discriminator": list(account_discriminator("NoteBook"))}],
    "events": [{"name": "NotePosted", "discriminator": list(event_discriminator("NotePosted"))}],
    "errors": [{"code": 6000, "name": "Oops", "msg": "Oops."}],
    "types": [
        {
            "name": "Kind",
            "type": {
                "kind": "enum",
                "variants": [
                    {"name": "Plain"},
                    {"name": "Reply", "fields": [{"name": "to_seq", "type": "u64"}]},
                    {"name": "Other", "fields": ["u16"]},
                ],
            },
        },
        {
            "name": "Meta",
            "type": {
                "kind": "struct",
                "fields": [
                    {"name": "created_at", "type": "i64"},
                    {"name": "pinned", "type": "bool"},
                ],
            },
        },
        {
            "name": "NoteBook",
            "serialization": "bytemuck",
            "repr": {"kind": "c"},
            "type": {
                "kind": "struct",
                "fields": [
                    {"name": "owner", "type": "pubkey"},
                    {"name": "note_count", "type": "u32"},
                    {"name": "last_kind", "type": {"defined": {"name": "Kind"}}},
                ],
            },
        },
        {
            "name": "NotePosted",
            "type": {
                "kind": "struct",
                "fields": [{"name": "note_book", "type": "pubkey"}, {"name": "seq", "type": "u64"}],
            },
        },
    ],
}

# Borsh, by hand: what a Rust program with SYNTHETIC_IDL's layouts would write.
SYNTHETIC_INSTRUCTION = (
    instruction_discriminator("post_note")
    + PUBKEY  # recipient
    + b"\x01" + _u64(5)  # tip_lamports: Some(5)
    + _u32(3) + b"abc"  # body
    + _u32(3) + "hé".encode()  # title
    + b"TAGS"  # tag
    + _u32(2) + struct.pack("<HH", 1, 2)  # flags
    + b"\x01" + _u64(9)  # kind: Reply { to_seq: 9 }
    + struct.pack("<q", -7) + b"\x01"  # meta
)  # fmt: skip
SYNTHETIC_ACCOUNT = (
    account_discriminator("NoteBook") + PUBKEY + _u32(4) + b"\x02" + struct.pack("<H", 77)
)
SYNTHETIC_EVENT = event_discriminator("NotePosted") + PUBKEY + _u64(3)


def _expectations(synthetic_idl_path: Path) -> dict[str, Any]:
    idl = load_idl()
    return {
        "address": str(PROGRAM_ID),
        "name": idl["metadata"]["name"],
        "version": idl["metadata"]["version"],
        "instructions": {
            ix["name"]: list(instruction_discriminator(ix["name"])) for ix in idl["instructions"]
        },
        "errors": [
            {"code": c.code, "name": c.name, "msg": c.msg} for c in CUSTOM_ERROR_MAP.values()
        ],
        "synthetic": {
            "idl": str(synthetic_idl_path),
            "instructions": {"post_note": list(instruction_discriminator("post_note"))},
            "accounts": {"NoteBook": list(account_discriminator("NoteBook"))},
            "events": {"NotePosted": list(event_discriminator("NotePosted"))},
            "instruction_data": SYNTHETIC_INSTRUCTION.hex(),
            "account_data": SYNTHETIC_ACCOUNT.hex(),
            "event_data": SYNTHETIC_EVENT.hex(),
        },
    }


@functools.cache
def _run_check() -> dict[str, Any]:
    """Run anchorpy_check.py once per session; fail (never skip) without the environment."""
    if not ANCHORPY_PYTHON.exists():
        pytest.fail(
            f"the anchorpy environment is missing ({ANCHORPY_PYTHON}): run scripts/setup, "
            "which creates .venv-anchorpy with anchorpy==0.21.0 solana==0.36.6 solders==0.26.0",
            pytrace=False,
        )
    with tempfile.TemporaryDirectory(prefix="solinbox-anchorpy-") as tmp:
        synthetic = Path(tmp) / "synthetic.legacy.json"
        synthetic.write_text(dumps_idl(to_legacy(SYNTHETIC_IDL)), encoding="utf-8")
        expect = Path(tmp) / "expect.json"
        expect.write_text(json.dumps(_expectations(synthetic)), encoding="utf-8")
        with resources.as_file(
            resources.files("solinbox.program") / "data" / LEGACY_IDL_FILE
        ) as legacy:
            command = [
                str(ANCHORPY_PYTHON),
                str(CHECK_SCRIPT),
                str(legacy),
                "--expect",
                str(expect),
            ]
            proc = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{proc.stderr}", pytrace=False)
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def test_environment_is_the_pinned_one() -> None:
    versions = _run_check()["versions"]
    assert (versions["anchorpy"], versions["solana"], versions["solders"]) == (
        "0.21.0",
        "0.36.6",
        "0.26.0",
    )


def test_anchorpy_agrees_with_expectations() -> None:
    assert _run_check()["problems"] == []


def test_program_identity() -> None:
    program = _run_check()["program"]
    assert program["address"] == str(PROGRAM_ID)
    assert program["name"] == "inbox"


def test_instructions_encode_to_our_discriminators() -> None:
    instructions = _run_check()["program"]["instructions"]
    idl = load_idl()
    assert list(instructions) == [ix["name"] for ix in idl["instructions"]]
    for ix in idl["instructions"]:
        seen = instructions[ix["name"]]
        assert (
            seen["data"][:8] == ix["discriminator"] == list(instruction_discriminator(ix["name"]))
        )
        assert seen["program_id"] == str(PROGRAM_ID)
        assert seen["decoded_name"] == ix["name"]


def test_errors_map_to_our_names_and_messages() -> None:
    program = _run_check()["program"]
    assert program["errors"] == [
        {"code": c.code, "name": c.name, "msg": c.msg} for c in CUSTOM_ERROR_MAP.values()
    ]
    for code, cls in CUSTOM_ERROR_MAP.items():
        assert program["parsed_errors"][str(code)] == {"code": code, "msg": cls.msg}
        assert program["foreign_errors"][str(code)] is None


def test_our_log_parser_agrees_with_anchorpys() -> None:
    # The same logs anchorpy_check.py gives anchorpy: ours for our program, none for another.
    for code, cls in CUSTOM_ERROR_MAP.items():
        ours = [f"Program {PROGRAM_ID} failed: custom program error: {code:#x}"]
        theirs = [f"Program {SYSTEM_PROGRAM} failed: custom program error: {code:#x}"]
        assert type(from_logs(ours)) is cls
        assert from_logs(theirs) is None


def test_synthetic_idl_discriminators_and_accounts() -> None:
    synthetic = _run_check()["synthetic"]
    assert synthetic["instructions"] == {"post_note": list(instruction_discriminator("post_note"))}
    assert synthetic["accounts"] == {"NoteBook": list(account_discriminator("NoteBook"))}
    assert synthetic["events"] == {"NotePosted": list(event_discriminator("NotePosted"))}
    assert synthetic["instruction_accounts"] == {
        "postNote": [
            {"name": "author", "is_mut": True, "is_signer": True, "is_optional": False},
            {"name": "noteBook", "is_mut": True, "is_signer": False, "is_optional": False},
            {"name": "referrer", "is_mut": False, "is_signer": False, "is_optional": True},
            {
                "name": "programs",
                "accounts": [
                    {
                        "name": "systemProgram",
                        "is_mut": False,
                        "is_signer": False,
                        "is_optional": False,
                    }
                ],
            },
        ]
    }


def test_synthetic_idl_decodes_borsh() -> None:
    synthetic = _run_check()["synthetic"]
    assert synthetic["instruction"] == {
        "name": "post_note",
        "data": {
            "recipient": PUBKEY_B58,
            "tip_lamports": 5,
            "body": b"abc".hex(),
            "title": "hé",
            "tag": list(b"TAGS"),
            "flags": [1, 2],
            "kind": {"Reply": {"to_seq": 9}},
            "meta": {"created_at": -7, "pinned": True},
        },
    }
    assert synthetic["account"] == {
        "name": "NoteBook",
        "data": {"owner": PUBKEY_B58, "note_count": 4, "last_kind": {"Other": [77]}},
    }
    assert synthetic["event"] == {"name": "NotePosted", "data": {"note_book": PUBKEY_B58, "seq": 3}}
