"""Fixtures: localnet (real HTTP) + an indexer attached to its feed + the Photon server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solders.keypair import Keypair

from solinbox.client import InboxClient
from solinbox.indexer import Indexer, PhotonServer, SqliteStore
from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet
from solinbox.photon import PhotonReader
from solinbox.program.ids import PROGRAM_ID

from ._openapi import validating_hook


@dataclass
class Stack:
    net: Localnet
    rpc: AsyncClient
    store: SqliteStore
    indexer: Indexer
    photon: PhotonServer
    reader: PhotonReader

    def client(self, sol: float = 5.0) -> InboxClient:
        wallet = Keypair()
        self.net.bank.airdrop(wallet.pubkey(), int(sol * 1e9))
        self.net.produce_block()
        return InboxClient(self.rpc, wallet, photon=self.reader)


@pytest.fixture
async def stack(inbox_so: Path, tmp_path: Path) -> AsyncIterator[Stack]:
    bank = Bank.create(programs={PROGRAM_ID: inbox_so}, finality_depth=1)
    store = SqliteStore(tmp_path / "index.sqlite")
    indexer = Indexer(store)
    indexer.attach(bank)
    async with (
        Localnet(bank, rpc_port=0, ws_port=0, slot_interval=0.05) as net,
        PhotonServer(store, port=0, rpc_url=net.rpc_url) as photon,
        AsyncClient(net.rpc_url, commitment=Confirmed) as rpc,
        PhotonReader(
            photon.url, http=httpx.AsyncClient(event_hooks={"response": [validating_hook]})
        ) as reader,
    ):
        yield Stack(net, rpc, store, indexer, photon, reader)
        await reader.http.aclose()
    store.close()
