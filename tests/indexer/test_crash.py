"""Crash safety: an indexer killed with SIGKILL at arbitrary points, then restarted, ends in
exactly the state of an uninterrupted run (a transaction is applied at most once and the
checkpoint moves in the same database transaction as the data)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solinbox.indexer import Indexer, RpcFollower, SqliteStore
from solinbox.testing.postgres import fresh_database, postgres_server

from .conftest import Stack


def snapshot(where: Path | str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    if isinstance(where, Path):
        db: Any = sqlite3.connect(where)
    else:
        import psycopg

        db = psycopg.connect(where)
    accounts = db.execute(
        "SELECT hash, owner, lamports, data, tree, leaf_index, slot FROM accounts ORDER BY hash"
    ).fetchall()
    txs = db.execute("SELECT signature, slot FROM transactions ORDER BY signature").fetchall()
    txs += db.execute(
        "SELECT signature, position, slot, instruction, inbox, thread_id, signer, detail"
        " FROM inbox_activity ORDER BY signature, position"
    ).fetchall()
    txs += db.execute("SELECT * FROM records ORDER BY hash").fetchall()
    db.close()

    def plain(rows: list[Any]) -> list[tuple[object, ...]]:
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]

    return plain(accounts), plain(txs)


@pytest.fixture(scope="module")
def pg() -> Iterator[str]:
    with postgres_server() as dsn:
        yield dsn


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_sigkill_anywhere_then_resume(
    stack: Stack, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    alice = stack.client()
    await alice.create_inbox(0)
    for i in range(12):
        sender = stack.client(1)
        thread = await sender.create_thread(alice.me, f"message {i}")
        await alice.thread(thread.inbox, thread.id).send_message(f"reply {i}")
    tip = (await stack.rpc.get_slot()).value

    reference = SqliteStore(tmp_path / "reference.sqlite")
    await RpcFollower(Indexer(reference), stack.rpc).catch_up()
    reference.close()

    db: Path | str = tmp_path / "killed.sqlite"
    if backend == "postgres":
        db = fresh_database(
            request.getfixturevalue("pg"), f"killed_{tmp_path.name[-12:].replace('-', '_')}"
        )
    rng = random.Random(7)
    command = [sys.executable, "-m", "solinbox.cli", "-vv", "indexer", "--rpc", stack.net.rpc_url,
               "--db", str(db), "--until-slot", str(tip), "--poll-ms", "5", "--json"]  # fmt: skip
    kills = 0
    for _ in range(6):
        proc = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        assert proc.stderr is not None
        # kill once it has stored a random number of further blocks (its -vv log says so);
        # the kill lands wherever the process is by then, mid-block included
        target = rng.randint(1, 12)
        stored = 0
        while stored < target and (line := await proc.stderr.readline()):
            stored += b"indexed slot" in line
        if proc.returncode is None and stored >= target:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        await proc.communicate()
    final = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(final.communicate(), 120)
    assert final.returncode == 0, err.decode()
    assert kills >= 1
    got, want = snapshot(db), snapshot(tmp_path / "reference.sqlite")
    assert set(got[1]) == set(want[1]), (
        f"transactions: missing {set(want[1]) - set(got[1])}, extra {set(got[1]) - set(want[1])}"
    )
    assert got == want
    assert len(snapshot(db)[0]) == 36  # 12 x (header, first message, reply)
    assert sum(len(row) == 8 for row in got[1]) == 25  # activity: the inbox, 12 threads, 12 replies
