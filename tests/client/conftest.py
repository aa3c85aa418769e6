"""Fixtures: a localnet over real HTTP with the inbox program, and funded wallets on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solders.keypair import Keypair

from solinbox.client import InboxClient
from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet
from solinbox.program.ids import PROGRAM_ID


@pytest.fixture
async def net(inbox_so: Path) -> AsyncIterator[Localnet]:
    bank = Bank.create(programs={PROGRAM_ID: inbox_so}, finality_depth=1)
    async with Localnet(bank, rpc_port=0, ws_port=0, slot_interval=0.05) as running:
        yield running


@pytest.fixture
async def rpc(net: Localnet) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(net.rpc_url, commitment=Confirmed) as client:
        yield client


@pytest.fixture
def make_client(net: Localnet, rpc: AsyncClient) -> Callable[[float], Awaitable[InboxClient]]:
    async def make(sol: float = 5.0) -> InboxClient:
        wallet = Keypair()
        net.bank.airdrop(wallet.pubkey(), int(sol * 1_000_000_000))
        net.produce_block()
        return InboxClient(rpc, wallet)

    return make
