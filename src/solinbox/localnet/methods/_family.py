"""The base of every method family: the bank, contexts, encoded accounts, history checks."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from solders.account import Account

from solinbox.localnet import _codec
from solinbox.localnet.bank import Bank, Commitment, TransactionRecord
from solinbox.localnet.methods._params import (
    API_VERSION,
    MIN_CONTEXT_SLOT_NOT_REACHED,
    UNSUPPORTED_TRANSACTION_VERSION,
    RpcError,
    invalid_params,
    parse_commitment,
    u64,
)
from solinbox.localnet.methods._results import status_meta
from solinbox.localnet.parsed import parsed_inner_instructions, parsed_message

__all__ = ["Family", "Handler"]

Handler = Callable[[list[Any]], Any]
"""A method: positional ``params`` in, ``result`` out (or :class:`RpcError`)."""


class Family(abc.ABC):
    """Methods over one :class:`~solinbox.localnet.bank.Bank`; subclasses list theirs in ``table``."""

    def __init__(self, bank: Bank, endpoints: dict[str, str] | None = None) -> None:
        self.bank = bank
        #: ``rpc`` / ``pubsub`` -> ``host:port`` this node serves (set by the server)
        self.endpoints = endpoints if endpoints is not None else {}

    @abc.abstractmethod
    def table(self) -> dict[str, Handler]:
        """Method name -> handler."""

    def _context(
        self, config: dict[str, Any], commitment: Commitment | None = None
    ) -> dict[str, Any]:
        slot = self.bank.slot_for(commitment or parse_commitment(config))
        min_slot = config.get("minContextSlot")
        if min_slot is not None and u64(min_slot, "minContextSlot") > slot:
            raise RpcError(
                MIN_CONTEXT_SLOT_NOT_REACHED,
                "Minimum context slot has not been reached",
                {"contextSlot": slot},
            )
        return {"apiVersion": API_VERSION, "slot": slot}

    def _ui_account(
        self, account: Account | None, encoding: str, data_slice: tuple[int, int] | None
    ) -> Any:
        if account is None:
            return None
        try:
            return _codec.encode_account(account, encoding, data_slice, self.bank.get_account)
        except ValueError as exc:
            raise invalid_params(str(exc)) from None

    @staticmethod
    def _history_commitment(config: dict[str, Any]) -> Commitment:
        commitment = parse_commitment(config)
        if commitment == "processed":
            raise invalid_params("Method does not support commitment below `confirmed`")
        return commitment

    @staticmethod
    def _check_version(record: TransactionRecord, config: dict[str, Any]) -> int | str:
        version = _codec.transaction_version(record.transaction)
        max_version = config.get("maxSupportedTransactionVersion")
        if version == 0 and max_version is None:
            raise RpcError(
                UNSUPPORTED_TRANSACTION_VERSION,
                "Transaction version (0) is not supported by the requesting client. Please try the request "
                'again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
            )
        if version == 0 and max_version != 0:
            raise invalid_params(f"Invalid params: unsupported transaction version {max_version}.")
        return version

    def _encoded_with_meta(
        self, record: TransactionRecord, encoding: str, config: dict[str, Any]
    ) -> dict[str, Any]:
        version = self._check_version(record, config)
        tx = record.transaction
        meta = status_meta(record)
        if encoding == "jsonParsed":
            keys = [*tx.message.account_keys, *record.loaded_writable, *record.loaded_readonly]
            message = parsed_message(tx.message, record.loaded_writable, record.loaded_readonly)
            transaction: Any = {"message": message, "signatures": [str(s) for s in tx.signatures]}
            meta["innerInstructions"] = parsed_inner_instructions(record.meta, keys)
        else:
            transaction = _codec.encode_transaction(
                tx, bytes(tx) if encoding != "json" else b"", encoding
            )
        out: dict[str, Any] = {"meta": meta, "transaction": transaction}
        if config.get("maxSupportedTransactionVersion") is not None:
            out["version"] = version
        return out
