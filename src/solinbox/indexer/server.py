"""The Photon-compatible JSON-RPC server over the indexer's store (aiohttp, loopback).

Same methods, field names, encodings and errors as Photon 0.51 for what an indexer without a
prover can answer (``docs/protocol.md``): accounts by hash/address/owner (V1 and V2 shapes),
balances, compressed token accounts (by owner / delegate, balances, mint holders, token-owner
signatures), compression signatures, the indexer slot and health. Validity-proof and queue
methods answer a clear error. Params are named objects; unknown fields are refused
(``-32602``) as Photon's ``deny_unknown_fields`` does; Photon's own errors are ``-32000`` with
its messages. Owner pagination resumes by position in ``(leafIndex, hash)`` order, so it never
skips or repeats items (Photon compares only the hash); token lists use Photon's own
``(mint, hash)`` position cursor.
"""

from __future__ import annotations

import base64
import json
import logging
import struct
from collections.abc import Callable
from typing import Any

import httpx
from aiohttp import web
from solders.pubkey import Pubkey
from solders.signature import Signature

from solinbox._base58 import b58decode, b58encode
from solinbox.indexer.store import (
    AccountRow,
    ActivityRow,
    PostgresStore,
    SignatureRow,
    SqliteStore,
    TokenAccountRow,
)
from solinbox.indexer.tokens import TokenDataError, token_data_json, token_data_of
from solinbox.light.hashing import poseidon
from solinbox.light.ids import STATE_TREES_V1, STATE_TREES_V2

__all__ = ["MAX_BODY", "PhotonServer", "handle_request"]

log = logging.getLogger("solinbox.indexer.server")
MAX_BODY = 1024 * 1024
PAGE_LIMIT = 1000
#: Photon reports itself unhealthy when more than this many slots behind its RPC.
HEALTH_SLOT_DISTANCE = 20
_NULLIFIER_QUEUE = {t.tree: t.nullifier_queue for t in STATE_TREES_V1}
_V2_TREE = {t.output_queue: t.tree for t in STATE_TREES_V2}
_PROOF_METHODS = {
    "getValidityProof", "getValidityProofV2", "getCompressedAccountProof", "getCompressedAccountProofV2",
    "getMultipleCompressedAccountProofs", "getMultipleCompressedAccountProofsV2",
    "getMultipleNewAddressProofs", "getMultipleNewAddressProofsV2",
}  # fmt: skip
_QUEUE_METHODS = {"getQueueElements", "getQueueInfo"}
#: Photon methods this indexer cannot answer, and why (``-32000``, not "Method not found").
_UNAVAILABLE = {
    **{m: "this indexer runs without a prover (validity proofs need one)" for m in _PROOF_METHODS},
    **{m: "this indexer does not keep the state trees' queues (only foresters read them, to"
          " batch-update the trees with a prover)" for m in _QUEUE_METHODS},
}  # fmt: skip


class RpcError(Exception):
    """A JSON-RPC error to answer."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _invalid(message: str) -> RpcError:
    return RpcError(-32602, f"Invalid params: {message}")


def _b58(raw: bytes) -> str:
    return str(Pubkey(raw))


def _pubkey(value: Any, name: str) -> Pubkey:
    if not isinstance(value, str):
        raise _invalid(f"{name} must be a base58 string")
    try:
        return Pubkey.from_string(value)
    except ValueError:
        raise RpcError(-32000, f"Invalid Public Key: {value}") from None


def _hash(value: Any, name: str) -> bytes:
    return bytes(_pubkey(value, name))


def _params(raw: Any, allowed: set[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _invalid("params must be an object")
    unknown = set(raw) - allowed
    if unknown:
        raise _invalid(f"unknown field `{sorted(unknown)[0]}`, expected one of {sorted(allowed)}")
    return raw


def _is_usize(value: Any) -> bool:
    """A JSON number Photon's ``usize`` fields accept."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 64


def _optional_pubkey(params: dict[str, Any], name: str) -> Pubkey | None:
    return None if params.get(name) is None else _pubkey(params[name], name)


def _base58_cursor(value: Any, length: int) -> bytes | None:
    """A Photon ``Base58String`` cursor of ``length`` bytes (None when absent)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid("cursor must be a base58 string")
    try:
        raw = b58decode(value)
    except ValueError:
        raise _invalid("cursor is not base58") from None
    if len(raw) != length:
        raise RpcError(
            -32000,
            f"Validation Error: Invalid cursor length. Expected {length}. Received {len(raw)}.",
        )
    return raw


def _limit(value: Any) -> int:
    if value is None:
        return PAGE_LIMIT
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= PAGE_LIMIT:
        raise _invalid(f"limit must be an integer from 1 to {PAGE_LIMIT}")
    return value


def account_json(
    row: AccountRow, *, v2: bool, data_slice: tuple[int, int] | None = None
) -> dict[str, Any]:
    """An account in Photon's V1 ``Account`` or V2 ``AccountV2`` shape."""
    data: dict[str, Any] | None = None
    if row.data is not None and row.discriminator is not None:
        body = row.data
        if data_slice is not None:
            body = body[data_slice[0] : data_slice[0] + data_slice[1]]
        data = {
            "discriminator": struct.unpack("<Q", row.discriminator)[0],
            "data": base64.b64encode(body).decode(),
            "dataHash": _b58(row.data_hash or bytes(32)),
        }
    out: dict[str, Any] = {
        "hash": _b58(row.hash),
        "address": _b58(row.address) if row.address else None,
        "data": data,
        "owner": str(row.owner),
        "lamports": row.lamports,
    }
    batched = row.tree_type != 1
    tree = row.tree
    if not v2:
        out["tree"] = str(tree)
    out["leafIndex"] = row.leaf_index
    out["seq"] = row.seq
    out["slotCreated"] = row.slot
    if v2:
        queue = row.queue if batched else _NULLIFIER_QUEUE.get(tree, tree)
        out["proveByIndex"] = batched
        out["merkleContext"] = {"treeType": row.tree_type, "tree": str(tree), "queue": str(queue),
                                "cpiContext": None, "nextTreeContext": None}  # fmt: skip
    return out


def _token_account_json(row: TokenAccountRow, *, v2: bool) -> dict[str, Any]:
    """Photon's ``TokenAccount`` / ``TokenAccountV2``: the account and its token data."""
    return {"account": account_json(row.account, v2=v2), "tokenData": token_data_json(row.token)}


def _optional_token_data(row: AccountRow) -> dict[str, Any] | None:
    """``optionalTokenData`` of a transaction's account: its token data if it is a token account."""
    try:
        token = token_data_of(row.owner, row.discriminator, row.data)
    except TokenDataError:
        return None
    return None if token is None else token_data_json(token)


def _closed_json(row: AccountRow, tx_hash: bytes) -> dict[str, Any]:
    """Photon's ``ClosedAccountV2``: the account, its nullifier and the Light tx hash.

    A V2 (batched) nullifier is ``Poseidon(hash, leaf_index as 32 bytes BE, tx_hash)``; a V1
    nullifier queue takes the account hash itself.
    """
    nullifier = row.hash
    if row.tree_type != 1:
        try:
            nullifier = poseidon(row.hash, row.leaf_index.to_bytes(32, "big"), tx_hash)
        except ValueError:  # not field elements: cannot come from Light; keep the hash
            nullifier = row.hash
    return {"account": account_json(row, v2=True), "nullifier": _b58(nullifier),
            "txHash": _b58(tx_hash)}  # fmt: skip


def _signature_json(row: SignatureRow) -> dict[str, Any]:
    return {"signature": str(row.signature), "slot": row.slot, "blockTime": row.block_time or 0}


def _cursor_b58(row: SignatureRow) -> str:
    return b58encode(struct.pack("<Q", row.slot) + bytes(row.signature))


def _parse_signature_cursor(value: Any) -> tuple[int, bytes]:
    if not isinstance(value, str):
        raise _invalid("cursor must be a string")
    try:
        raw = b58decode(value)
    except ValueError:
        raise _invalid("cursor is not base58") from None
    if len(raw) != 72:
        raise _invalid("cursor has the wrong length")
    return struct.unpack("<Q", raw[:8])[0], raw[8:]


def _activity_json(row: ActivityRow) -> dict[str, Any]:
    return {
        "signature": str(row.signature),
        "slot": row.slot,
        "blockTime": row.block_time or 0,
        "position": row.position,
        "instruction": row.instruction,
        "inbox": None if row.inbox is None else str(row.inbox),
        "threadId": row.thread_id,
        "signer": None if row.signer is None else str(row.signer),
        "args": row.detail.get("args", {}),
        "events": row.detail.get("events", []),
    }


def _activity_cursor(row: ActivityRow) -> str:
    return b58encode(
        struct.pack("<Q", row.slot) + bytes(row.signature) + struct.pack("<H", row.position)
    )


def _parse_activity_cursor(value: Any) -> tuple[int, bytes, int]:
    if not isinstance(value, str):
        raise _invalid("cursor must be a string")
    try:
        raw = b58decode(value)
    except ValueError:
        raise _invalid("cursor is not base58") from None
    if len(raw) != 74:
        raise _invalid("cursor has the wrong length")
    return struct.unpack("<Q", raw[:8])[0], raw[8:72], struct.unpack("<H", raw[72:])[0]


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


def _error(code: int, message: str, request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": request_id}


def handle_request(methods: dict[str, Callable[[Any], Any]], request: Any) -> dict[str, Any]:
    """Answer one JSON-RPC request object (never raises)."""
    if (
        not isinstance(request, dict)
        or request.get("jsonrpc") != "2.0"
        or not isinstance(request.get("method"), str)
    ):
        return _error(
            -32600, "Invalid request", request.get("id") if isinstance(request, dict) else None
        )
    request_id = request.get("id")
    method = request["method"]
    if method in _UNAVAILABLE:
        return _error(-32000, f"{method} is not available: {_UNAVAILABLE[method]}", request_id)
    fn = methods.get(method)
    if fn is None:
        return _error(-32601, "Method not found", request_id)
    try:
        result = fn(request.get("params"))
    except RpcError as exc:
        return _error(exc.code, exc.message, request_id)
    except Exception:  # pragma: no cover - a bug; answer, log, stay up
        log.exception("internal error in %s", method)
        return _error(-32603, "Internal server error", request_id)
    return {"jsonrpc": "2.0", "result": result, "id": request_id}


_TX_METHODS = {"getTransactionWithCompressionInfo", "getTransactionWithCompressionInfoV2"}


class PhotonServer:
    """Serves the store on ``http://127.0.0.1:<port>`` (0 picks a free port).

    ``rpc_url`` (the JSON-RPC endpoint the indexer follows) enables
    ``getTransactionWithCompressionInfo(V2)``, which returns the transaction itself.
    """

    def __init__(
        self, store: SqliteStore | PostgresStore, *, port: int = 8784, rpc_url: str | None = None
    ) -> None:
        self.store = store
        self.methods = _Methods(store).dispatch()
        self.port = port
        self.rpc_url = rpc_url
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The server's URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Bind and serve."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post("/", self._http)
        app.router.add_get("/getIndexerHealth", self._health)
        app.router.add_get("/health", self._health)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None and server.sockets:  # type: ignore[attr-defined]
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> PhotonServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _transaction_with_info(self, request: dict[str, Any]) -> dict[str, Any]:
        request_id = request.get("id")
        v2 = request["method"].endswith("V2")
        try:
            p = _params(request.get("params"), {"signature"})
            sig = p.get("signature")
            if not isinstance(sig, str):
                raise _invalid("signature must be a base58 string")
            try:
                raw_sig = bytes(Signature.from_string(sig))
            except ValueError:
                raise _invalid("signature is not valid base58") from None
            if self.rpc_url is None:
                raise RpcError(
                    -32000, "Validation Error: this indexer was started without the RPC it follows"
                )
            async with httpx.AsyncClient(timeout=10) as http:
                body = {"jsonrpc": "2.0", "id": 1, "method": "getTransaction",
                        "params": [sig, {"encoding": "base64", "maxSupportedTransactionVersion": 0, "commitment": "confirmed"}]}  # fmt: skip
                answer = (await http.post(self.rpc_url, json=body)).json()
            tx = answer.get("result")
            if tx is None:
                raise RpcError(-32000, f"Record Not Found: Transaction {sig} not found")
            rows = self.store.accounts_by_signature(raw_sig)
            opened = [{"account": account_json(r, v2=v2), "optionalTokenData": _optional_token_data(r)}
                      for r in rows]  # fmt: skip
            closed = [
                {"account": _closed_json(r, tx_hash) if v2 else account_json(r, v2=False),
                 "optionalTokenData": _optional_token_data(r)}
                for r, tx_hash in self.store.closed_by_signature(raw_sig)
            ]  # fmt: skip
            result = {
                "transaction": tx,
                "compressionInfo": {"closedAccounts": closed, "openedAccounts": opened},
            }
        except RpcError as exc:
            return _error(exc.code, exc.message, request_id)
        except httpx.HTTPError as exc:
            return _error(-32000, f"RPC unavailable: {exc}", request_id)
        return {"jsonrpc": "2.0", "result": result, "id": request_id}

    async def health(self) -> str | None:
        """None when healthy, else why not (Photon: more than 20 slots behind the RPC).

        Without an RPC to compare with (the in-process feed) the indexer is never behind.
        """
        if self.rpc_url is None:
            return None
        body = {"jsonrpc": "2.0", "id": 1, "method": "getSlot", "params": [{"commitment": "confirmed"}]}  # fmt: skip
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                tip = (await http.post(self.rpc_url, json=body)).json()["result"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return f"RPC unavailable: {exc}"
        behind = int(tip) - self.store.slot()
        return f"Node is behind {behind} slots" if behind > HEALTH_SLOT_DISTANCE else None

    async def _answer(self, request: Any) -> dict[str, Any]:
        if isinstance(request, dict) and request.get("jsonrpc") == "2.0":
            if request.get("method") in _TX_METHODS:
                return await self._transaction_with_info(request)
            if request.get("method") == "getIndexerHealth":
                problem = await self.health()
                if problem is not None:
                    return _error(-32000, problem, request.get("id"))
        return handle_request(self.methods, request)

    async def _health(self, request: web.Request) -> web.Response:
        problem = await self.health()
        return (
            web.Response(text="ok") if problem is None else web.Response(text=problem, status=503)
        )

    async def _http(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response(_error(-32600, "Request body too large", None), status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.json_response(_error(-32600, "Request body too large", None), status=413)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.json_response(_error(-32700, "Parse error", None))
        if isinstance(payload, list):
            if not payload:
                return web.json_response(_error(-32600, "Invalid request", None))
            return web.json_response([await self._answer(r) for r in payload[:PAGE_LIMIT]])
        return web.json_response(await self._answer(payload))
