from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed

from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet


@pytest.fixture
async def net() -> AsyncIterator[Localnet]:
    """A running localnet on free loopback ports, fast blocks, shallow finality."""
    async with Localnet(
        Bank.create(finality_depth=1), rpc_port=0, ws_port=0, slot_interval=0.05
    ) as running:
        yield running


@pytest.fixture
async def manual() -> AsyncIterator[Localnet]:
    """A running localnet whose blocks are produced only on demand."""
    async with Localnet(
        Bank.create(finality_depth=2), rpc_port=0, ws_port=0, slot_interval=None
    ) as running:
        yield running


@pytest.fixture
async def client(net: Localnet) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(net.rpc_url, commitment=Confirmed) as c:
        yield c


class Rpc:
    """Raw JSON-RPC over HTTP (to see exactly what the server answers)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.AsyncClient(timeout=10)

    async def raw(self, body: bytes | str) -> httpx.Response:
        return await self.http.post(
            self.url, content=body, headers={"content-type": "application/json"}
        )

    async def call(self, method: str, *params: Any) -> dict[str, Any]:
        response = await self.http.post(
            self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        )
        assert response.status_code == 200
        return response.json()  # type: ignore[no-any-return]

    async def text(self, method: str, *params: Any) -> str:
        response = await self.http.post(
            self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        )
        return response.text


@pytest.fixture
async def rpc(net: Localnet) -> AsyncIterator[Rpc]:
    r = Rpc(net.rpc_url)
    yield r
    await r.http.aclose()


@pytest.fixture
async def mrpc(manual: Localnet) -> AsyncIterator[Rpc]:
    r = Rpc(manual.rpc_url)
    yield r
    await r.http.aclose()
