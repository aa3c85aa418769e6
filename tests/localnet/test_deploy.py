"""The deploy path: resume of a half-written buffer, typed errors."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed, Finalized
from solders.keypair import Keypair

from solinbox import loader
from solinbox.deploy import ProgramDeployError, deploy_program
from solinbox.errors import SolinboxError
from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet

from ._helpers import funded, signed


async def test_resume_half_written_buffer(
    net: Localnet, client: AsyncClient, probe_so: Path
) -> None:
    so = probe_so.read_bytes()
    payer, program, buffer = await funded(client, 20 * 10**9), Keypair(), Keypair()
    bank = net.bank
    # an interrupted deploy: the buffer exists and only its first chunks were written
    rent = bank.minimum_balance_for_rent_exemption(loader.BUFFER_METADATA_SIZE + len(so))
    bank.process(
        signed(
            bank,
            payer,
            loader.create_buffer(payer.pubkey(), buffer.pubkey(), payer.pubkey(), len(so), rent),
            buffer,
        )
    )
    chunks = list(loader.write_chunks(so))
    for offset, chunk in chunks[:5]:
        bank.process(
            signed(bank, payer, [loader.write(buffer.pubkey(), payer.pubkey(), offset, chunk)])
        )
    result = await deploy_program(
        client, payer, so, program=program, buffer=buffer, compute_unit_price=1000
    )
    record = net.bank.record(result.signature)
    assert record is not None and record.meta.fee() > 10_000  # two signatures + the priority fee
    assert result.chunks_skipped == 5 and result.chunks_written == len(chunks) - 5
    data = (await client.get_account_info(loader.program_data_address(program.pubkey()))).value
    assert data is not None and bytes(data.data)[loader.PROGRAMDATA_METADATA_SIZE :] == so


async def test_deploy_errors(net: Localnet, client: AsyncClient, probe_so: Path) -> None:
    payer = await funded(client)
    with pytest.raises(ProgramDeployError, match="keypair is needed"):
        await deploy_program(client, payer, probe_so.read_bytes(), program_id=Keypair().pubkey())
    with pytest.raises(ProgramDeployError, match="not an upgradeable program"):
        await deploy_program(client, payer, probe_so.read_bytes(), program=payer)
    with pytest.raises(SolinboxError, match="ELF|invalid|failed"):  # the loader's deploy checks run
        await deploy_program(
            client, payer, b"\x7fELF not really a program" * 50, program=Keypair(), retries=0
        )
    poor = Keypair()
    with pytest.raises(ProgramDeployError, match="creating the buffer failed"):
        await deploy_program(client, poor, probe_so.read_bytes(), program=Keypair(), retries=0)
    async with AsyncClient("http://127.0.0.1:9") as nowhere:
        with pytest.raises(ProgramDeployError, match="cannot reach"):
            await deploy_program(
                nowhere, payer, probe_so.read_bytes(), program=Keypair(), retries=0
            )


async def test_retries_through_expiring_blockhashes(probe_so: Path) -> None:
    # 4 ms blocks, finalized = 40 blocks deep: a finalized blockhash has 110 blocks (0.44 s) to
    # live, while the deployer caches one for 2 s, so transactions meet "Blockhash not found"
    # at preflight and must be re-signed with a fresh one
    bank = Bank.create(finality_depth=40)
    payer = Keypair()
    bank.airdrop(payer.pubkey(), 20 * 10**9)
    async with (
        Localnet(bank, rpc_port=0, ws_port=0, slot_interval=0.004) as fast,
        AsyncClient(fast.rpc_url) as client,
    ):
        deep = asyncio.Event()
        unhook = bank.on_block(lambda _b: deep.set() if bank.finalized_slot >= 2 else None)
        await asyncio.wait_for(deep.wait(), 10)
        unhook()
        result = await deploy_program(
            client, payer, probe_so.read_bytes(), program=Keypair(), commitment=Finalized,
            poll_interval=0.02, retries=30, concurrency=4,
        )  # fmt: skip
    assert fast.errors[-32002] > 0  # preflight "Blockhash not found" happened, and was survived
    chunks = len(list(loader.write_chunks(probe_so.read_bytes())))
    assert result.chunks_written == chunks
    # every write landed once, although more were signed
    writes = [
        r for r in bank.signatures_for_address(result.buffer, commitment="processed")
        if r.err is None
    ]  # fmt: skip
    assert len(writes) == chunks + 2  # + create and deploy


async def test_waits_for_a_cluster_that_comes_up_late(probe_so: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bank = Bank.create(finality_depth=0)
    payer = Keypair()
    bank.airdrop(payer.pubkey(), 20 * 10**9)
    late = Localnet(bank, rpc_port=port, ws_port=0, slot_interval=0.02)

    tried = asyncio.Event()

    def hang_up(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()  # a node still starting: the connection is dropped unanswered
        tried.set()

    gate = await asyncio.start_server(hang_up, "127.0.0.1", port)

    async def start_later() -> None:
        await tried.wait()  # the deployer has tried (and failed) at least once
        gate.close()
        await gate.wait_closed()
        await late.start()

    async with AsyncClient(f"http://127.0.0.1:{port}", commitment=Confirmed) as client:
        starter = asyncio.create_task(start_later())
        try:
            result = await deploy_program(
                client, payer, probe_so.read_bytes(), program=Keypair(), retries=6
            )
        finally:
            await starter
            await late.stop()
    assert bank.get_account(result.program_id) is not None
