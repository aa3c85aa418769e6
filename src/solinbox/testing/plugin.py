"""pytest plugin: fixtures for wallet and backend tests against the inbox program.

Registered through the ``pytest11`` entry point, so installing solinbox is enough::

    def test_paid_thread(solinbox_chain, funded_wallet):
        alice, bob = funded_wallet(), funded_wallet()
        ...

Fixtures:

* ``solinbox_program`` (session) — path of the inbox ``.so``: ``$SOLINBOX_PROGRAM_SO`` if set,
  else built (or reused) with :func:`solinbox.build.build_program` in the current workspace;
* ``solinbox_chain`` — a fresh :class:`~solinbox.testing.LocalChain` (LiteSVM with the inbox
  program and the real Light programs) per test;
* ``funded_wallet`` — a factory: ``funded_wallet(sol=10.0)`` returns a new funded Keypair;
* ``solinbox_localnet`` (async) — a running :class:`~solinbox.localnet.server.Localnet` (real
  JSON-RPC over HTTP and PubSub over WebSocket on free loopback ports, blocks every 50 ms)
  with the inbox program and Light; ``solinbox_localnet.rpc_url`` / ``.ws_url``;
* ``solinbox_indexer`` (async) — an indexer following ``solinbox_localnet`` in process, with its
  Photon API on a free loopback port: ``solinbox_indexer.url``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from solders.keypair import Keypair

from solinbox.testing.chain import LocalChain

if TYPE_CHECKING:
    from solinbox.indexer import PhotonServer
    from solinbox.localnet.server import Localnet

__all__ = [
    "funded_wallet",
    "solinbox_chain",
    "solinbox_indexer",
    "solinbox_localnet",
    "solinbox_program",
]


@pytest.fixture(scope="session")
def solinbox_program() -> Path:
    """The inbox program's ``.so`` (``$SOLINBOX_PROGRAM_SO`` or built in this workspace)."""
    override = os.environ.get("SOLINBOX_PROGRAM_SO")
    if override:
        path = Path(override)
        if not path.is_file():
            raise pytest.UsageError(f"SOLINBOX_PROGRAM_SO={override} does not exist")
        return path
    from solinbox.build import build_program

    return build_program("inbox").so_path


@pytest.fixture
def solinbox_chain(solinbox_program: Path) -> LocalChain:
    """A fresh in-process chain with the inbox program and Light."""
    return LocalChain(solinbox_program)


@pytest.fixture
def funded_wallet(solinbox_chain: LocalChain) -> Callable[..., Keypair]:
    """``funded_wallet(sol=10.0)`` → a new Keypair funded on ``solinbox_chain``."""

    def make(sol: float = 10.0) -> Keypair:
        return solinbox_chain.wallet(sol)

    return make


@pytest.fixture
async def solinbox_localnet(solinbox_program: Path) -> AsyncIterator[Localnet]:
    """A localnet server with the inbox program, on free loopback ports (per test)."""
    from solinbox.localnet.bank import Bank
    from solinbox.localnet.server import Localnet
    from solinbox.program.ids import PROGRAM_ID

    bank = Bank.create(programs={PROGRAM_ID: solinbox_program}, finality_depth=1)
    async with Localnet(bank, rpc_port=0, ws_port=0, slot_interval=0.05) as net:
        yield net


@pytest.fixture
async def solinbox_indexer(solinbox_localnet: Localnet) -> AsyncIterator[PhotonServer]:
    """An indexer attached to ``solinbox_localnet`` (SQLite in memory) serving the Photon API."""
    from solinbox.indexer import Indexer, PhotonServer, SqliteStore

    store = SqliteStore()
    stop = Indexer(store).attach(solinbox_localnet.bank)
    async with PhotonServer(store, port=0) as server:
        yield server
    stop()
    store.close()
