"""WebSocket PubSub: subscriptions, lossless commitment-aware delivery, validator-shaped notifications.

Transport-free: a :class:`PubSub` is attached to a bank; each connection gets a
:class:`Connection` whose ``send`` callable receives finished notification strings. The server
module owns the sockets.

Delivery rule (what makes a subscriber and a backfill at the same commitment meet without a
gap): a subscription at commitment C is notified when a *slot reaches C*, for every
transaction of that slot, in slot order — not when the transaction is first processed. So a
subscriber that connects after a transaction was processed but before its block is confirmed
still gets it at ``confirmed``, and a ``getSignaturesForAddress`` at ``confirmed`` made after
subscribing sees everything that reached ``confirmed`` before. ``processed`` subscriptions
are notified as each transaction executes. Account and program subscriptions at ``confirmed``
/ ``finalized`` get one notification per slot that wrote the account, with its state at the
end of that slot (captured when the slot was confirmed), as a validator sends them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from solders.account import Account
from solders.pubkey import Pubkey

from solinbox.jsonrpc import INVALID_PARAMS, METHOD_NOT_FOUND
from solinbox.jsonrpc import JsonRpcError as RpcError
from solinbox.localnet import _codec
from solinbox.localnet.bank import Bank, Block, Commitment, TransactionRecord, writable_keys
from solinbox.localnet.methods._params import (
    config_at,
    param,
    parse_commitment,
    parse_encoding,
    parse_filters,
    parse_pubkey,
    parse_signature,
)

__all__ = ["Connection", "PubSub"]

_RANK = {"processed": 0, "confirmed": 1, "finalized": 2}
_NOTIFICATION = {
    "signature": "signatureNotification",
    "account": "accountNotification",
    "logs": "logsNotification",
    "slot": "slotNotification",
    "program": "programNotification",
    "root": "rootNotification",
    "slotsUpdates": "slotsUpdatesNotification",
}
_ACCOUNT_ENCODINGS = ("base58", "base64", "base64+zstd", "jsonParsed")
_EMPTY_ACCOUNT = Account(0, b"", _codec.SYSTEM_PROGRAM)


@dataclass(slots=True)
class _Subscription:
    id: int
    kind: str  # one of _NOTIFICATION's keys
    commitment: Commitment
    connection: Connection
    key: Any = None  # Signature, Pubkey (account / program / logs mention), None (all logs)
    encoding: str = "base64"
    checks: list[Callable[[bytes], bool]] = field(default_factory=list)  # program filters
    received: bool = False  # signatureSubscribe's enableReceivedNotification


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
        if self._held is None:  # a batch holds across its requests until the one release
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


class PubSub:
    """The subscription registry of one bank."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self._ids = itertools.count(1)
        self._subs: dict[int, _Subscription] = {}
        self._confirmed_upto = bank.confirmed_slot
        self._finalized_upto = bank.finalized_slot
        #: slot -> subscription id -> account state at the end of the slot, for finalized subs
        self._snapshots: dict[int, dict[int, list[tuple[Pubkey, Account]]]] = {}
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
            *_NOTIFICATION, "block", "vote",
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
            sub.received = bool(config.get("enableReceivedNotification"))
            record = self.bank.record(signature)
            if record is not None:  # already there: answer at once if its slot is far enough
                if sub.received:
                    self._notify(
                        sub, {"context": {"slot": record.slot}, "value": "receivedSignature"}
                    )
                if _RANK[self.bank.status_of_slot(record.slot)] >= _RANK[sub.commitment]:
                    self._signature_done(sub, record)
            return sub.id
        if method == "accountSubscribe":
            key = parse_pubkey(param(params, 0, "pubkey"))
            config = config_at(params, 1)
            encoding = parse_encoding(config, "base58", _ACCOUNT_ENCODINGS)
            return self._add(connection, "account", parse_commitment(config), key, encoding).id
        if method == "programSubscribe":
            program = parse_pubkey(param(params, 0, "pubkey"))
            config = config_at(params, 1)
            encoding = parse_encoding(config, "base58", _ACCOUNT_ENCODINGS)
            checks = parse_filters(config.get("filters"))
            sub = self._add(connection, "program", parse_commitment(config), program, encoding)
            sub.checks = checks
            return sub.id
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
        if method == "rootSubscribe":
            return self._add(connection, "root", "finalized").id
        if method == "slotsUpdatesSubscribe":
            return self._add(connection, "slotsUpdates", "processed").id
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
        text = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": _NOTIFICATION[sub.kind],
                "params": {"result": result, "subscription": sub.id},
            },
            separators=(",", ":"),
        )
        sub.connection.send(text)

    def _signature_done(self, sub: _Subscription, record: TransactionRecord) -> None:
        self._notify(sub, {"context": {"slot": record.slot}, "value": {"err": record.err}})
        self.remove(sub.id)  # a signature subscription ends with its notification

    def _encode(self, sub: _Subscription, account: Account) -> Any:
        return _codec.encode_account(account, sub.encoding, None, self.bank.get_account)

    def _account_note(self, sub: _Subscription, slot: int, key: Pubkey, account: Account) -> None:
        if sub.kind == "account":
            self._notify(sub, {"context": {"slot": slot}, "value": self._encode(sub, account)})
        elif account.owner == sub.key and all(check(bytes(account.data)) for check in sub.checks):
            value = {"pubkey": str(key), "account": self._encode(sub, account)}
            self._notify(sub, {"context": {"slot": slot}, "value": value})

    def _transaction_notes(self, subs: Iterable[_Subscription], record: TransactionRecord) -> None:
        """Signature and logs notifications of one transaction to ``subs``."""
        keys: set[Pubkey] | None = None
        for sub in subs:
            if sub.kind == "signature" and sub.key == record.signature:
                self._signature_done(sub, record)
            elif sub.kind == "logs":
                keys = keys if keys is not None else set(record.keys)
                if sub.key is None or sub.key in keys:
                    value = {"err": record.err, "logs": list(record.meta.logs()),
                             "signature": str(record.signature)}  # fmt: skip
                    self._notify(sub, {"context": {"slot": record.slot}, "value": value})

    def _current(self, key: Pubkey) -> Account:
        return self.bank.get_account(key) or _EMPTY_ACCOUNT

    def _on_processed(self, record: TransactionRecord) -> None:
        if not self._subs:
            return
        subs = [s for s in self._subs.values() if s.commitment == "processed"]
        for sub in self._subs.values():
            if sub.kind == "signature" and sub.received and sub.key == record.signature:
                self._notify(sub, {"context": {"slot": record.slot}, "value": "receivedSignature"})
        self._transaction_notes(subs, record)
        watched = [s for s in subs if s.kind in ("account", "program")]
        if watched:
            written = writable_keys(record)
            for sub in watched:
                for key in self._matching(sub, written):
                    self._account_note(sub, record.slot, key, self._current(key))

    @staticmethod
    def _matching(sub: _Subscription, written: set[Pubkey]) -> Iterable[Pubkey]:
        if sub.kind == "account":
            return (sub.key,) if sub.key in written else ()
        return sorted(written, key=bytes)  # program: owner and filters are checked per account

    def _slot_records(self, slot: int) -> list[TransactionRecord]:
        block = self.bank.block(slot, "processed")
        if block is None:
            return []
        return [r for r in map(self.bank.record, block.signatures) if r is not None]

    def _deliver_slot(self, slot: int, commitment: Commitment) -> None:
        """Everything of ``slot`` for subscriptions at ``commitment`` (the slot just reached it)."""
        subs = [s for s in self._subs.values() if s.commitment == commitment]
        finalized_later = [s for s in self._subs.values()
                           if s.commitment == "finalized" and s.kind in ("account", "program")]  # fmt: skip
        if not subs and not (commitment == "confirmed" and finalized_later):
            self._snapshots.pop(slot, None)
            return
        records = self._slot_records(slot)
        for record in records:
            self._transaction_notes(subs, record)
        written: set[Pubkey] = set()
        for record in records:
            written |= writable_keys(record)
        snapshot = self._snapshots.pop(slot, {})
        for sub in subs:
            if sub.kind not in ("account", "program"):
                continue
            if sub.id in snapshot:
                states = snapshot[sub.id]
            else:
                states = [(key, self._current(key)) for key in self._matching(sub, written)]
            for key, account in states:
                self._account_note(sub, slot, key, account)
        if commitment == "confirmed" and written:  # end-of-slot states for finalized subs
            keep = {sub.id: [(key, self._current(key)) for key in self._matching(sub, written)]
                    for sub in finalized_later}  # fmt: skip
            if any(keep.values()):
                self._snapshots[slot] = keep

    def _on_block(self, block: Block) -> None:
        now_ms = int(time.time() * 1000)
        for sub in list(self._subs.values()):
            if sub.kind == "slotsUpdates":
                self._notify(sub, {"slot": block.slot, "timestamp": now_ms, "type": "frozen",
                                   "stats": {"maxTransactionsPerEntry": len(block.signatures),
                                             "numFailedTransactions": 0, "numSuccessfulTransactions": 0,
                                             "numTransactionEntries": len(block.signatures)}})  # fmt: skip
        confirmed, finalized = self.bank.confirmed_slot, self.bank.finalized_slot
        for slot in self.bank.blocks(self._confirmed_upto + 1, confirmed, "processed"):
            self._deliver_slot(slot, "confirmed")
            for sub in [s for s in self._subs.values() if s.kind == "slotsUpdates"]:
                self._notify(
                    sub, {"slot": slot, "timestamp": now_ms, "type": "optimisticConfirmation"}
                )
        self._confirmed_upto = max(self._confirmed_upto, confirmed)
        for slot in self.bank.blocks(self._finalized_upto + 1, finalized, "processed"):
            self._deliver_slot(slot, "finalized")
        if finalized > self._finalized_upto:
            for sub in list(self._subs.values()):
                if sub.kind == "root":
                    self._notify(sub, finalized)
                elif sub.kind == "slotsUpdates":
                    self._notify(sub, {"slot": finalized, "timestamp": now_ms, "type": "root"})
        self._finalized_upto = max(self._finalized_upto, finalized)
        for sub in list(self._subs.values()):
            if sub.kind == "slot":
                self._notify(sub, {"parent": block.slot, "root": finalized, "slot": self.bank.slot})
            elif sub.kind == "slotsUpdates":
                self._notify(sub, {"slot": self.bank.slot, "parent": block.slot,
                                   "timestamp": now_ms, "type": "createdBank"})  # fmt: skip
