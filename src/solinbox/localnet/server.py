"""The localnet server: Solana JSON-RPC over HTTP and PubSub over WebSocket, on loopback.

Built on aiohttp (one dependency serves both the HTTP and the WebSocket endpoint; C-accelerated
HTTP parsing; maintained by the aio-libs team). :class:`Localnet` is the facade::

    async with Localnet(Bank.create(programs={INBOX: so_path}), rpc_port=0, ws_port=0) as net:
        client = AsyncClient(net.rpc_url)
        ...
        net.produce_block()          # on-demand blocks when slot_interval=None

Request handling mirrors a validator: the body is limited to 50 KiB (HTTP 413 beyond), JSON
errors answer ``-32700``, malformed requests ``-32600``, unknown methods ``-32601``, bad
params ``-32602``; batches (JSON arrays) are answered element by element. Any unexpected
exception inside a method becomes ``-32603 Internal error`` and is logged; the server stays up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import WSMsgType, web
from solders.keypair import Keypair

from solinbox.errors import SolinboxError
from solinbox.jsonrpc import (
    INVALID_REQUEST,
    PARSE_ERROR,
    JsonRpcError,
    Request,
    answer,
    error_response,
    parse_body,
    start_site,
)
from solinbox.localnet._pubsub import Connection, PubSub
from solinbox.localnet.bank import Bank, Block
from solinbox.localnet.methods import RpcMethods

__all__ = ["MAX_REQUEST_BODY_SIZE", "Localnet", "LocalnetBindError"]

log = logging.getLogger("solinbox.localnet")

#: Like agave's RPC service: larger request bodies are refused.
MAX_REQUEST_BODY_SIZE = 50 * 1024
#: Notifications queued for one WebSocket client before it is disconnected.
MAX_WS_BACKLOG = 10_000
_LOOPBACK = "127.0.0.1"
_DUMPS = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class LocalnetBindError(SolinboxError):
    """An endpoint's port on 127.0.0.1 is taken (or not allowed)."""


_error = error_response


class Localnet:
    """A running localnet: the bank, the HTTP and WebSocket endpoints, the block clock.

    Args:
        bank: The chain to serve.
        rpc_port: HTTP JSON-RPC port on 127.0.0.1 (0 picks a free one).
        ws_port: WebSocket PubSub port on 127.0.0.1 (0 picks a free one).
        slot_interval: Seconds between blocks; ``None`` produces blocks only on
            :meth:`produce_block`.
        state_dir: Where :meth:`stop` saves the bank (``None``: not saved).
        bind_address: The address both endpoints listen on (loopback by default).
    """

    def __init__(
        self,
        bank: Bank,
        *,
        rpc_port: int = 8899,
        ws_port: int = 8900,
        slot_interval: float | None = 0.4,
        state_dir: Path | None = None,
        bind_address: str = _LOOPBACK,
    ) -> None:
        self.bank = bank
        self.bind_address = bind_address
        self.methods = RpcMethods(bank)
        self.pubsub = PubSub(bank)
        self.slot_interval = slot_interval
        self.state_dir = state_dir
        self._sockets: set[web.WebSocketResponse] = set()
        self._pubsub_down = False
        self._ports = (rpc_port, ws_port)
        self._runners: list[web.AppRunner] = []
        self._clock: asyncio.Task[None] | None = None
        self.rpc_port = rpc_port
        self.ws_port = ws_port
        #: JSON-RPC error answers given over HTTP, by error code (e.g. ``-32002`` preflight).
        self.errors: Counter[int] = Counter()

    @property
    def rpc_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self._host}:{self.rpc_port}"

    @property
    def _host(self) -> str:
        """Where clients on this machine reach the endpoints (a wildcard bind is loopback)."""
        return _LOOPBACK if self.bind_address in ("0.0.0.0", "::", "") else self.bind_address

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:<port>``."""
        return f"ws://{self._host}:{self.ws_port}"

    # ------------------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind both endpoints and start producing blocks."""
        rpc = web.Application(client_max_size=MAX_REQUEST_BODY_SIZE)
        rpc.router.add_post("/", self._http)
        rpc.router.add_get("/health", self._health)
        rpc.router.add_get("/", self._websocket)  # PubSub is also reachable on the RPC port
        ws = web.Application()
        ws.router.add_get("/", self._websocket)
        ports = []
        for app, port in zip((rpc, ws), self._ports, strict=True):
            try:
                runner, bound = await start_site(app, self.bind_address, port)
            except OSError as exc:
                for started in self._runners:
                    await started.cleanup()
                self._runners.clear()
                raise LocalnetBindError(
                    f"cannot listen on {self.bind_address}:{port}: {exc.strerror or exc}"
                ) from exc
            self._runners.append(runner)
            ports.append(bound)
        self.rpc_port, self.ws_port = ports
        self.methods.endpoints.update(
            rpc=f"{self._host}:{self.rpc_port}", pubsub=f"{self._host}:{self.ws_port}"
        )
        if self.slot_interval is not None:
            self._clock = asyncio.create_task(self._produce_blocks(self.slot_interval))

    async def stop(self) -> None:
        """Stop the block clock and the endpoints; save the state if ``state_dir`` is set."""
        if self._clock is not None:
            self._clock.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._clock
            self._clock = None
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()
        self.pubsub.close()
        if self.state_dir is not None:
            self.bank.save(self.state_dir)
        if self.bank.journal is not None:  # a crash-safe ledger: snapshot for a fast restart
            self.bank.journal.close(self.bank)

    async def __aenter__(self) -> Localnet:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        """Start, then run until cancelled; stops (and saves) on the way out."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def drop_websockets(self) -> int:
        """Close every PubSub connection as a restarting node would (code 1012); returns how many.

        Subscriptions are lost; clients must reconnect and resubscribe.
        """
        sockets = list(self._sockets)
        for ws in sockets:
            await ws.close(code=1012, message=b"service restart")
        return len(sockets)

    @contextlib.asynccontextmanager
    async def pubsub_outage(self) -> AsyncIterator[int]:
        """A PubSub outage, for tests: connections dropped, new ones refused (HTTP 503).

        Lasts until the ``async with`` block ends; JSON-RPC keeps working. Yields how many
        connections were dropped.
        """
        self._pubsub_down = True
        try:
            yield await self.drop_websockets()
        finally:
            self._pubsub_down = False

    def produce_block(self) -> Block:
        """Produce one block now (the clock keeps its own pace)."""
        return self.bank.produce_block()

    def wallet(self, sol: float = 10.0) -> Keypair:
        """A new keypair holding ``sol`` SOL, airdropped in a block of its own (confirmed on return)."""
        keypair = Keypair()
        self.bank.airdrop(keypair.pubkey(), int(sol * 1_000_000_000))
        self.produce_block()
        return keypair

    async def _produce_blocks(self, interval: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            deadline += interval
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            try:
                self.bank.produce_block()
            except Exception:  # a subscriber's bug must not stop the chain
                log.exception("block production failed")
            deadline = max(deadline, loop.time() - interval)

    # ---------------------------------------------------------------------------------- HTTP

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _http(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_REQUEST_BODY_SIZE:
            return self._too_large()
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._too_large()
        answer = self.handle_body(body)
        return web.Response(body=answer, content_type="application/json")

    @staticmethod
    def _too_large() -> web.Response:
        text = _DUMPS(
            _error(INVALID_REQUEST, f"Request body too large; max {MAX_REQUEST_BODY_SIZE} bytes")
        )
        return web.Response(status=413, text=text, content_type="application/json")

    def handle_body(self, body: bytes) -> bytes:
        """Answer one HTTP request body (a request or a batch) with the response body."""
        try:
            document = parse_body(body)
        except JsonRpcError as exc:
            return _DUMPS(_error(exc.code, exc.message)).encode()
        response = answer(document, self._call)
        return b"" if response is None else _DUMPS(response).encode()

    def _call(self, request: Request) -> Any:
        try:
            return self.methods.call(request.method, request.params)
        except JsonRpcError as exc:
            self.errors[exc.code] += 1
            raise

    # ----------------------------------------------------------------------------- WebSocket

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if self._pubsub_down:
            return web.Response(status=503, text="PubSub is unavailable")
        ws = web.WebSocketResponse(max_msg_size=MAX_REQUEST_BODY_SIZE, heartbeat=30)
        if not ws.can_prepare(request).ok:
            return web.Response(
                status=405, text="Used HTTP Method is not allowed. POST or OPTIONS is required"
            )
        await ws.prepare(request)
        outbox: asyncio.Queue[str | None] = asyncio.Queue()
        closing: list[asyncio.Task[bool]] = []

        def push(text: str) -> None:
            if outbox.qsize() < MAX_WS_BACKLOG:
                outbox.put_nowait(text)
            elif not closing:  # a client that does not read: drop it, not the server
                closing.append(asyncio.ensure_future(ws.close(code=1008, message=b"backlog")))

        connection = self.pubsub.connect(push)
        writer = asyncio.create_task(self._write(ws, outbox))
        self._sockets.add(ws)
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    reply = self._ws_request(connection, message.data)
                    if reply is not None:
                        push(reply)
                    connection.release()
                elif message.type == WSMsgType.BINARY:
                    outbox.put_nowait(_DUMPS(_error(PARSE_ERROR, "Parse error")))
        finally:
            self._sockets.discard(ws)
            connection.close()
            outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await writer
        return ws

    @staticmethod
    async def _write(ws: web.WebSocketResponse, outbox: asyncio.Queue[str | None]) -> None:
        while (text := await outbox.get()) is not None:
            if ws.closed:
                return
            await ws.send_str(text)

    def _ws_request(self, connection: Connection, text: str) -> str | None:
        """Answer one WebSocket message: a request, or a batch of them (a JSON array)."""
        try:
            document = parse_body(text)
        except JsonRpcError as exc:
            return _DUMPS(_error(exc.code, exc.message))
        response = answer(document, lambda r: connection.handle(r.method, r.params))
        return None if response is None else _DUMPS(response)  # notifications get no answer
