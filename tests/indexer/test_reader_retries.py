"""The Photon reader's behaviour against a remote Photon's failures.

Rate limiting (HTTP 429) and broken connections cannot be produced by our own server, so these
tests use httpx.MockTransport as a stand-in for a remote Photon endpoint (the one boundary where
a fake is acceptable); every other reader test runs against the real server over loopback.
"""

from __future__ import annotations

import json

import httpx
import pytest

from solinbox.photon import PhotonError, PhotonReader


def reader(handler: httpx.MockTransport, retries: int = 3) -> PhotonReader:
    return PhotonReader(
        "http://photon.test",
        http=httpx.AsyncClient(transport=handler),
        retries=retries,
        backoff=0.001,
    )


async def test_retries_rate_limits_then_succeeds() -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            return httpx.Response(429, text="Too Many Requests")
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": 42})

    assert await reader(httpx.MockTransport(handle)).indexer_slot() == 42
    assert calls == 3


async def test_retries_transport_errors_then_gives_up() -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(PhotonError, match="getIndexerSlot"):
        await reader(httpx.MockTransport(handle), retries=2).indexer_slot()
    assert calls == 3  # the first try and two retries


async def test_v2_falls_back_to_v1_on_method_not_found() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        method = json.loads(request.content)["method"]
        seen.append(method)
        if method.endswith("V2"):
            return httpx.Response(
                200,
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "error": {"code": -32601, "message": "Method not found"},
                },
            )
        return httpx.Response(
            200, json={"jsonrpc": "2.0", "id": 1, "result": {"context": {"slot": 1}, "value": None}}
        )

    r = reader(httpx.MockTransport(handle))
    assert await r.account(hash=bytes(32)) is None
    assert await r.account(hash=bytes(32)) is None
    assert seen == ["getCompressedAccountV2", "getCompressedAccount", "getCompressedAccount"]
    assert r.version == "v1"


async def test_json_rpc_errors_are_not_retried() -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(
            200,
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "error": {"code": -32000, "message": "Validation Error: x"},
            },
        )

    with pytest.raises(PhotonError) as exc:
        await reader(httpx.MockTransport(handle)).indexer_slot()
    assert exc.value.code == -32000 and calls == 1
