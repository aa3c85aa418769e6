"""The store's compressed-token part.

Token rows are written with their accounts (same database transaction) and read by the queries
behind Photon's token methods; u64 amounts stay exact in signed SQL integers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey

from solinbox.indexer._sql import (
    _ACCOUNT_COLUMNS,
    _QUALIFIED_COLUMNS,
    AccountRow,
    _Db,
    _row,
    _StoreBase,
)
from solinbox.indexer.tokens import AccountState, TokenData, TokenDataError, token_data_of
from solinbox.light.events import NewCompressedAccount
from solinbox.light.ids import COMPRESSED_TOKEN_PROGRAM_ID

log = logging.getLogger("solinbox.indexer.store")

#: Version of the ``token_accounts`` content; a database without it is re-indexed on open.
_TOKEN_INDEX_VERSION = "1"
_TOKEN_INSERT = "token_accounts (hash, mint, owner, amount_hi, amount_lo, delegate, state, tlv, leaf_index, spent) VALUES (?,?,?,?,?,?,?,?,?,?)"
#: Token amounts are u64 and SQL integers i64: an amount is stored as its high and low 32 bits,
#: whose column sums are exact in i64 up to 2**31 accounts; Python recombines them.
_LOW_BITS = 32
_LOW_MASK = (1 << _LOW_BITS) - 1
_TOKEN_COLUMNS = "k.mint, k.owner, k.amount_hi, k.amount_lo, k.delegate, k.state, k.tlv"


@dataclass(frozen=True, slots=True)
class TokenAccountRow:
    """A stored compressed token account: the account and its decoded token data."""

    account: AccountRow
    token: TokenData


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


class _TokenStore(_StoreBase):
    """Token accounts of the store.

    :meth:`_insert_token` / :meth:`_spend_token` run inside the store's write transaction; the
    ``token_*`` queries read them.
    """

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

    @staticmethod
    def _insert_token(db: _Db, o: NewCompressedAccount, slot: int, sig: bytes) -> None:
        token = _decode_token(o.hash, o.owner, o.discriminator, o.data)
        if token is not None:
            db.execute(
                f"{db.ignore_conflict} {_TOKEN_INSERT}{db.ignore_suffix}",
                _token_params(o.hash, token, o.leaf_index, 0),
            )
            db.execute(
                f"{db.ignore_conflict} token_owner_transactions VALUES (?, ?, ?){db.ignore_suffix}",
                (bytes(token.owner), slot, sig),
            )

    @staticmethod
    def _spend_token(db: _Db, hash: bytes, slot: int, sig: bytes) -> None:
        db.execute("UPDATE token_accounts SET spent = 1 WHERE hash = ?", (hash,))
        db.execute(
            f"{db.ignore_conflict} token_owner_transactions SELECT owner, ?, ? FROM token_accounts WHERE hash = ?{db.ignore_suffix}",
            (slot, sig, hash),
        )

    # -- reading ------------------------------------------------------------------
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
