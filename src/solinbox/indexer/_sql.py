"""The store's SQL layer: the schema, the two dialects, and what every store part shares.

One schema serves SQLite and PostgreSQL; :func:`postgres_schema` rewrites the few words that
differ. :class:`_StoreBase` holds the connection, its lock and the transaction helper that the
store's parts (:mod:`solinbox.indexer.store`, :mod:`solinbox.indexer._token_store`) build on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    hash BLOB PRIMARY KEY,
    owner BLOB NOT NULL,
    lamports INTEGER NOT NULL,
    address BLOB,
    discriminator BLOB,
    data BLOB,
    data_hash BLOB,
    tree BLOB NOT NULL,
    queue BLOB NOT NULL,
    tree_type INTEGER NOT NULL,
    leaf_index INTEGER NOT NULL,
    seq INTEGER,
    slot INTEGER NOT NULL,
    signature BLOB NOT NULL,
    spent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS accounts_by_owner ON accounts (owner, spent, leaf_index, hash);
CREATE INDEX IF NOT EXISTS accounts_by_address ON accounts (address, slot) WHERE address IS NOT NULL;
CREATE TABLE IF NOT EXISTS transactions (
    signature BLOB PRIMARY KEY,
    slot INTEGER NOT NULL,
    block_time INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transactions_by_slot ON transactions (slot, signature);
CREATE TABLE IF NOT EXISTS owner_transactions (
    owner BLOB NOT NULL,
    signature BLOB NOT NULL,
    slot INTEGER NOT NULL,
    PRIMARY KEY (owner, slot, signature)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nullifications (
    hash BLOB PRIMARY KEY,
    signature BLOB NOT NULL,
    slot INTEGER NOT NULL,
    tx_hash BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS nullifications_by_signature ON nullifications (signature);
CREATE TABLE IF NOT EXISTS checkpoint (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    hash BLOB PRIMARY KEY,
    leaf_index INTEGER NOT NULL,
    kind BLOB,
    inbox BLOB,
    thread_id BLOB,
    thread_from BLOB,
    thread_to BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_thread ON records (inbox, thread_id, kind, leaf_index, hash);
CREATE INDEX IF NOT EXISTS records_by_inbox ON records (inbox, kind, leaf_index, hash);
CREATE INDEX IF NOT EXISTS records_by_from ON records (thread_from, leaf_index, hash) WHERE kind = X'01';
CREATE INDEX IF NOT EXISTS records_by_to ON records (thread_to, leaf_index, hash) WHERE kind = X'01';
CREATE TABLE IF NOT EXISTS inbox_activity (
    inbox BLOB NOT NULL,
    slot INTEGER NOT NULL,
    signature BLOB NOT NULL,
    position INTEGER NOT NULL,
    block_time INTEGER,
    instruction TEXT,
    thread_id INTEGER,
    signer BLOB,
    detail TEXT NOT NULL,
    PRIMARY KEY (signature, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inbox_activity_by_inbox ON inbox_activity (inbox, slot, signature, position);
CREATE INDEX IF NOT EXISTS inbox_activity_by_thread ON inbox_activity (inbox, thread_id, slot, signature, position);
CREATE TABLE IF NOT EXISTS token_accounts (
    hash BLOB PRIMARY KEY,
    mint BLOB NOT NULL,
    owner BLOB NOT NULL,
    amount_hi INTEGER NOT NULL,
    amount_lo INTEGER NOT NULL,
    delegate BLOB,
    state INTEGER NOT NULL,
    tlv BLOB,
    leaf_index INTEGER NOT NULL,
    spent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS token_accounts_by_owner ON token_accounts (owner, spent, mint, hash);
CREATE INDEX IF NOT EXISTS token_accounts_by_delegate ON token_accounts (delegate, spent, mint, hash) WHERE delegate IS NOT NULL;
CREATE INDEX IF NOT EXISTS token_accounts_by_mint ON token_accounts (mint, spent, owner, amount_hi, amount_lo);
CREATE TABLE IF NOT EXISTS token_owner_transactions (
    owner BLOB NOT NULL,
    slot INTEGER NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (owner, slot, signature)
) WITHOUT ROWID;
"""


def postgres_schema() -> str:
    """:data:`SCHEMA` in PostgreSQL's words."""
    return (
        SCHEMA.replace("BLOB", "BYTEA")
        .replace("INTEGER", "BIGINT")
        .replace(" WITHOUT ROWID", "")
        .replace("X'01'", _PostgresDb.bytes_literal(b"\x01"))
    )


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A stored compressed account."""

    hash: bytes
    owner: Pubkey
    lamports: int
    address: bytes | None
    discriminator: bytes | None
    data: bytes | None
    data_hash: bytes | None
    tree: Pubkey
    queue: Pubkey
    tree_type: int
    leaf_index: int
    seq: int | None
    slot: int


_ACCOUNT_COLUMNS = "hash, owner, lamports, address, discriminator, data, data_hash, tree, queue, tree_type, leaf_index, seq, slot"
_QUALIFIED_COLUMNS = ", ".join(f"a.{c.strip()}" for c in _ACCOUNT_COLUMNS.split(","))


def _row(r: Sequence[Any]) -> AccountRow:
    return AccountRow(
        bytes(r[0]),
        Pubkey(bytes(r[1])),
        int(r[2]),
        None if r[3] is None else bytes(r[3]),
        None if r[4] is None else bytes(r[4]),
        None if r[5] is None else bytes(r[5]),
        None if r[6] is None else bytes(r[6]),
        Pubkey(bytes(r[7])),
        Pubkey(bytes(r[8])),
        int(r[9]),
        int(r[10]),
        None if r[11] is None else int(r[11]),
        int(r[12]),
    )


class _Db:
    """The few operations the store needs from a DB-API connection, in one SQL dialect."""

    placeholder = "?"
    ignore_conflict = "INSERT OR IGNORE INTO"
    ignore_suffix = ""
    greatest = "max"
    explain = "EXPLAIN QUERY PLAN "

    def __init__(self, conn: Any, begin: str) -> None:
        self.conn = conn
        self.begin = begin

    @staticmethod
    def bytes_literal(raw: bytes) -> str:
        """``raw`` as an SQL literal of the dialect's byte-string type."""
        return f"X'{raw.hex()}'"

    def sql(self, text: str) -> str:
        return text.replace("?", self.placeholder) if self.placeholder != "?" else text

    def execute(self, text: str, params: Sequence[object] = ()) -> Any:
        return self.conn.execute(self.sql(text), tuple(params))


class _PostgresDb(_Db):
    placeholder = "%s"
    ignore_conflict = "INSERT INTO"
    ignore_suffix = " ON CONFLICT DO NOTHING"
    greatest = "GREATEST"
    explain = "EXPLAIN "

    @staticmethod
    def bytes_literal(raw: bytes) -> str:
        """``raw`` as a bytea literal."""
        return f"'\\x{raw.hex()}'::bytea"


class _StoreBase:
    """A connection in one dialect, its lock (the store is thread-safe) and transactions."""

    def __init__(self, db: _Db) -> None:
        self._db = db
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the database."""
        self._db.conn.close()

    @contextmanager
    def _tx(self) -> Iterator[_Db]:
        with self._lock:
            self._db.execute(self._db.begin)
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
