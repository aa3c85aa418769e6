"""Blocks, commitment, the in-process transaction hook, save/load."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solders.instruction import Instruction
from solders.keypair import Keypair

from solinbox import loader
from solinbox.errors import SolinboxError
from solinbox.localnet.bank import Bank, LocalnetStateError, Rejected, TransactionRecord
from solinbox.localnet.genesis import load_account_dir
from solinbox.localnet.server import Localnet
from solinbox.localnet.svm import deploy_upgradeable

from ._helpers import pay, signed


def test_commitment_and_hook() -> None:
    bank = Bank.create(finality_depth=2)
    seen: list[TransactionRecord] = []
    unsubscribe = bank.subscribe_transactions(seen.append)
    payer = Keypair()
    first = bank.airdrop(payer.pubkey(), 10**9)
    assert isinstance(first, TransactionRecord)
    assert bank.status_of_slot(first.slot) == "processed" and seen == []
    assert bank.transaction(first.signature, "confirmed") is None
    bank.produce_block()
    assert [s.signature for s in seen] == [first.signature]
    assert bank.status_of_slot(first.slot) == "confirmed"
    bank.produce_block()
    bank.produce_block()
    assert bank.status_of_slot(first.slot) == "finalized"
    assert bank.transaction(first.signature, "finalized") is first
    unsubscribe()
    bank.airdrop(payer.pubkey(), 1)
    bank.produce_block()
    assert len(seen) == 1
    dup = bank.process(first.transaction)
    assert isinstance(dup, Rejected) and dup.err == "AlreadyProcessed"


async def test_stream_transactions() -> None:
    bank = Bank.create(finality_depth=0)
    payer = Keypair()
    stream = bank.stream_transactions()
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0)
    record = bank.airdrop(payer.pubkey(), 10**9)
    bank.produce_block()
    got = await asyncio.wait_for(pending, 1)
    assert isinstance(record, TransactionRecord) and got.signature == record.signature
    assert got.meta.logs() and got.transaction.signatures[0] == record.signature
    await stream.aclose()


async def test_state_survives_stop_start(tmp_path: Path, probe_so: Path) -> None:
    bank = Bank.create(finality_depth=0)
    payer, program = Keypair(), Keypair()
    bank.airdrop(payer.pubkey(), 10 * 10**9)
    bank.produce_block()
    deploy_upgradeable(bank.svm, payer, program, probe_so.read_bytes())
    bank.produce_block()
    async with (
        Localnet(bank, rpc_port=0, ws_port=0, slot_interval=None, state_dir=tmp_path) as net,
        AsyncClient(net.rpc_url, commitment=Confirmed) as client,
    ):
        tx = signed(bank, payer, [Instruction(program.pubkey(), b"\x01\x02", [])])
        sig = (await client.send_transaction(tx)).value
        net.produce_block()
    assert Bank.has_state(tmp_path)
    resumed = Bank.load(tmp_path)
    assert resumed.slot == bank.slot and resumed.genesis_hash == bank.genesis_hash
    assert resumed.get_account(payer.pubkey()) == bank.get_account(payer.pubkey())
    old = resumed.transaction(sig, "confirmed")
    assert old is not None and "Program log: compressed inbox" in old.meta.logs()
    assert (
        resumed.signatures_for_address(payer.pubkey(), commitment="confirmed")[0].signature == sig
    )
    assert resumed.faucet.pubkey() == bank.faucet.pubkey()
    # the deployed program still runs, and old blockhashes are still known
    again = resumed.process(
        signed(resumed, payer, [Instruction(program.pubkey(), b"\x01\x02", [])])
    )
    assert isinstance(again, TransactionRecord) and again.err is None
    assert again.meta.return_data().data == b"compressed inbox"
    with pytest.raises(LocalnetStateError):
        Bank.load(tmp_path / "missing")


def test_blockhash_queue() -> None:
    bank = Bank.create()
    payer = Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    blockhash, last_valid = bank.latest_blockhash("processed")
    tx = signed(blockhash, payer, [pay(payer, Keypair().pubkey(), 10**6)])
    for _ in range(last_valid - bank.confirmed_slot):
        bank.produce_block()
    assert (
        bank.confirmed_slot == last_valid
        and bank.is_blockhash_valid(blockhash, "processed") is False
    )
    expired = bank.process(tx)
    assert isinstance(expired, Rejected) and expired.err == "BlockhashNotFound"


def test_programs_given_on_load_replace_saved_copies(tmp_path: Path, probe_so: Path) -> None:
    program = Keypair().pubkey()
    bank = Bank.create(programs={program: probe_so}, finality_depth=0)
    payer = Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    bank.produce_block()
    bank.save(tmp_path)
    # spoil the saved copy of the program: loading with the .so again must not use it
    lines = (tmp_path / "accounts.jsonl").read_text().splitlines()
    data_address = str(loader.program_data_address(program))
    spoiled = [
        json.dumps({**doc, "data": base64.b64encode(b"\0" * 64).decode()})
        if doc["pubkey"] == data_address
        else line
        for line in lines
        for doc in [json.loads(line)]
    ]
    assert spoiled != lines
    (tmp_path / "accounts.jsonl").write_text("\n".join(spoiled) + "\n")
    resumed = Bank.load(tmp_path, programs={program: probe_so})
    result = resumed.process(signed(resumed, payer, [Instruction(program, b"\x01\x02", [])]))
    assert isinstance(result, TransactionRecord) and result.err is None
    with pytest.raises(LocalnetStateError, match=str(program)):
        Bank.load(tmp_path)


def test_account_dir(tmp_path: Path) -> None:
    key = Keypair().pubkey()
    (tmp_path / "acct.json").write_text(
        json.dumps(
            {
                "pubkey": str(key),
                "account": {
                    "lamports": 5_000_000,
                    "data": [base64.b64encode(b"hello").decode(), "base64"],
                    "owner": str(program_owner := Keypair().pubkey()),
                    "executable": False,
                    "rentEpoch": 0,
                    "space": 5,
                },
            }
        )
    )
    accounts = load_account_dir(tmp_path)
    bank = Bank.create(accounts=accounts)
    account = bank.get_account(key)
    assert (
        account is not None and bytes(account.data) == b"hello" and account.owner == program_owner
    )
    assert [k for k, _ in bank.program_accounts(program_owner)] == [key]
    (tmp_path / "bad.json").write_text('{"pubkey": "x"}')
    with pytest.raises(SolinboxError, match="bad.json"):
        load_account_dir(tmp_path)


def test_slot_hashes_stay_sorted_so_every_recent_slot_is_found() -> None:
    """The lookup-table program binary-searches SlotHashes: every produced slot must be found
    (LiteSVM's own default entry, a huge slot, once broke the search from slot 8 on)."""
    from solders.message import MessageV0
    from solders.transaction import VersionedTransaction

    from solinbox.lookup_table import create_lookup_table

    bank = Bank.create(finality_depth=1)
    payer = Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    for _ in range(20):
        bank.produce_block()
        slot = bank.confirmed_slot
        hashes = [s for s, _ in bank.svm.get_slot_hashes()]
        assert hashes == sorted(hashes, reverse=True) and hashes[0] == slot
        ix, _ = create_lookup_table(payer.pubkey(), payer.pubkey(), slot)
        message = MessageV0.try_compile(
            payer.pubkey(), [ix], [], bank.latest_blockhash("processed")[0]
        )
        result = bank.process(VersionedTransaction(message, [payer]))
        assert getattr(result, "err", "rejected") is None, (slot, result)
