"""The Photon API's methods over the store.

One handler per method; :meth:`_Methods.dispatch` maps names to them.
``getTransactionWithCompressionInfo`` and health live in the server: they call the RPC.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from solinbox._base58 import b58decode, b58encode
from solinbox.indexer._json import (
    _activity_cursor,
    _activity_json,
    _cursor_b58,
    _parse_activity_cursor,
    _parse_signature_cursor,
    _signature_json,
    _token_account_json,
    account_json,
)
from solinbox.indexer._rpc import (
    PAGE_LIMIT,
    RpcError,
    _b58,
    _base58_cursor,
    _hash,
    _invalid,
    _is_usize,
    _limit,
    _optional_pubkey,
    _params,
    _pubkey,
)
from solinbox.indexer.store import PostgresStore, SqliteStore


class _Methods:
    def __init__(self, store: SqliteStore | PostgresStore) -> None:
        self.store = store

    def ctx(self, value: Any) -> dict[str, Any]:
        return {"context": {"slot": self.store.slot()}, "value": value}

    def get_account(self, params: Any, v2: bool) -> Any:
        p = _params(params, {"address", "hash"})
        if p.get("hash") is not None:
            row = self.store.account(hash=_hash(p["hash"], "hash"))
        elif p.get("address") is not None:
            row = self.store.account(address=_hash(p["address"], "address"))
        else:
            raise RpcError(-32000, "Validation Error: Either address or hash must be provided")
        return self.ctx(account_json(row, v2=v2) if row else None)

    def get_multiple(self, params: Any, v2: bool) -> Any:
        p = _params(params, {"hashes", "addresses"})
        hashes, addresses = p.get("hashes"), p.get("addresses")
        if (hashes is None) == (addresses is None):
            raise RpcError(
                -32000, "Validation Error: Exactly one of hashes or addresses must be provided"
            )
        keys = hashes if hashes is not None else addresses
        if not isinstance(keys, list) or len(keys) > PAGE_LIMIT:
            raise _invalid(f"expected a list of at most {PAGE_LIMIT} keys")
        items = []
        for key in keys:
            raw = _hash(key, "hash")
            row = (
                self.store.account(hash=raw)
                if hashes is not None
                else self.store.account(address=raw)
            )
            items.append(account_json(row, v2=v2) if row else None)
        return self.ctx({"items": items})

    def by_owner(self, params: Any, v2: bool) -> Any:
        p = _params(params, {"owner", "filters", "dataSlice", "cursor", "limit"})
        owner = _pubkey(p.get("owner"), "owner")
        limit = _limit(p.get("limit"))
        filters: list[tuple[int, bytes]] = []
        raw_filters = p.get("filters") or []
        if not isinstance(raw_filters, list) or len(raw_filters) > 5:
            raise RpcError(-32000, "Validation Error: At most 5 filters are allowed")
        for f in raw_filters:
            memcmp = f.get("memcmp") if isinstance(f, dict) else None
            if (
                not isinstance(memcmp, dict)
                or not _is_usize(memcmp.get("offset"))
                or not isinstance(memcmp.get("bytes"), str)
            ):
                raise _invalid("filters must be [{memcmp: {offset: u64, bytes: base58}}]")
            try:
                filters.append((memcmp["offset"], b58decode(memcmp["bytes"])))
            except ValueError:
                raise _invalid("memcmp bytes must be base58") from None
        data_slice = None
        if (ds := p.get("dataSlice")) is not None:
            if (
                not isinstance(ds, dict)
                or not _is_usize(ds.get("offset"))
                or not _is_usize(ds.get("length"))
            ):
                raise _invalid("dataSlice must be {offset: u64, length: u64}")
            data_slice = (ds["offset"], ds["length"])
        cursor = _hash(p["cursor"], "cursor") if p.get("cursor") is not None else None
        rows = self.store.accounts_by_owner(owner, filters, cursor, limit)
        items = [account_json(r, v2=v2, data_slice=data_slice) for r in rows]
        next_cursor = _b58(rows[-1].hash) if len(rows) == limit else None
        return self.ctx({"items": items, "cursor": next_cursor})

    def balance(self, params: Any) -> Any:
        p = _params(params, {"address", "hash"})
        key = p.get("hash") or p.get("address")
        if key is None:
            raise RpcError(-32000, "Validation Error: Either address or hash must be provided")
        row = (
            self.store.account(hash=_hash(key, "hash"))
            if p.get("hash")
            else self.store.account(address=_hash(key, "address"))
        )
        if row is None:
            raise RpcError(-32000, f"Record Not Found: Account {key} not found")
        return self.ctx(row.lamports)

    def balance_by_owner(self, params: Any) -> Any:
        p = _params(params, {"owner"})
        return self.ctx(self.store.balance_by_owner(_pubkey(p.get("owner"), "owner")))

    def signatures_for_account(self, params: Any) -> Any:
        p = _params(params, {"hash"})
        rows = self.store.signatures_for_account(_hash(p.get("hash"), "hash"))
        return self.ctx({"items": [_signature_json(r) for r in rows]})

    def signatures_paginated(self, params: Any, key: str | None) -> Any:
        allowed = {"cursor", "limit"} | ({key} if key else set())
        p = _params(params, allowed)
        key_value = _pubkey(p.get(key), key) if key else None
        limit = _limit(p.get("limit"))
        before = _parse_signature_cursor(p["cursor"]) if p.get("cursor") is not None else None
        if key == "address" and key_value is not None:
            rows = self.store.signatures(None, before, limit, address=bytes(key_value))
        else:
            rows = self.store.signatures(key_value, before, limit)
        cursor = _cursor_b58(rows[-1]) if len(rows) == limit else None
        return self.ctx({"items": [_signature_json(r) for r in rows], "cursor": cursor})

    def token_accounts(self, params: Any, key: str, v2: bool) -> Any:
        """``getCompressedTokenAccountsBy{Owner,Delegate}(V2)``: ordered by (mint, hash)."""
        p = _params(params, {key, "mint", "cursor", "limit"})
        who = _pubkey(p.get(key), key)
        mint = _optional_pubkey(p, "mint")
        limit = _limit(p.get("limit"))
        raw = _base58_cursor(p.get("cursor"), 64)  # mint ‖ hash of the last item
        cursor = None if raw is None else (raw[:32], raw[32:])
        if key == "owner":
            rows = self.store.token_accounts(owner=who, mint=mint, cursor=cursor, limit=limit)
        else:
            rows = self.store.token_accounts(delegate=who, mint=mint, cursor=cursor, limit=limit)
        last = rows[-1] if len(rows) == limit else None
        next_cursor = (
            None if last is None else b58encode(bytes(last.token.mint) + last.account.hash)
        )
        items = [_token_account_json(r, v2=v2) for r in rows]
        return self.ctx({"items": items, "cursor": next_cursor})

    def token_account_balance(self, params: Any) -> Any:
        """``getCompressedTokenAccountBalance``: 0 for an unknown or spent account, like Photon."""
        p = _params(params, {"address", "hash"})
        address = _hash(p["address"], "address") if p.get("address") is not None else None
        hash_ = _hash(p["hash"], "hash") if p.get("hash") is not None else None
        if address is not None:  # Photon looks at the address first
            amount = self.store.token_account_balance(address=address)
        elif hash_ is not None:
            amount = self.store.token_account_balance(hash=hash_)
        else:
            raise RpcError(-32000, "Validation Error: Either address or hash must be provided")
        return self.ctx({"amount": amount or 0})

    def token_balances(self, params: Any, v2: bool) -> Any:
        """``getCompressedTokenBalancesByOwner(V2)``: per-mint balances, ordered by mint."""
        p = _params(params, {"owner", "mint", "cursor", "limit"})
        owner = _pubkey(p.get("owner"), "owner")
        mint = _optional_pubkey(p, "mint")
        limit = _limit(p.get("limit"))
        after = _base58_cursor(p.get("cursor"), 32)  # the last mint; ignored with a mint
        rows = self.store.token_balances_by_owner(owner, mint, after, limit)
        items = [{"mint": str(m), "balance": balance} for m, balance in rows]
        cursor = b58encode(bytes(rows[-1][0])) if len(rows) == limit else None
        return self.ctx({"items" if v2 else "token_balances": items, "cursor": cursor})

    def mint_holders(self, params: Any) -> Any:
        """``getCompressedMintTokenHolders``: ordered by balance, then owner, descending."""
        p = _params(params, {"mint", "cursor", "limit"})
        mint = _pubkey(p.get("mint"), "mint")
        limit = _limit(p.get("limit"))
        raw = _base58_cursor(p.get("cursor"), 40)  # balance u64 LE ‖ owner of the last item
        before = None if raw is None else (struct.unpack("<Q", raw[:8])[0], raw[8:])
        rows = self.store.mint_token_holders(mint, before, limit)
        items = [{"owner": str(o), "balance": balance} for o, balance in rows]
        cursor = None
        if len(rows) == limit:
            owner, balance = rows[-1]
            cursor = b58encode(struct.pack("<Q", balance) + bytes(owner))
        return self.ctx({"items": items, "cursor": cursor})

    def token_owner_signatures(self, params: Any) -> Any:
        """``getCompressionSignaturesForTokenOwner``, newest first.

        The transactions that created or spent the owner's token accounts; same cursor as the
        other signature lists.
        """
        p = _params(params, {"owner", "cursor", "limit"})
        owner = _pubkey(p.get("owner"), "owner")
        limit = _limit(p.get("limit"))
        before = _parse_signature_cursor(p["cursor"]) if p.get("cursor") is not None else None
        rows = self.store.signatures(before=before, limit=limit, token_owner=owner)
        cursor = _cursor_b58(rows[-1]) if len(rows) == limit else None
        return self.ctx({"items": [_signature_json(r) for r in rows], "cursor": cursor})

    def inbox_activity(self, params: Any) -> Any:
        """``getInboxActivity`` (ours, not Photon's): the inbox program's instructions on an inbox."""
        p = _params(params, {"inbox", "threadId", "cursor", "limit"})
        inbox = _pubkey(p.get("inbox"), "inbox")
        thread_id = p.get("threadId")
        if thread_id is not None and (
            not isinstance(thread_id, int)
            or isinstance(thread_id, bool)
            or not 0 <= thread_id < 1 << 63
        ):
            raise _invalid("threadId must be a non-negative integer")
        limit = _limit(p.get("limit"))
        before = _parse_activity_cursor(p["cursor"]) if p.get("cursor") is not None else None
        rows = self.store.inbox_activity(inbox, thread_id, before, limit)
        cursor = _activity_cursor(rows[-1]) if len(rows) == limit else None
        return self.ctx({"items": [_activity_json(r) for r in rows], "cursor": cursor})

    def dispatch(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "getCompressedAccount": lambda p: self.get_account(p, False),
            "getCompressedAccountV2": lambda p: self.get_account(p, True),
            "getMultipleCompressedAccounts": lambda p: self.get_multiple(p, False),
            "getMultipleCompressedAccountsV2": lambda p: self.get_multiple(p, True),
            "getCompressedAccountsByOwner": lambda p: self.by_owner(p, False),
            "getCompressedAccountsByOwnerV2": lambda p: self.by_owner(p, True),
            "getCompressedBalance": self.balance,
            "getCompressedAccountBalance": self.balance,
            "getCompressedBalanceByOwner": self.balance_by_owner,
            "getCompressionSignaturesForAccount": self.signatures_for_account,
            "getCompressionSignaturesForOwner": lambda p: self.signatures_paginated(p, "owner"),
            "getCompressionSignaturesForAddress": lambda p: self.signatures_paginated(p, "address"),
            "getLatestCompressionSignatures": lambda p: self.signatures_paginated(p, None),
            "getCompressedTokenAccountsByOwner": lambda p: self.token_accounts(p, "owner", False),
            "getCompressedTokenAccountsByOwnerV2": lambda p: self.token_accounts(p, "owner", True),
            "getCompressedTokenAccountsByDelegate": lambda p: self.token_accounts(
                p, "delegate", False
            ),
            "getCompressedTokenAccountsByDelegateV2": lambda p: self.token_accounts(
                p, "delegate", True
            ),
            "getCompressedTokenAccountBalance": self.token_account_balance,
            "getCompressedTokenBalancesByOwner": lambda p: self.token_balances(p, False),
            "getCompressedTokenBalancesByOwnerV2": lambda p: self.token_balances(p, True),
            "getCompressedMintTokenHolders": self.mint_holders,
            "getCompressionSignaturesForTokenOwner": self.token_owner_signatures,
            "getIndexerSlot": lambda p: self.store.slot(),
            "getIndexerHealth": lambda p: "ok",
            "getInboxActivity": self.inbox_activity,
        }
