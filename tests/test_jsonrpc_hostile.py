"""Hostile JSON-RPC never reaches a 5xx or an internal error, on both servers (property tests).

Hypothesis throws arbitrary JSON values, wrong-typed envelopes and params, deep nesting and
oversized batches at every method of the localnet and of the indexer's Photon API, over real
HTTP, and checks that each answer is a well-formed JSON-RPC response (or batch of them).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solinbox.indexer import PhotonServer, SqliteStore
from solinbox.indexer._methods import _Methods
from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def _well_formed(response: Any) -> None:
    assert isinstance(response, dict) and response.get("jsonrpc") == "2.0", response
    assert ("result" in response) != ("error" in response), response
    assert response["id"] is None or isinstance(response["id"], str | int)
    if "error" in response:
        assert isinstance(response["error"]["code"], int) and response["error"]["code"] != -32603


class Target:
    def __init__(self, url: str, methods: list[str]) -> None:
        self.url, self.methods = url, methods

    async def post(self, http: httpx.AsyncClient, body: bytes) -> Any:
        response = await http.post(
            self.url, content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code in (200, 413), (response.status_code, body[:200])
        if not response.content:  # a notification (localnet): nothing to answer
            return None
        document = response.json()
        for item in document if isinstance(document, list) else [document]:
            _well_formed(item)
        return document


@pytest.fixture(params=["localnet", "indexer"])
async def target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    if request.param == "localnet":
        async with Localnet(
            Bank.create(finality_depth=1), rpc_port=0, ws_port=0, slot_interval=None
        ) as net:
            yield Target(net.rpc_url, sorted(net.methods.table))
    else:
        store = SqliteStore()
        async with PhotonServer(store, port=0) as photon:
            yield Target(photon.url, sorted(_Methods(store).dispatch()))
        store.close()


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(data=st.data())
async def test_any_envelope(target: Target, data: st.DataObject) -> None:
    method = data.draw(st.sampled_from(target.methods) | JSON)
    request = data.draw(st.fixed_dictionaries(
        {"jsonrpc": st.sampled_from(["2.0", "1.0", 2]) | JSON, "method": st.just(method)},
        optional={"id": JSON, "params": JSON},
    ))  # fmt: skip
    async with httpx.AsyncClient(timeout=30) as http:
        await target.post(http, json.dumps(request).encode())


@SETTINGS
@given(data=st.data())
async def test_every_method_with_wrong_params(target: Target, data: st.DataObject) -> None:
    method = data.draw(st.sampled_from(target.methods))
    params = data.draw(
        st.lists(JSON, max_size=4) | st.dictionaries(st.text(max_size=12), JSON, max_size=4)
    )
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await target.post(http, json.dumps(body).encode())
    assert answer is not None and answer["id"] == 1


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 20_000 + b"]" * 20_000,  # 40 KB of nesting: the parser's recursion
        b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getSlot", "params": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}).encode(),
        b"[" + b",".join([b'{"jsonrpc":"2.0","id":1,"method":"getHealth"}'] * 1100) + b"]",
        b"\xff\xfe",
        b"null",
        b'"just a string"',
        b"[]",
        b'{"method": {}}',
        b'{"jsonrpc":"2.0","method":[],"id":{}}',
    ],
    ids=["deep-array", "deep-object", "deep-params", "huge-batch", "not-utf8", "null", "string",
         "empty-batch", "method-object", "method-array-id-object"],
)  # fmt: skip
async def test_hostile_bodies(target: Target, body: bytes) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await target.post(http, body)
    assert answer is not None
    first = answer[0] if isinstance(answer, list) else answer
    assert "error" in first and first["error"]["code"] in (-32700, -32600, -32602)
