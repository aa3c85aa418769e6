"""anchorpy 0.21 reads our legacy IDL: discriminators, errors, address, and real program data.

anchorpy cannot live in the main environment (README, "Dependencies, and why anchorpy is not
one"), so
``anchorpy_check.py`` runs in ``.venv-anchorpy`` (made by ``scripts/setup``) as a
subprocess: this side computes the expectations with solinbox, the check script loads the
IDL into ``anchorpy.Program`` and its coders and reports what it observed, as JSON.

Besides the shipped IDL, a synthetic Anchor 0.30 IDL with accounts, args, types, an account
and an event goes through :func:`solinbox.program.idl.to_legacy` and anchorpy decodes
hand-encoded Borsh bytes with it: the converter is exercised on constructs (enums, vecs,
nested accounts) the program's interface does not use yet.

The real interface is checked on real data: a scripted conversation runs the program in
LiteSVM (with the real Light programs) through every instruction; anchorpy encodes each call
from the IDL and must produce our builders' bytes and accounts, decodes the Inbox (Standard
and Ephemeral), ThreadPage and BlockMarker account bytes to the values our decoders read, and
parses the transactions' logs into the same events as :func:`solinbox.program.events.parse_events`.
"""

from __future__ import annotations

import functools
import json
import os
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.program import PROGRAM_ID
from solinbox.program import instructions as ixs
from solinbox.program.accounts import BlockMarker, Inbox, ThreadPage, ThreadSlot
from solinbox.program.constants import InboxKind, MessageType
from solinbox.program.discriminators import (
    account_discriminator,
    event_discriminator,
    instruction_discriminator,
)
from solinbox.program.errors import CUSTOM_ERROR_MAP, from_logs
from solinbox.program.idl import (
    LEGACY_IDL_FILE,
    dumps_idl,
    instruction_discriminators,
    load_idl,
    to_legacy,
)
from solinbox.program.pda import TOKEN_PROGRAM_ID, block_marker, inbox_address, thread_page_for
from solinbox.testing import LocalChain, Sent

CHECK_SCRIPT = Path(__file__).with_name("anchorpy_check.py")
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


# --------------------------------------------------------------------------- real program data
#
# A scripted conversation on the real program (LiteSVM with the real Light programs) that
# calls every instruction once or more. Each call is recorded with the values of its IDL
# arguments, its accounts by IDL name, the bytes solinbox's builder produced and the
# transaction's logs; snapshots of the accounts are taken along the way.


@dataclass
class Scenario:
    """What the conversation produced, in the JSON shapes ``anchorpy_check.check_real`` takes."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    accounts: dict[str, bytes] = field(default_factory=dict)
    keys: dict[str, Pubkey] = field(default_factory=dict)

    def record(
        self, chain: LocalChain, args: dict[str, Any], ix: Instruction, *signers: Keypair
    ) -> Sent:
        name = next(n for n, d in instruction_discriminators().items() if d == bytes(ix.data[:8]))
        items = next(i for i in load_idl()["instructions"] if i["name"] == name)["accounts"]
        metas = list(ix.accounts)
        self.calls.append(
            {
                "name": name,
                "args": args,
                "accounts": {a["name"]: str(m.pubkey) for a, m in zip(items, metas, strict=False)},
                "remaining": [
                    [str(m.pubkey), m.is_signer, m.is_writable] for m in metas[len(items) :]
                ],
                "data": bytes(ix.data).hex(),
                "metas": [[str(m.pubkey), m.is_signer, m.is_writable] for m in metas],
            }
        )
        sent = chain.send(ix, list(signers))
        self.sent.append(sent)
        return sent

    def snapshot(self, chain: LocalChain, label: str, key: Pubkey) -> None:
        data = chain.data(key)
        assert data is not None, label
        self.accounts[label] = data
        self.keys[label] = key


def _msg(content: bytes, message_type: int = 0, other: int = 0, flags: int = 0) -> dict[str, Any]:
    return {"message_type": message_type, "other_type": other, "flags": flags,
            "content": content.hex()}  # fmt: skip


@functools.cache
def _scenario_on(so: Path) -> Scenario:
    chain = LocalChain(so)
    alice, bob, carol, dave = (chain.wallet(seed=bytes([n]) * 32) for n in (1, 2, 3, 4))
    a, b = alice.pubkey(), bob.pubkey()
    s = Scenario()
    mint = chain.create_mint(6)
    inbox = inbox_address(a, 3)[0]
    rule = ixs.PaymentRuleInput(amount=250_000, mint=mint, escrow=True, refund_after_secs=3600)
    rule_args = {"mint": str(mint), "amount": 250_000, "escrow": True, "refund_after_secs": 3600}
    s.record(chain, {"id": 3, "kind": 0, "expires_at": 0, "payment_rule": rule_args,
                     "name": "Alice ☕", "uri": "https://alice.example/inbox.json"},
             ixs.create_inbox(a, 3, payment_rule=rule, name="Alice ☕",
                             uri="https://alice.example/inbox.json"), alice)  # fmt: skip
    s.record(chain, {"name": "Alice's desk", "uri": "ipfs://meta"},
             ixs.set_inbox_metadata(a, inbox, "Alice's desk", "ipfs://meta"), alice)  # fmt: skip
    bob_token = chain.create_token_account(b, mint, 1_000_000)
    vault = chain.create_token_account(inbox, mint, 0)
    alice_token = chain.create_token_account(a, mint, 0)
    content = "gm ☀".encode()
    s.record(chain, {"expected_thread_id": 1, "payment_amount": 300_000, **_msg(content)},
             ixs.create_thread(b, inbox, a, 1, ixs.MessageInput(content), payment_amount=300_000,
                              token=ixs.TokenAccounts(mint, bob_token, vault, TOKEN_PROGRAM_ID)),
             bob)  # fmt: skip
    sealed = b"\x00\x01 sealed"
    s.record(chain, {"thread_id": 1, "reply_to": 1, "payment_amount": 0, **_msg(sealed, 5, 77, 1)},
             ixs.send_message(a, inbox, 1, ixs.MessageInput(sealed, MessageType.OTHER, 77, True),
                             reply_to=1), alice)  # fmt: skip
    s.record(chain, {"thread_id": 1, "seq": 2, "reaction": 7, "added": True},
             ixs.react(b, inbox, 1, 2, 7), bob)  # fmt: skip
    s.record(chain, {"thread_id": 1, "seq": 2}, ixs.mark_read(b, inbox, 1, 2), bob)
    s.record(chain, {"thread_id": 1, "archived": True}, ixs.set_archived(a, inbox, 1, True), alice)
    s.record(chain, {"thread_id": 1}, ixs.approve_escrow(b, inbox, 1), bob)
    s.record(chain, {"thread_id": 1},
             ixs.claim_escrow(a, inbox, 1, token=ixs.TokenAccounts(mint, vault, alice_token,
                                                                 TOKEN_PROGRAM_ID)), alice)  # fmt: skip
    s.record(
        chain, {"sender": str(carol.pubkey())}, ixs.block_sender(a, inbox, carol.pubkey()), alice
    )
    s.record(
        chain, {"sender": str(dave.pubkey())}, ixs.block_sender(a, inbox, dave.pubkey()), alice
    )
    s.record(
        chain, {"sender": str(dave.pubkey())}, ixs.unblock_sender(a, inbox, dave.pubkey()), alice
    )
    s.snapshot(chain, "inbox", inbox)
    sol_rule = ixs.PaymentRuleInput(amount=1_000, escrow=True, refund_after_secs=60)
    s.record(chain, {"payment_rule": {"mint": str(Pubkey.default()), "amount": 1_000, "escrow": True,
                                      "refund_after_secs": 60}},
             ixs.set_payment_rule(a, inbox, sol_rule), alice)  # fmt: skip
    s.record(chain, {"expected_thread_id": 2, "payment_amount": 1_000, **_msg(b"paid")},
             ixs.create_thread(dave.pubkey(), inbox, a, 2, ixs.MessageInput(b"paid"),
                              payment_amount=1_000), dave)  # fmt: skip
    chain.advance(61)
    s.record(chain, {"thread_id": 2}, ixs.refund_escrow(dave.pubkey(), inbox, 2), dave)
    s.snapshot(chain, "page", thread_page_for(inbox, 1))
    s.snapshot(chain, "block_marker", block_marker(inbox, carol.pubkey())[0])
    ephemeral = inbox_address(a, 4)[0]
    until = chain.now() + 3600
    s.record(chain, {"id": 4, "kind": 1, "expires_at": until, "payment_rule": None, "name": "",
                     "uri": ""},
             ixs.create_inbox(a, 4, kind=InboxKind.EPHEMERAL, expires_at=until), alice)  # fmt: skip
    s.record(chain, {"expected_thread_id": 1, "payment_amount": 0, **_msg(b"hi")},
             ixs.create_thread(b, ephemeral, a, 1, ixs.MessageInput(b"hi")), bob)  # fmt: skip
    s.snapshot(chain, "ephemeral", ephemeral)
    s.record(chain, {}, ixs.close_inbox(a, ephemeral, [(thread_page_for(ephemeral, 1), b)]), alice)
    return s


def _real_expectations(legacy_idl: Path, s: Scenario) -> dict[str, Any]:
    return {
        "idl": str(legacy_idl),
        "instructions": [{k: v for k, v in c.items() if k != "metas"} for c in s.calls],
        "accounts": {label: data.hex() for label, data in s.accounts.items()},
        "metadata": {"inbox": s.accounts["inbox"][132:].hex()},
        "logs": [sent.logs for sent in s.sent],
    }


def _expectations(synthetic_idl_path: Path, legacy_idl: Path, s: Scenario) -> dict[str, Any]:
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
        "real": _real_expectations(legacy_idl, s),
    }


@pytest.fixture(scope="module")
def scenario(inbox_so: Path) -> Scenario:
    """The scripted conversation on the program under test."""
    return _scenario_on(inbox_so)


@pytest.fixture(scope="module")
def report(repo_root: Path, scenario: Scenario) -> dict[str, Any]:
    """Run anchorpy_check.py once per module; fail (never skip) without the environment."""
    default = repo_root / ".venv-anchorpy" / "bin" / "python"
    ANCHORPY_PYTHON = Path(os.environ.get("SOLINBOX_ANCHORPY_PYTHON", default))
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
        with resources.as_file(
            resources.files("solinbox.program") / "data" / LEGACY_IDL_FILE
        ) as legacy:
            expect.write_text(
                json.dumps(_expectations(synthetic, legacy, scenario)), encoding="utf-8"
            )
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


def test_environment_is_the_pinned_one(report: dict[str, Any]) -> None:
    versions = report["versions"]
    assert (versions["anchorpy"], versions["solana"], versions["solders"]) == (
        "0.21.0",
        "0.36.6",
        "0.26.0",
    )


def test_anchorpy_agrees_with_expectations(report: dict[str, Any]) -> None:
    assert report["problems"] == []


def test_program_identity(report: dict[str, Any]) -> None:
    program = report["program"]
    assert program["address"] == str(PROGRAM_ID)
    assert program["name"] == "inbox"


def test_instructions_encode_to_our_discriminators(report: dict[str, Any]) -> None:
    instructions = report["program"]["instructions"]
    idl = load_idl()
    assert list(instructions) == [ix["name"] for ix in idl["instructions"]]
    for ix in idl["instructions"]:
        seen = instructions[ix["name"]]
        assert (
            seen["data"][:8] == ix["discriminator"] == list(instruction_discriminator(ix["name"]))
        )
        assert seen["program_id"] == str(PROGRAM_ID)
        assert seen["decoded_name"] == ix["name"]


def test_errors_map_to_our_names_and_messages(report: dict[str, Any]) -> None:
    program = report["program"]
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


def test_synthetic_idl_discriminators_and_accounts(report: dict[str, Any]) -> None:
    synthetic = report["synthetic"]
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


def test_synthetic_idl_decodes_borsh(report: dict[str, Any]) -> None:
    synthetic = report["synthetic"]
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


# --------------------------------------------------------------------------- real program data


def test_real_instructions_encode_like_our_builders(
    report: dict[str, Any], scenario: Scenario
) -> None:
    calls = scenario.calls
    observed = report["real"]["instructions"]
    assert {c["name"] for c in calls} == set(instruction_discriminators())  # all 14
    assert len(observed) == len(calls)
    for call, seen in zip(calls, observed, strict=True):
        assert seen["name"] == call["name"]
        assert seen["data"] == call["data"], call["name"]
        assert seen["decoded"] == call["args"], call["name"]
        keys = [m[0] for m in seen["accounts"]]
        assert keys == [m[0] for m in call["metas"]], call["name"]
        for ours, theirs in zip(call["metas"], seen["accounts"], strict=True):
            if ours[0] != str(PROGRAM_ID):  # absent optional accounts are ours read-only
                assert theirs == ours, (call["name"], ours)


def _slot_json(slot: ThreadSlot | None) -> dict[str, Any]:
    if slot is None:
        return {"sender": str(Pubkey.default()), "created_at": 0, "updated_at": 0,
                "message_count": 0, "read_from": 0, "read_to": 0, "flags": 0, "escrow_state": 0,
                "escrow_token_program": 0, "escrow_decimals": 0, "escrow_amount": 0,
                "refund_at": 0, "escrow_mint": str(Pubkey.default())}  # fmt: skip
    flags = 1 | 2 * slot.archived_by_sender | 4 * slot.archived_by_owner | 8 * slot.owner_replied
    return {"sender": str(slot.sender), "created_at": slot.created_at,
            "updated_at": slot.updated_at, "message_count": slot.message_count,
            "read_from": slot.read_by_sender, "read_to": slot.read_by_owner, "flags": flags,
            "escrow_state": int(slot.escrow_state),
            "escrow_token_program": int(slot.escrow_token_program),
            "escrow_decimals": slot.escrow_decimals, "escrow_amount": slot.escrow_amount,
            "refund_at": slot.refund_at, "escrow_mint": str(slot.escrow_mint)}  # fmt: skip


def _inbox_json(inbox: Inbox, flags: int) -> dict[str, Any]:
    rule = inbox.payment_rule
    return {"version": inbox.version, "kind": int(inbox.kind), "bump": inbox.bump,
            "flags": flags, "owner": str(inbox.owner), "id": inbox.id,
            "thread_count": inbox.thread_count, "created_at": inbox.created_at,
            "expires_at": inbox.expires_at, "open_escrows": inbox.open_escrows,
            "rule": {"mint": str(Pubkey.default()), "amount": 0, "escrow": 0, "token_program": 0,
                     "decimals": 0, "padding": [0], "refund_after_secs": 0} if rule is None else
                    {"mint": str(rule.mint), "amount": rule.amount, "escrow": int(rule.escrow),
                     "token_program": int(rule.token_program), "decimals": rule.decimals,
                     "padding": [0], "refund_after_secs": rule.refund_after_secs}}  # fmt: skip


def test_real_inbox_accounts_decode(report: dict[str, Any], scenario: Scenario) -> None:
    real = report["real"]
    standard = Inbox.decode(scenario.accounts["inbox"])
    assert (standard.id, standard.thread_count, standard.name) == (3, 1, "Alice's desk")
    assert standard.payment_rule is not None and standard.payment_rule.decimals == 6
    assert real["accounts"]["inbox"] == {"name": "Inbox", "data": _inbox_json(standard, 1)}
    metadata = real["metadata"]["inbox"]
    name, uri = bytes(metadata["name"]), bytes(metadata["uri"])
    assert name[: metadata["name_len"]].decode() == standard.name == "Alice's desk"
    assert uri[: metadata["uri_len"]].decode() == standard.uri == "ipfs://meta"
    assert name[metadata["name_len"] :] == bytes(32 - metadata["name_len"])
    ephemeral = Inbox.decode(scenario.accounts["ephemeral"])
    assert len(scenario.accounts["ephemeral"]) == 132 and ephemeral.kind == InboxKind.EPHEMERAL
    assert real["accounts"]["ephemeral"] == {"name": "Inbox", "data": _inbox_json(ephemeral, 0)}


def test_real_thread_page_and_block_marker_decode(
    report: dict[str, Any], scenario: Scenario
) -> None:
    real = report["real"]
    page = ThreadPage.decode(scenario.accounts["page"])
    used = [s for s in page.slots if s is not None]
    assert [s.escrow_state.name for s in used] == ["CLAIMED", "REFUNDED"]
    assert used[0].escrow_amount == 300_000 and used[0].escrow_decimals == 6
    assert real["accounts"]["page"] == {
        "name": "ThreadPage",
        "data": {"version": page.version, "bump": page.bump, "padding": [0, 0],
                 "inbox": str(page.inbox), "page": page.page, "used": page.used,
                 "payer": str(page.payer), "slots": [_slot_json(s) for s in page.slots]},
    }  # fmt: skip
    marker = BlockMarker.decode(scenario.accounts["block_marker"])
    assert real["accounts"]["block_marker"] == {
        "name": "BlockMarker",
        "data": {"bump": marker.bump, "inbox": str(marker.inbox), "sender": str(marker.sender)},
    }


def test_real_events_decode(report: dict[str, Any], scenario: Scenario) -> None:
    observed = report["real"]["events"]
    expected = [
        [
            {"name": e.name,
             "data": {k: str(v) if isinstance(v, Pubkey) else v for k, v in e.fields.items()}}
            for e in sent.events()
        ]
        for sent in scenario.sent
    ]  # fmt: skip
    assert observed == expected
    names = {e["name"] for events in observed for e in events}
    assert len(names) == 12, sorted(names)  # every event type, from real transactions
