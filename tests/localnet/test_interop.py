"""solana-py's AsyncClient, unmodified, drives the whole cycle over real HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solana.rpc.models import DataSliceOpts, MemcmpOpts
from solana.rpc.websocket_api import SolanaWsClient
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.rpc.responses import SignatureNotification
from solders.transaction_status import TransactionConfirmationStatus

from solinbox import loader
from solinbox.deploy import deploy_program
from solinbox.localnet._codec import b58encode
from solinbox.localnet.server import Localnet

from ._helpers import funded, pay, send_and_confirm, signed


async def test_full_cycle(net: Localnet, client: AsyncClient, probe_so: Path) -> None:
    alice = await funded(client, 50 * 10**9)
    assert (await client.get_balance(alice.pubkey())).value == 50 * 10**9

    bob = Keypair()
    blockhash = (await client.get_latest_blockhash()).value.blockhash
    sig = await send_and_confirm(
        client, signed(blockhash, alice, [pay(alice, bob.pubkey(), 1_000_000)])
    )
    assert (await client.get_balance(bob.pubkey())).value == 1_000_000
    fetched = (await client.get_transaction(sig, max_supported_transaction_version=0)).value
    assert fetched is not None
    meta = fetched.transaction.meta
    assert meta is not None and meta.err is None and meta.fee == 5000
    assert meta.pre_balances[1] == 0 and meta.post_balances[1] == 1_000_000

    # deploy the probe through the upgradeable loader over RPC, then invoke it
    program = Keypair()
    progress: list[int] = []
    result = await deploy_program(
        client,
        alice,
        probe_so.read_bytes(),
        program=program,
        on_progress=lambda done, _t: progress.append(done),
    )
    assert result.program_id == program.pubkey() and not result.upgraded
    assert progress[-1] == len(probe_so.read_bytes())
    blockhash = (await client.get_latest_blockhash()).value.blockhash
    sig = await send_and_confirm(
        client, signed(blockhash, alice, [Instruction(program.pubkey(), b"\x01\x02", [])])
    )
    fetched = (
        await client.get_transaction(sig, "base64", max_supported_transaction_version=0)
    ).value
    assert fetched is not None and fetched.transaction.meta is not None
    meta = fetched.transaction.meta
    assert "Program log: compressed inbox" in (meta.log_messages or [])
    assert meta.return_data is not None and bytes(meta.return_data.data) == b"compressed inbox"
    assert meta.compute_units_consumed and meta.compute_units_consumed > 0

    # the program shows up in getProgramAccounts of the loader, with filters
    accounts = (
        await client.get_program_accounts(
            loader.LOADER_V3,
            encoding="base64",
            filters=[
                loader.PROGRAM_ACCOUNT_SIZE,
                MemcmpOpts(offset=0, bytes=b58encode(b"\x02\0\0\0")),
            ],  # tag 2 = Program
        )
    ).value
    assert program.pubkey() in {a.pubkey for a in accounts}
    assert all(len(a.account.data) == loader.PROGRAM_ACCOUNT_SIZE for a in accounts)
    sliced = (
        await client.get_program_accounts(
            loader.LOADER_V3, encoding="base64", data_slice=DataSliceOpts(offset=4, length=32),
            filters=[MemcmpOpts(offset=4, bytes=str(loader.program_data_address(program.pubkey())))],
        )
    ).value  # fmt: skip
    assert [a.pubkey for a in sliced] == [program.pubkey()]
    assert bytes(sliced[0].account.data) == bytes(loader.program_data_address(program.pubkey()))

    sigs = (await client.get_signatures_for_address(alice.pubkey(), limit=3)).value
    assert len(sigs) == 3 and sigs[0].signature == sig

    # upgrade in place
    upgraded = await deploy_program(
        client, alice, probe_so.read_bytes(), program_id=program.pubkey()
    )
    assert upgraded.upgraded


async def test_signature_subscribe(net: Localnet, client: AsyncClient) -> None:
    alice = await funded(client)
    blockhash = (await client.get_latest_blockhash()).value.blockhash
    tx = signed(blockhash, alice, [pay(alice, Keypair().pubkey(), 1_000_000)])
    async with SolanaWsClient(net.ws_url) as ws:
        sub = await ws.signature_subscribe(signature=tx.signatures[0], commitment=Confirmed)
        await client.send_raw_transaction(bytes(tx))
        note = await asyncio.wait_for(ws.recv(), 5)
    assert isinstance(note, SignatureNotification)
    assert note.subscription == sub.subscription_id and note.result.value.err is None
    status = (await client.get_signature_statuses([tx.signatures[0]])).value[0]
    assert status is not None and status.confirmation_status in (
        TransactionConfirmationStatus.Confirmed, TransactionConfirmationStatus.Finalized,
    )  # fmt: skip
    assert base64.b64encode(bytes(tx))  # the raw bytes round-tripped
