"""WebSocket PubSub: subscriptions, commitment-aware delivery, validator-shaped notifications.

Transport-free: a :class:`PubSub` is attached to a bank; each connection gets a
:class:`Connection` whose ``send`` callable receives finished notification strings. The server
module owns the sockets.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey

from solinbox.localnet import _codec
from solinbox.localnet._methods import (
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    RpcError,
    config_at,
    param,
    parse_commitment,
    parse_encoding,
    parse_pubkey,
    parse_signature,
)
from solinbox.localnet.bank import Bank, Block, Commitment, TransactionRecord

__all__ = ["Connection", "PubSub"]

_RANK = {"processed": 0, "confirmed": 1, "finalized": 2}


@dataclass(slots=True)
class _Subscription:
    id: int
    kind: str  # signature | account | logs | slot
    commitment: Commitment
    connection: Connection
    key: Any = None  # Signature, Pubkey, or for logs None (all) / Pubkey (mentions)
    encoding: str = "base64"


@dataclass(slots=True)
class _Pending:
    slot: int
    commitment: Commitment
    subscription: _Subscription
    payload: Callable[[], Any]


class Connection:
    """One WebSocket client: its subscriptions and where its messages go."""

    def __init__(self, pubsub: PubSub, send: Callable[[str], None]) -> None:
        self.pubsub = pubsub
        self._send = send
        self._held: list[str] | None = None
        self.subscriptions: dict[int, _Subscription] = {}

    def send(self, text: str) -> None:
        """Queue a notification (held back while a request is being answered)."""
        if self._held is not None:
            self._held.append(text)
        else:
            self._send(text)

    def handle(self, method: str, params: Any) -> Any:
        """Run a subscribe/unsubscribe method; returns the result or raises ``RpcError``.

        Notifications it triggers are held until :meth:`release`, so that a client sees the
        subscription id before the first notification.
        """
        self._held = []
        return self.pubsub.handle(self, method, params)

    def release(self) -> None:
        """Send the notifications held back by :meth:`handle`."""
        held, self._held = self._held or [], None
        for text in held:
            self._send(text)

    def close(self) -> None:
        """Drop every subscription of this connection."""
        for sub_id in list(self.subscriptions):
            self.pubsub.remove(sub_id)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


class PubSub:
    """The subscription registry of one bank."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self._ids = itertools.count(1)
        self._subs: dict[int, _Subscription] = {}
        self._pending: list[_Pending] = []
        self._unhook = [bank.on_processed(self._on_processed), bank.on_block(self._on_block)]

    def close(self) -> None:
        """Detach from the bank."""
        for unhook in self._unhook:
            unhook()

    def connect(self, send: Callable[[str], None]) -> Connection:
        """A new client connection whose notifications go to ``send``."""
        return Connection(self, send)

    # ------------------------------------------------------------------------------ methods

    def handle(self, connection: Connection, method: str, params: Any) -> Any:
        """Subscribe or unsubscribe."""
        if params is None:
            params = []
        if not isinstance(params, list):
            raise RpcError(
                INVALID_PARAMS, "Invalid params: invalid type: map, expected a sequence."
            )
        if method.endswith("Unsubscribe") and method[: -len("Unsubscribe")] in (
            "signature", "account", "logs", "slot", "program", "root",
        ):  # fmt: skip
            sub_id = param(params, 0, "id")
            if not isinstance(sub_id, int) or sub_id not in connection.subscriptions:
                raise RpcError(INVALID_PARAMS, "Invalid subscription id.")
            self.remove(sub_id)
            return True
        if method == "signatureSubscribe":
            signature = parse_signature(param(params, 0, "signature"))
            config = config_at(params, 1)
            sub = self._add(connection, "signature", parse_commitment(config), signature)
            record = self.bank.record(signature)
            if record is not None:
                self._schedule(sub, record.slot, self._signature_payload(record))
            return sub.id
        if method == "accountSubscribe":
            key = parse_pubkey(param(params, 0, "pubkey"))
            config = config_at(params, 1)
            encoding = parse_encoding(
                config, "base58", ("base58", "base64", "base64+zstd", "jsonParsed")
            )
            return self._add(connection, "account", parse_commitment(config), key, encoding).id
        if method == "logsSubscribe":
            selector = param(params, 0, "filter")
            config = config_at(params, 1)
            mention: Pubkey | None
            if selector in ("all", "allWithVotes"):
                mention = None
            elif (
                isinstance(selector, dict)
                and isinstance(selector.get("mentions"), list)
                and len(selector["mentions"]) == 1
            ):
                mention = parse_pubkey(selector["mentions"][0])
            else:
                raise RpcError(INVALID_PARAMS, "Invalid Request: Only 1 address supported")
            return self._add(connection, "logs", parse_commitment(config), mention).id
        if method == "slotSubscribe":
            return self._add(connection, "slot", "processed").id
        raise RpcError(METHOD_NOT_FOUND, "Method not found")

    def _add(self, connection: Connection, kind: str, commitment: Commitment, key: Any = None,
             encoding: str = "base64") -> _Subscription:  # fmt: skip
        sub = _Subscription(next(self._ids), kind, commitment, connection, key, encoding)
        self._subs[sub.id] = sub
        connection.subscriptions[sub.id] = sub
        return sub

    def remove(self, sub_id: int) -> None:
        """Remove one subscription."""
        sub = self._subs.pop(sub_id, None)
        if sub is not None:
            sub.connection.subscriptions.pop(sub_id, None)

    # ------------------------------------------------------------------------ notifications

    @staticmethod
    def _notify(sub: _Subscription, result: Any) -> None:
        method = {"signature": "signatureNotification", "account": "accountNotification",
                  "logs": "logsNotification", "slot": "slotNotification"}[sub.kind]  # fmt: skip
        sub.connection.send(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": method,
                    "params": {"result": result, "subscription": sub.id},
                },
                separators=(",", ":"),
            )
        )

    def _signature_payload(self, record: TransactionRecord) -> Callable[[], Any]:
        return lambda: {"err": record.err}

    def _schedule(self, sub: _Subscription, slot: int, payload: Callable[[], Any]) -> None:
        if _RANK[self.bank.status_of_slot(slot)] >= _RANK[sub.commitment]:
            self._deliver(sub, slot, payload)
        else:
            self._pending.append(_Pending(slot, sub.commitment, sub, payload))

    def _deliver(self, sub: _Subscription, slot: int, payload: Callable[[], Any]) -> None:
        if sub.id not in self._subs:
            return
        self._notify(sub, {"context": {"slot": slot}, "value": payload()})
        if sub.kind == "signature":
            self.remove(sub.id)

    def _on_processed(self, record: TransactionRecord) -> None:
        if not self._subs:
            return
        keys = record.keys
        key_set: set[Pubkey] | None = None
        for sub in list(self._subs.values()):
            if sub.kind == "signature":
                if sub.key == record.signature:
                    self._schedule(sub, record.slot, self._signature_payload(record))
            elif sub.kind == "account":
                key_set = key_set if key_set is not None else set(keys)
                if sub.key in key_set:
                    account = self.bank.get_account(sub.key)
                    value = (
                        _codec.encode_account(account, sub.encoding, None, self.bank.get_account)
                        if account is not None
                        else {"data": ["", "base64"], "executable": False, "lamports": 0,
                              "owner": str(_codec.SYSTEM_PROGRAM), "rentEpoch": 0, "space": 0}
                    )  # fmt: skip
                    self._schedule(sub, record.slot, _constant(value))
            elif sub.kind == "logs":
                key_set = key_set if key_set is not None else set(keys)
                if sub.key is None or sub.key in key_set:
                    logs = {
                        "err": record.err,
                        "logs": list(record.meta.logs()),
                        "signature": str(record.signature),
                    }
                    self._schedule(sub, record.slot, _constant(logs))

    def _on_block(self, block: Block) -> None:
        if self._pending:
            waiting: list[_Pending] = []
            for pending in self._pending:
                if _RANK[self.bank.status_of_slot(pending.slot)] >= _RANK[pending.commitment]:
                    self._deliver(pending.subscription, pending.slot, pending.payload)
                elif pending.subscription.id in self._subs:
                    waiting.append(pending)
            self._pending = waiting
        for sub in list(self._subs.values()):
            if sub.kind == "slot":
                self._notify(
                    sub,
                    {
                        "parent": block.slot,
                        "root": self.bank.finalized_slot,
                        "slot": self.bank.slot,
                    },
                )
