"""The JSON-RPC methods of the localnet, one module per family, validator-shaped results.

Transport-free: :meth:`RpcMethods.call` takes a method name and its ``params`` and returns the
``result`` value or raises :class:`~solinbox.jsonrpc.JsonRpcError` carrying the validator's
error code and message. Families: :mod:`.cluster`, :mod:`.accounts`, :mod:`.transactions`,
:mod:`.blocks`, :mod:`.tokens`, and the ``solinbox_*`` :mod:`.cheatcodes`; shared parameter checks in :mod:`._params`, result shapes in
:mod:`._results`.
"""

from __future__ import annotations

from typing import Any

from solinbox.jsonrpc import METHOD_NOT_FOUND
from solinbox.localnet.bank import Bank
from solinbox.localnet.methods._family import Handler
from solinbox.localnet.methods._params import API_VERSION, RpcError, invalid_params
from solinbox.localnet.methods.accounts import AccountsMethods
from solinbox.localnet.methods.blocks import BlocksMethods
from solinbox.localnet.methods.cheatcodes import CheatcodeMethods
from solinbox.localnet.methods.cluster import ClusterMethods
from solinbox.localnet.methods.tokens import TokensMethods
from solinbox.localnet.methods.transactions import TransactionsMethods

__all__ = ["API_VERSION", "RpcError", "RpcMethods"]

FAMILIES = (
    ClusterMethods, AccountsMethods, TransactionsMethods, BlocksMethods, TokensMethods,
    CheatcodeMethods,
)  # fmt: skip


class RpcMethods:
    """The method table of the localnet over one :class:`~solinbox.localnet.bank.Bank`."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        #: ``rpc`` / ``pubsub`` -> ``host:port``, filled in by the server once it has bound
        self.endpoints: dict[str, str] = {}
        self.table: dict[str, Handler] = {}
        for family in FAMILIES:
            self.table.update(family(bank, self.endpoints).table())

    def call(self, method: str, params: Any) -> Any:
        """Run one method; raises :class:`RpcError`."""
        handler = self.table.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not found")
        if params is None:
            params = []
        if not isinstance(params, list):
            raise invalid_params("Invalid params: invalid type: map, expected a sequence.")
        return handler(params)
