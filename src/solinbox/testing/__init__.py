"""Testing support: an in-process chain with the inbox program and Light (:class:`LocalChain`).

:mod:`solinbox.testing.plugin` is the pytest plugin (registered on install); its imports are
deferred so that it costs nothing to test suites that do not use its fixtures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solinbox._lazy import lazy_exports

if TYPE_CHECKING:
    from solinbox.testing.chain import LAMPORTS_PER_SOL, LocalChain, Sent, TransactionFailed

__all__ = ["LAMPORTS_PER_SOL", "LocalChain", "Sent", "TransactionFailed"]

__getattr__, __dir__ = lazy_exports(globals(), {name: "chain" for name in __all__})
