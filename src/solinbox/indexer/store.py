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
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solders.pubkey import Pubkey
from solders.signature import Signature

from solinbox.indexer.inbox import InboxActivity
from solinbox.indexer.tokens import AccountState, TokenData, TokenDataError, token_data_of
from solinbox.light.events import NewCompressedAccount
from solinbox.light.ids import COMPRESSED_TOKEN_PROGRAM_ID
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

_SCHEMA = """
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
);
CREATE INDEX IF NOT EXISTS transactions_by_slot ON transactions (slot, signature);
CREATE TABLE IF NOT EXISTS owner_transactions (
    owner BLOB NOT NULL,
    signature BLOB NOT NULL,
    slot INTEGER NOT NULL,
    PRIMARY KEY (owner, signature)
);
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

#: Version of the ``token_accounts`` content; a database without it is re-indexed on open.
_TOKEN_INDEX_VERSION = "1"
_TOKEN_INSERT = "token_accounts (hash, mint, owner, amount_hi, amount_lo, delegate, state, tlv, leaf_index, spent) VALUES (?,?,?,?,?,?,?,?,?,?)"
#: Token amounts are u64 and SQL integers i64: an amount is stored as its high and low 32 bits,
#: whose column sums are exact in i64 up to 2**31 accounts; Python recombines them.
_LOW_BITS = 32
_LOW_MASK = (1 << _LOW_BITS) - 1
_TOKEN_COLUMNS = "k.mint, k.owner, k.amount_hi, k.amount_lo, k.delegate, k.state, k.tlv"


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


@dataclass(frozen=True, slots=True)
class TokenAccountRow:
    """A stored compressed token account: the account and its decoded token data."""

    account: AccountRow
    token: TokenData


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


_ACCOUNT_COLUMNS = "hash, owner, lamports, address, discriminator, data, data_hash, tree, queue, tree_type, leaf_index, seq, slot"
_MAX_DATA = 1 << 31  # far beyond any compressed account's data (bounded by a transaction)
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


def _amount(hi: Any, lo: Any) -> int:
    """A u64 amount (or an exact sum of them) from its high and low 32-bit parts (or their sums)."""
    return (int(hi) << _LOW_BITS) + int(lo)


def _token(r: Sequence[Any]) -> TokenData:
    """Token data from the columns of :data:`_TOKEN_COLUMNS`."""
    return TokenData(
        Pubkey(bytes(r[0])),
        Pubkey(bytes(r[1])),
        _amount(r[2], r[3]),
        None if r[4] is None else Pubkey(bytes(r[4])),
        AccountState(int(r[5])),
        None if r[6] is None else bytes(r[6]),
    )


def _token_params(hash: bytes, token: TokenData, leaf_index: int, spent: int) -> tuple[object, ...]:
    return (hash, bytes(token.mint), bytes(token.owner), token.amount >> _LOW_BITS,
            token.amount & _LOW_MASK, None if token.delegate is None else bytes(token.delegate),
            int(token.state), token.tlv, leaf_index, spent)  # fmt: skip


def _decode_token(
    hash: bytes, owner: Pubkey, discriminator: bytes | None, data: bytes | None
) -> TokenData | None:
    """The token data of an account, None if it is not a (well-formed) token account.

    A malformed token account stays a plain compressed account; it only gets no token row.
    """
    try:
        return token_data_of(owner, discriminator, data)
    except TokenDataError as exc:
        log.warning("compressed token account %s is malformed (%s): no token row", hash.hex(), exc)
        return None


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


class _SqlStore:
    """The store's logic over a :class:`_Db` (SQLite or PostgreSQL). Thread-safe."""

    def __init__(self, db: _Db, program_id: Pubkey) -> None:
        self._db = db
        self._lock = threading.RLock()
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

    def _index_tokens(self) -> None:
        """Fill ``token_accounts`` and ``token_owner_transactions`` from the stored accounts.

        Done once for a database written before the token tables existed (or by an older token
        decoder); afterwards every insert maintains them, in the same database transaction.
        """
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'token_accounts'").fetchone()
            if row is not None and row[0] == _TOKEN_INDEX_VERSION:
                return
            db.execute("DELETE FROM token_accounts")
            db.execute("DELETE FROM token_owner_transactions")
            accounts = db.execute(
                "SELECT hash, discriminator, data, leaf_index, spent, slot, signature FROM accounts WHERE owner = ?",
                (bytes(COMPRESSED_TOKEN_PROGRAM_ID),),
            ).fetchall()
            for hash_, discriminator, data, leaf_index, spent, slot, signature in accounts:
                hash_ = bytes(hash_)
                token = _decode_token(
                    hash_, COMPRESSED_TOKEN_PROGRAM_ID,
                    None if discriminator is None else bytes(discriminator),
                    None if data is None else bytes(data),
                )  # fmt: skip
                if token is None:
                    continue
                db.execute(
                    f"{db.ignore_conflict} {_TOKEN_INSERT}{db.ignore_suffix}",
                    _token_params(hash_, token, int(leaf_index), int(spent)),
                )
                db.execute(
                    f"{db.ignore_conflict} token_owner_transactions VALUES (?, ?, ?){db.ignore_suffix}",
                    (bytes(token.owner), slot, signature),
                )
            db.execute(
                f"{db.ignore_conflict} token_owner_transactions SELECT k.owner, n.slot, n.signature"
                f" FROM nullifications n JOIN token_accounts k ON k.hash = n.hash{db.ignore_suffix}"
            )
            db.execute("DELETE FROM meta WHERE key = 'token_accounts'")
            db.execute("INSERT INTO meta VALUES ('token_accounts', ?)", (_TOKEN_INDEX_VERSION,))
        if accounts:
            log.info("indexed the token data of %d compressed-token accounts", len(accounts))

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
                db.execute("UPDATE token_accounts SET spent = 1 WHERE hash = ?", (spent.hash,))
                db.execute(
                    f"{db.ignore_conflict} token_owner_transactions SELECT owner, ?, ? FROM token_accounts WHERE hash = ?{db.ignore_suffix}",
                    (tx.slot, sig, spent.hash),
                )
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
                token = _decode_token(o.hash, o.owner, o.discriminator, o.data)
                if token is not None:
                    db.execute(
                        f"{db.ignore_conflict} {_TOKEN_INSERT}{db.ignore_suffix}",
                        _token_params(o.hash, token, o.leaf_index, 0),
                    )
                    db.execute(
                        f"{db.ignore_conflict} token_owner_transactions VALUES (?, ?, ?){db.ignore_suffix}",
                        (bytes(token.owner), tx.slot, sig),
                    )
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
            sql = "SELECT t.signature, t.slot, t.block_time FROM owner_transactions o JOIN transactions t ON o.signature = t.signature WHERE o.owner = ?"
            params = [bytes(owner)]
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

    # -- compressed token accounts ------------------------------------------------------------------
    def token_accounts(
        self,
        *,
        owner: Pubkey | None = None,
        delegate: Pubkey | None = None,
        mint: Pubkey | None = None,
        cursor: tuple[bytes, bytes] | None = None,
        limit: int = 1000,
    ) -> list[TokenAccountRow]:
        """Unspent token accounts of a token ``owner`` (or ``delegate``), ordered by (mint, hash).

        ``cursor`` is the last item's ``(mint, hash)``; pages resume after it by position, so they
        neither skip nor repeat (Photon's own order and cursor). With a ``mint`` only the hash is
        compared, as Photon does.
        """
        if owner is not None and delegate is None:
            column, key = "owner", owner
        elif delegate is not None and owner is None:
            column, key = "delegate", delegate
        else:
            raise ValueError("give exactly one of owner and delegate")
        sql = (
            f"SELECT {_QUALIFIED_COLUMNS}, {_TOKEN_COLUMNS} FROM token_accounts k"
            f" JOIN accounts a ON a.hash = k.hash WHERE k.{column} = ? AND k.spent = 0"
        )
        params: list[object] = [bytes(key)]
        if mint is not None:
            sql += " AND k.mint = ?"
            params.append(bytes(mint))
        if cursor is not None:
            if mint is not None:
                sql += " AND k.hash > ?"
                params.append(cursor[1])
            else:
                sql += " AND (k.mint, k.hash) > (?, ?)"
                params += [cursor[0], cursor[1]]
        sql += " ORDER BY k.mint, k.hash LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        width = len(_ACCOUNT_COLUMNS.split(","))
        return [TokenAccountRow(_row(r[:width]), _token(r[width:])) for r in rows]

    def token_account_balance(
        self, *, hash: bytes | None = None, address: bytes | None = None
    ) -> int | None:
        """The amount of an unspent token account by hash or address (None: there is none)."""
        if hash is not None:
            sql = "SELECT amount_hi, amount_lo FROM token_accounts WHERE hash = ? AND spent = 0"
            params: tuple[bytes | None] = (hash,)
        else:
            sql = (
                "SELECT k.amount_hi, k.amount_lo FROM token_accounts k JOIN accounts a"
                " ON a.hash = k.hash WHERE a.address = ? AND k.spent = 0 ORDER BY a.slot DESC LIMIT 1"
            )
            params = (address,)
        with self._lock:
            row = self._db.execute(sql, params).fetchone()
        return None if row is None else _amount(row[0], row[1])

    def token_balances_by_owner(
        self,
        owner: Pubkey,
        mint: Pubkey | None = None,
        after: bytes | None = None,
        limit: int = 1000,
    ) -> list[tuple[Pubkey, int]]:
        """``(mint, balance)`` of a token owner's unspent accounts, by mint, mints after ``after``.

        Balances are exact sums of u64 amounts (Python integers).
        """
        sql = (
            "SELECT mint, CAST(SUM(amount_hi) AS BIGINT), CAST(SUM(amount_lo) AS BIGINT)"
            " FROM token_accounts WHERE owner = ? AND spent = 0"
        )
        params: list[object] = [bytes(owner)]
        if mint is not None:
            sql += " AND mint = ?"
            params.append(bytes(mint))
        elif after is not None:
            sql += " AND mint > ?"
            params.append(after)
        sql += " GROUP BY mint ORDER BY mint LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [(Pubkey(bytes(r[0])), _amount(r[1], r[2])) for r in rows]

    def mint_token_holders(
        self, mint: Pubkey, before: tuple[int, bytes] | None = None, limit: int = 1000
    ) -> list[tuple[Pubkey, int]]:
        """``(owner, balance)`` of every holder of ``mint``, by balance then owner, descending.

        ``before`` is the last item's ``(balance, owner)`` (Photon's cursor): only holders after
        it in that order are returned. The order is computed in SQL on the balance normalized to
        ``(high, low)`` 32-bit parts, so it is exact for any u64 sum.
        """
        base = 1 << _LOW_BITS
        sums = (
            "SELECT owner, CAST(SUM(amount_hi) AS BIGINT) AS hi, CAST(SUM(amount_lo) AS BIGINT) AS lo"
            " FROM token_accounts WHERE mint = ? AND spent = 0 GROUP BY owner"
        )
        # carry the low sum's overflow into the high part (integer division in both dialects;
        # no `%`, which psycopg reads as a placeholder)
        parts = (
            f"SELECT owner, hi + lo / {base} AS hi, lo - lo / {base} * {base} AS lo FROM ({sums}) s"
        )
        sql = f"SELECT owner, hi, lo FROM ({parts}) b"
        params: list[object] = [bytes(mint)]
        if before is not None:
            balance, last = before
            sql += " WHERE (hi, lo, owner) < (?, ?, ?)"
            params += [balance >> _LOW_BITS, balance & _LOW_MASK, last]
        sql += " ORDER BY hi DESC, lo DESC, owner DESC LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [(Pubkey(bytes(r[0])), _amount(r[1], r[2])) for r in rows]

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
        conn.executescript(_SCHEMA)
        super().__init__(_Db(conn, "BEGIN IMMEDIATE"), program_id)


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
        schema = (
            _SCHEMA.replace("BLOB", "BYTEA")
            .replace("INTEGER", "BIGINT")
            .replace(" WITHOUT ROWID", "")
            .replace("X'01'", _PostgresDb.bytes_literal(b"\x01"))
        )
        for statement in schema.split(";"):
            if statement.strip():
                conn.execute(statement)
        super().__init__(_PostgresDb(conn, "BEGIN ISOLATION LEVEL SERIALIZABLE"), program_id)
