"""pytest plugin: fixtures for wallet and backend tests against the inbox program.

Registered through the ``pytest11`` entry point, so installing solinbox is enough::

    def test_paid_thread(solinbox_chain, funded_wallet):
        alice, bob = funded_wallet(), funded_wallet()
        ...

The Light Protocol programs are fetched into the cache on first use (once per machine; test
workers starting together wait for one download).

Fixtures:

* ``solinbox_program`` (session) — path of the inbox ``.so``: the packaged program, unless
  ``--solinbox-program-so PATH`` (command line), ``solinbox_program_so = PATH`` (ini, relative
  to the rootdir) or ``$SOLINBOX_PROGRAM_SO`` names another build (in that order); the
  report header says which one was loaded;
* ``solinbox_chain`` — a fresh :class:`~solinbox.testing.LocalChain` (LiteSVM with the inbox
  program and the real Light programs) per test;
* ``funded_wallet`` — a factory: ``funded_wallet(sol=10.0)`` returns a new funded Keypair;
* ``solinbox_localnet`` (async) — a running :class:`~solinbox.localnet.server.Localnet` (real
  JSON-RPC over HTTP and PubSub over WebSocket on free loopback ports, blocks every 50 ms)
  with the inbox program and Light; ``solinbox_localnet.rpc_url`` / ``.ws_url``;
* ``solinbox_indexer`` (async) — an indexer following ``solinbox_localnet`` in process, with its
  Photon API on a free loopback port: ``solinbox_indexer.url``;
* ``solinbox_cheats`` (async) — :class:`~solinbox.localnet.Cheats` for ``solinbox_localnet``:
  move the clock forward, warp, set accounts and token balances, snapshot and revert.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from solders.keypair import Keypair

    from solinbox.indexer import PhotonServer
    from solinbox.localnet.cheats import Cheats
    from solinbox.localnet.server import Localnet
    from solinbox.program.binary import ProgramBinary
    from solinbox.testing.chain import LocalChain

__all__ = [
    "funded_wallet",
    "solinbox_chain",
    "solinbox_cheats",
    "solinbox_indexer",
    "solinbox_localnet",
    "solinbox_program",
]


try:  # async fixtures work in pytest-asyncio's strict mode (its default) and in auto mode
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # without pytest-asyncio nobody can await them anyway
    _async_fixture = pytest.fixture  # type: ignore[assignment]

_INI = "solinbox_program_so"
_OPTION = "--solinbox-program-so"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--solinbox-program-so`` and the ``solinbox_program_so`` ini setting."""
    group = parser.getgroup("solinbox")
    group.addoption(
        _OPTION,
        dest="solinbox_program_so",
        metavar="PATH",
        help="inbox program .so for the solinbox fixtures instead of the packaged one",
    )
    parser.addini(_INI, "inbox program .so for the solinbox fixtures (relative to the rootdir)")


def _program(config: pytest.Config) -> ProgramBinary:
    from solinbox.errors import ProgramBinaryError
    from solinbox.program.binary import resolve_program

    option = config.getoption("solinbox_program_so")
    ini = config.getini(_INI)
    try:
        if option:
            return resolve_program(option, origin=_OPTION)
        if ini:
            return resolve_program(config.rootpath / str(ini), origin=f"ini {_INI}")
        return resolve_program()
    except ProgramBinaryError as exc:
        raise pytest.UsageError(str(exc)) from exc


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say which inbox program the fixtures load (path + sha256)."""
    try:
        return f"solinbox program: {_program(config).describe()}"
    except pytest.UsageError as exc:
        return f"solinbox program: {exc}"


@pytest.fixture(scope="session")
def solinbox_program(pytestconfig: pytest.Config) -> Path:
    """The inbox program's ``.so`` (packaged, or the one named by option / ini / env)."""
    return _program(pytestconfig).path


@pytest.fixture
def solinbox_chain(solinbox_program: Path) -> LocalChain:
    """A fresh in-process chain with the inbox program and Light."""
    from solinbox.testing.chain import LocalChain

    return LocalChain(solinbox_program)


@pytest.fixture
def funded_wallet(solinbox_chain: LocalChain) -> Callable[..., Keypair]:
    """``funded_wallet(sol=10.0)`` → a new Keypair funded on ``solinbox_chain``."""

    def make(sol: float = 10.0) -> Keypair:
        return solinbox_chain.wallet(sol)

    return make


@_async_fixture
async def solinbox_localnet(solinbox_program: Path) -> AsyncIterator[Localnet]:
    """A localnet server with the inbox program, on free loopback ports (per test)."""
    from solinbox.localnet.bank import Bank
    from solinbox.localnet.server import Localnet
    from solinbox.program.ids import PROGRAM_ID

    bank = Bank.create(programs={PROGRAM_ID: solinbox_program}, finality_depth=1)
    async with Localnet(bank, rpc_port=0, ws_port=0, slot_interval=0.05) as net:
        yield net


@_async_fixture
async def solinbox_indexer(solinbox_localnet: Localnet) -> AsyncIterator[PhotonServer]:
    """An indexer attached to ``solinbox_localnet`` (SQLite in memory) serving the Photon API."""
    from solinbox.indexer import Indexer, PhotonServer, SqliteStore

    store = SqliteStore()
    stop = Indexer(store).attach(solinbox_localnet.bank)
    async with PhotonServer(store, port=0) as server:
        yield server
    stop()
    store.close()


@_async_fixture
async def solinbox_cheats(solinbox_localnet: Localnet) -> AsyncIterator[Cheats]:
    """The cheatcodes of ``solinbox_localnet``, over its HTTP endpoint."""
    from solinbox.localnet.cheats import Cheats

    async with Cheats(solinbox_localnet.rpc_url) as cheats:
        yield cheats
