"""Storage of indexed compressed accounts: SQLite (embedded, zero setup) or PostgreSQL.

The checkpoint is the highest slot whose block is completely indexed. A block's transactions
are applied in one database transaction together with that checkpoint (:meth:`apply_block`),
and a transaction only if its signature is not stored yet: applying it twice, or crashing at any
point and replaying from the checkpoint, leaves the same state as an uninterrupted run.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solders.pubkey import Pubkey
from solders.signature import Signature

from solinbox.indexer._sql import (
    _ACCOUNT_COLUMNS,
    _QUALIFIED_COLUMNS,
    SCHEMA,
    AccountRow,
    _Db,
    _PostgresDb,
    _row,
    postgres_schema,
)
from solinbox.indexer._token_store import TokenAccountRow, _TokenStore
from solinbox.indexer.inbox import InboxActivity
from solinbox.light.events import NewCompressedAccount
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.records import (
    OFFSET_INBOX,
    OFFSET_KIND,
    OFFSET_THREAD_ID,
    THREAD_FROM_OFFSET,
    THREAD_TO_OFFSET,
)

__all__ = [
    "RECORD_COLUMNS",
    "AccountRow",
    "ActivityRow",
    "IndexedTransaction",
    "PostgresStore",
    "SignatureRow",
    "SpentAccount",
    "SqliteStore",
    "TokenAccountRow",
]

log = logging.getLogger("solinbox.indexer.store")
_MAX_DATA = 1 << 31  # far beyond any compressed account's data (bounded by a transaction)

#: The record-prefix columns: ``records.<column>`` holds ``data[offset:offset + length]`` of
#: every account the inbox program owns (NULL when the data is shorter), so a memcmp filter
#: with exactly that offset and length is answered from an index instead of a scan.
RECORD_COLUMNS: tuple[tuple[str, int, int], ...] = (
    ("kind", OFFSET_KIND, 1),
    ("inbox", OFFSET_INBOX, 32),
    ("thread_id", OFFSET_THREAD_ID, 8),
    ("thread_from", THREAD_FROM_OFFSET, 32),
    ("thread_to", THREAD_TO_OFFSET, 32),
)
_RECORD_FILTERS = {(offset, length): column for column, offset, length in RECORD_COLUMNS}
_RECORD_SELECT = "SELECT hash, leaf_index, " + ", ".join(
    f"CASE WHEN length(data) >= {offset + length} THEN substr(data, {offset + 1}, {length}) END"
    for _, offset, length in RECORD_COLUMNS
)
_RECORD_INSERT = f"records (hash, leaf_index, {', '.join(c for c, _, _ in RECORD_COLUMNS)}) "


@dataclass(frozen=True, slots=True)
class SpentAccount:
    """An input a transaction nullified, with the transaction's Light ``tx_hash``.

    (A V2 nullifier is ``Poseidon(hash, leaf_index, tx_hash)``.)
    """

    hash: bytes
    tx_hash: bytes


@dataclass(frozen=True, slots=True)
class IndexedTransaction:
    """What the indexer keeps of one successful transaction."""

    signature: Signature
    slot: int
    block_time: int | None
    outputs: tuple[NewCompressedAccount, ...]
    activity: tuple[InboxActivity, ...] = ()
    spent: tuple[SpentAccount, ...] = ()


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """A stored invocation of the inbox program (:class:`~solinbox.indexer.inbox.InboxActivity`)."""

    signature: Signature
    position: int
    slot: int
    block_time: int | None
    instruction: str | None
    inbox: Pubkey | None
    thread_id: int | None
    signer: Pubkey | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SignatureRow:
    """A stored compression transaction."""

    signature: Signature
    slot: int
    block_time: int | None


class _SqlStore(_TokenStore):
    """The store's logic over a :class:`_Db` (SQLite or PostgreSQL). Thread-safe."""

    def __init__(self, db: _Db, program_id: Pubkey) -> None:
        super().__init__(db)
        self.program_id = program_id
        self._index_records()
        self._index_tokens()

    def _index_records(self) -> None:
        """Fill ``records`` from the stored accounts if it was made for another program id.

        A database written before the table existed, or for another deployment, is brought up
        to date once, on open; afterwards every insert maintains it.
        """
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'records_program'").fetchone()
            if row is not None and row[0] == str(self.program_id):
                return
            db.execute("DELETE FROM records")
            db.execute(
                f"{db.ignore_conflict} {_RECORD_INSERT}{_RECORD_SELECT} FROM accounts WHERE owner = ?{db.ignore_suffix}",
                (bytes(self.program_id),),
            )
            db.execute("DELETE FROM meta WHERE key = 'records_program'")
            db.execute("INSERT INTO meta VALUES ('records_program', ?)", (str(self.program_id),))
        if row is not None:
            log.info("re-indexed the records of %s", self.program_id)

    # -- writing ----------------------------------------------------------------------------------
    def apply(self, tx: IndexedTransaction) -> bool:
        """Store one transaction once (the checkpoint does not move); False if already stored."""
        with self._tx() as db:
            return self._insert(db, tx)

    def apply_block(self, slot: int, txs: Sequence[IndexedTransaction]) -> int:
        """Store a whole block's transactions and move the checkpoint to ``slot``, atomically."""
        with self._tx() as db:
            stored = sum(self._insert(db, tx) for tx in txs)
            self._checkpoint(db, slot)
        return stored

    @staticmethod
    def _checkpoint(db: _Db, slot: int) -> None:
        db.execute(
            "INSERT INTO checkpoint VALUES ('slot', ?) ON CONFLICT(key) DO UPDATE SET "
            f"value = {db.greatest}(checkpoint.value, excluded.value)",
            (slot,),
        )

    def _insert(self, db: _Db, tx: IndexedTransaction) -> bool:
        sig = bytes(tx.signature)
        stored = False
        if (tx.outputs or tx.spent) and not db.execute(
            "SELECT 1 FROM transactions WHERE signature = ?", (sig,)
        ).fetchone():
            stored = True
            db.execute("INSERT INTO transactions VALUES (?, ?, ?)", (sig, tx.slot, tx.block_time))
            for spent in tx.spent:
                db.execute(
                    f"{db.ignore_conflict} nullifications VALUES (?, ?, ?, ?){db.ignore_suffix}",
                    (spent.hash, sig, tx.slot, spent.tx_hash),
                )
                db.execute("UPDATE accounts SET spent = 1 WHERE hash = ?", (spent.hash,))
                db.execute(
                    f"{db.ignore_conflict} owner_transactions SELECT owner, ?, ? FROM accounts WHERE hash = ?{db.ignore_suffix}",
                    (sig, tx.slot, spent.hash),
                )
                self._spend_token(db, spent.hash, tx.slot, sig)
            for o in tx.outputs:
                db.execute(
                    f"{db.ignore_conflict} accounts ({_ACCOUNT_COLUMNS}, signature) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?){db.ignore_suffix}",
                    (o.hash, bytes(o.owner), o.lamports, o.address, o.discriminator, o.data, o.data_hash,
                     bytes(o.tree), bytes(o.queue), int(o.tree_type), o.leaf_index,
                     o.seq if int(o.tree_type) == 1 else None, tx.slot, sig),
                )  # fmt: skip
                db.execute(
                    f"{db.ignore_conflict} owner_transactions VALUES (?, ?, ?){db.ignore_suffix}",
                    (bytes(o.owner), sig, tx.slot),
                )
                if o.owner == self.program_id:
                    db.execute(
                        f"{db.ignore_conflict} {_RECORD_INSERT}{_RECORD_SELECT} FROM accounts WHERE hash = ?{db.ignore_suffix}",
                        (o.hash,),
                    )
                self._insert_token(db, o, tx.slot, sig)
        for a in tx.activity:
            cursor = db.execute(
                f"{db.ignore_conflict} inbox_activity VALUES (?,?,?,?,?,?,?,?,?){db.ignore_suffix}",
                (b"" if a.inbox is None else bytes(a.inbox), tx.slot, sig, a.position,
                 tx.block_time, a.instruction, a.thread_id,
                 None if a.signer is None else bytes(a.signer), json.dumps(a.detail())),
            )  # fmt: skip
            stored = stored or cursor.rowcount == 1
        return stored

    def advance(self, slot: int) -> None:
        """Record that every block up to ``slot`` is completely indexed."""
        with self._tx() as db:
            self._checkpoint(db, slot)

    # -- reading ----------------------------------------------------------------------------------
    def slot(self) -> int:
        """The checkpoint: the highest slot fully indexed (0 when empty)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM checkpoint WHERE key = 'slot'").fetchone()
        return int(row[0]) if row else 0

    def account(
        self, *, hash: bytes | None = None, address: bytes | None = None
    ) -> AccountRow | None:
        """One account by hash or by address."""
        column, value = ("hash", hash) if hash is not None else ("address", address)
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {column} = ? ORDER BY slot DESC LIMIT 1",
                (value,),
            ).fetchone()
        return _row(row) if row else None

    def _owner_query(
        self,
        owner: Pubkey,
        filters: Sequence[tuple[int, bytes]],
        cursor: bytes | None,
        limit: int,
    ) -> tuple[str, list[object]]:
        mapped = owner == self.program_id and any(
            (offset, len(raw)) in _RECORD_FILTERS for offset, raw in filters
        )
        # the inbox program's records: filters on the record prefix go through `records`' indexes
        table = "records r JOIN accounts a ON a.hash = r.hash" if mapped else "accounts a"
        order = "r" if mapped else "a"
        sql = f"SELECT {_QUALIFIED_COLUMNS} FROM {table} WHERE a.owner = ? AND a.spent = 0"
        params: list[object] = [bytes(owner)]
        for offset, raw in filters:
            column = _RECORD_FILTERS.get((offset, len(raw))) if mapped else None
            if column == "kind":
                # a literal, so the planner can pick the partial indexes (thread headers only)
                sql += f" AND r.kind = {self._db.bytes_literal(raw)}"
            elif column is not None:
                sql += f" AND r.{column} = ?"
                params.append(raw)
            else:
                sql += " AND substr(a.data, ?, ?) = ?"
                params += [offset + 1, len(raw), raw]
        if cursor is not None:
            sql += (
                f" AND ({order}.leaf_index, {order}.hash) >"
                " (SELECT leaf_index, hash FROM accounts WHERE hash = ?)"
            )
            params.append(cursor)
        sql += f" ORDER BY {order}.leaf_index, {order}.hash LIMIT ?"
        params.append(limit)
        return sql, params

    def accounts_by_owner(
        self,
        owner: Pubkey,
        filters: Sequence[tuple[int, bytes]] = (),
        cursor: bytes | None = None,
        limit: int = 1000,
    ) -> list[AccountRow]:
        """Unspent accounts of ``owner`` matching every memcmp filter, ordered by (leaf_index, hash).

        The cursor is the last item's hash and is resumed by position in the same order, so
        pages neither skip nor repeat (unlike Photon's hash-only comparison). For the inbox
        program's own accounts, filters on the record prefix (:data:`RECORD_COLUMNS`) are
        answered from the ``records`` indexes; the result is the same as a scan's.
        """
        if any(offset + len(raw) > _MAX_DATA for offset, raw in filters):
            return []  # no account holds data that long (and SQL integers could not say so)
        sql, params = self._owner_query(owner, filters, cursor, limit)
        with self._lock:
            return [_row(r) for r in self._db.execute(sql, params).fetchall()]

    def explain_accounts_by_owner(
        self, owner: Pubkey, filters: Sequence[tuple[int, bytes]] = ()
    ) -> str:
        """The database's plan for :meth:`accounts_by_owner` (which indexes it uses)."""
        sql, params = self._owner_query(owner, filters, None, 100)
        with self._lock:
            rows = self._db.execute(self._db.explain + sql, params).fetchall()
        return "\n".join(str(r[-1]) for r in rows)

    def closed_by_signature(self, signature: bytes) -> list[tuple[AccountRow, bytes]]:
        """The accounts a transaction nullified, with its Light ``tx_hash``, in leaf order."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_QUALIFIED_COLUMNS}, n.tx_hash FROM nullifications n JOIN accounts a ON a.hash = n.hash WHERE n.signature = ? ORDER BY a.leaf_index, a.hash",
                (signature,),
            ).fetchall()
        return [(_row(r), bytes(r[-1])) for r in rows]

    def accounts_by_signature(self, signature: bytes) -> list[AccountRow]:
        """The accounts a transaction created, in leaf order."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE signature = ? ORDER BY leaf_index, hash",
                (signature,),
            ).fetchall()
        return [_row(r) for r in rows]

    def balance_by_owner(self, owner: Pubkey) -> int:
        """Total lamports of ``owner``'s unspent compressed accounts."""
        with self._lock:
            row = self._db.execute("SELECT COALESCE(SUM(lamports), 0) FROM accounts WHERE owner = ? AND spent = 0",
                                   (bytes(owner),)).fetchone()  # fmt: skip
        return int(row[0])

    def signatures_for_account(self, hash: bytes) -> list[SignatureRow]:
        """The transactions that created and (if it is spent) nullified the account, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT t.signature, t.slot, t.block_time FROM transactions t WHERE t.signature IN"
                " (SELECT signature FROM accounts WHERE hash = ?"
                "  UNION SELECT signature FROM nullifications WHERE hash = ?)"
                " ORDER BY t.slot DESC, t.signature DESC",
                (hash, hash),
            ).fetchall()
        return [SignatureRow(Signature.from_bytes(bytes(r[0])), int(r[1]), r[2]) for r in rows]

    def signatures(
        self,
        owner: Pubkey | None = None,
        before: tuple[int, bytes] | None = None,
        limit: int = 1000,
        *,
        address: bytes | None = None,
        token_owner: Pubkey | None = None,
    ) -> list[SignatureRow]:
        """Compression signatures, newest first, after a cursor.

        All of them, those of one ``owner``'s accounts, those that created an account with
        ``address`` (every version of it), or those that created or spent a compressed token
        account whose token owner is ``token_owner``.
        """
        order = "t"
        if token_owner is not None:
            # (owner, slot, signature) is the table's key: pages come straight off it
            sql = "SELECT t.signature, t.slot, t.block_time FROM token_owner_transactions o JOIN transactions t ON o.signature = t.signature WHERE o.owner = ?"
            params: list[object] = [bytes(token_owner)]
            order = "o"
        elif address is not None:
            sql = "SELECT DISTINCT t.signature, t.slot, t.block_time FROM accounts a JOIN transactions t ON a.signature = t.signature WHERE a.address = ?"
            params = [address]
        elif owner is not None:
            # (owner, slot, signature) is the table's key: pages come straight off it
            sql = "SELECT t.signature, t.slot, t.block_time FROM owner_transactions o JOIN transactions t ON o.signature = t.signature WHERE o.owner = ?"
            params = [bytes(owner)]
            order = "o"
        else:
            sql = "SELECT signature, slot, block_time FROM transactions t WHERE 1 = 1"
            params = []
        if before is not None:
            sql += f" AND ({order}.slot, {order}.signature) < (?, ?)"
            params += [before[0], before[1]]
        sql += f" ORDER BY {order}.slot DESC, {order}.signature DESC LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [SignatureRow(Signature.from_bytes(bytes(r[0])), int(r[1]), r[2]) for r in rows]

    def inbox_activity(
        self,
        inbox: Pubkey,
        thread_id: int | None = None,
        before: tuple[int, bytes, int] | None = None,
        limit: int = 1000,
    ) -> list[ActivityRow]:
        """The inbox program's instructions on ``inbox`` (optionally one thread), newest first.

        ``before`` is a position ``(slot, signature, position)``: only older rows are returned.
        """
        sql = (
            "SELECT signature, position, slot, block_time, instruction, inbox, thread_id, signer,"
            " detail FROM inbox_activity WHERE inbox = ?"
        )
        params: list[object] = [bytes(inbox)]
        if thread_id is not None:
            sql += " AND thread_id = ?"
            params.append(thread_id)
        if before is not None:
            sql += " AND (slot, signature, position) < (?, ?, ?)"
            params += list(before)
        sql += " ORDER BY slot DESC, signature DESC, position DESC LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [
            ActivityRow(
                Signature.from_bytes(bytes(r[0])),
                int(r[1]),
                int(r[2]),
                None if r[3] is None else int(r[3]),
                r[4],
                Pubkey(bytes(r[5])) if r[5] else None,
                None if r[6] is None else int(r[6]),
                None if r[7] is None else Pubkey(bytes(r[7])),
                json.loads(r[8]),
            )
            for r in rows
        ]

    def count(self) -> int:
        """Number of stored accounts."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM accounts").fetchone()[0])


class SqliteStore(_SqlStore):
    """The SQLite store (embedded, the default; ``":memory:"`` for a throwaway one)."""

    def __init__(self, path: str | Path = ":memory:", *, program_id: Pubkey = PROGRAM_ID) -> None:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-65536")
        conn.executescript(SCHEMA)
        super().__init__(_Db(conn, "BEGIN IMMEDIATE"), program_id)


class PostgresStore(_SqlStore):
    """The PostgreSQL store, for scale (``pip install 'solinbox[postgres]'``): same behaviour.

    ``dsn`` is a libpq connection string, e.g. ``"host=127.0.0.1 port=5432 dbname=solinbox"``.
    """

    def __init__(self, dsn: str, *, program_id: Pubkey = PROGRAM_ID) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - the extra is installed in the test env
            raise ImportError(
                "PostgresStore needs psycopg: pip install 'solinbox[postgres]'"
            ) from exc
        conn = psycopg.connect(dsn, autocommit=True)
        for statement in postgres_schema().split(";"):
            if statement.strip():
                conn.execute(statement)
        super().__init__(_PostgresDb(conn, "BEGIN ISOLATION LEVEL SERIALIZABLE"), program_id)
