"""A local Solana chain backed by LiteSVM, with the real Light Protocol programs preloaded.

* :mod:`~solinbox.localnet.genesis` — the starting state (Light programs and trees, our programs);
* :class:`Bank` — LiteSVM plus slots, blocks, blockhash expiry, history, commitment, save/load,
  and the in-process transaction hook for the indexer (:meth:`Bank.subscribe_transactions`,
  :meth:`Bank.stream_transactions`);
* :class:`Localnet` — the JSON-RPC (HTTP) and PubSub (WebSocket) server over a bank, on loopback
  (imported lazily: it needs aiohttp);
* :class:`Cheats` — Python helpers for its ``solinbox_*`` cheatcodes over HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from solinbox.localnet.bank import (
    Bank,
    Block,
    Commitment,
    LocalnetStateError,
    Rejected,
    Simulation,
    TransactionRecord,
)
from solinbox.localnet.genesis import (
    LightAccount,
    build_light_svm,
    default_light_package,
    light_account_sources,
    light_accounts,
)

if TYPE_CHECKING:
    from solinbox.localnet.cheats import Cheats
    from solinbox.localnet.server import Localnet

__all__ = [
    "Bank",
    "Block",
    "Cheats",
    "Commitment",
    "LightAccount",
    "Localnet",
    "LocalnetStateError",
    "Rejected",
    "Simulation",
    "TransactionRecord",
    "build_light_svm",
    "default_light_package",
    "light_account_sources",
    "light_accounts",
]


def __getattr__(name: str) -> Any:
    if name == "Localnet":
        from solinbox.localnet.server import Localnet

        return Localnet
    if name == "Cheats":
        from solinbox.localnet.cheats import Cheats

        return Cheats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
