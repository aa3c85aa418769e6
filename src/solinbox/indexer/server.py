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

import logging
from typing import Any

import httpx
from aiohttp import web
from solders.signature import Signature

from solinbox.indexer._json import (
    _closed_json,
    _optional_token_data,
    account_json,
)
from solinbox.indexer._methods import _Methods
from solinbox.indexer._rpc import (
    PAGE_LIMIT,
    RpcError,
    _error,
    _invalid,
    _params,
    handle_request,
)
from solinbox.indexer.store import (
    PostgresStore,
    SqliteStore,
)
from solinbox.jsonrpc import JsonRpcError, parse_body, start_site

__all__ = ["MAX_BODY", "PhotonServer", "handle_request"]

log = logging.getLogger("solinbox.indexer.server")
MAX_BODY = 1024 * 1024
#: Photon reports itself unhealthy when more than this many slots behind its RPC.
HEALTH_SLOT_DISTANCE = 20
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
        app = web.Application(client_max_size=MAX_BODY, middlewares=[_cors])
        for path in ("/getIndexerHealth", "/health", "/readiness"):
            app.router.add_get(path, self._health)
        app.router.add_get("/liveness", self._liveness)
        # like Photon, every path serves the API (``POST /getCompressedAccount`` included)
        app.router.add_post("/{path:.*}", self._http)
        app.router.add_route("OPTIONS", "/{path:.*}", self._preflight)
        self._runner, self.port = await start_site(app, "127.0.0.1", self.port)

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
            method = request.get("method")
            if isinstance(method, str) and method in _TX_METHODS and "id" in request:
                return await self._transaction_with_info(request)
            if method == "getIndexerHealth" and "id" in request:
                problem = await self.health()
                if problem is not None:
                    return _error(-32000, problem, request.get("id"))
        return handle_request(self.methods, request)

    async def _health(self, request: web.Request) -> web.Response:
        problem = await self.health()
        return (
            web.Response(text="ok") if problem is None else web.Response(text=problem, status=503)
        )

    async def _liveness(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _preflight(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _http(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response(_error(-32600, "Request body too large", None), status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.json_response(_error(-32600, "Request body too large", None), status=413)
        try:
            payload = parse_body(body)
        except JsonRpcError as exc:
            return web.json_response(_error(exc.code, exc.message, None))
        if isinstance(payload, list):
            if not payload:
                return web.json_response(_error(-32600, "Invalid request", None))
            if len(payload) > PAGE_LIMIT:
                return web.json_response(
                    _error(-32600, f"Invalid request: batch larger than {PAGE_LIMIT}", None)
                )
            return web.json_response([await self._answer(r) for r in payload])
        return web.json_response(await self._answer(payload))


@web.middleware
async def _cors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Photon allows any origin (browser dApps call it directly)."""
    response: web.StreamResponse = await handler(request)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "*"
    return response
