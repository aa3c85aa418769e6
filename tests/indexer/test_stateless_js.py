"""Light's official JS client (@lightprotocol/stateless.js, pinned in tests/js) reads our
Photon-compatible server; what it sees equals what the Python side expects."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from pathlib import Path

import pytest
from solders.pubkey import Pubkey

from solinbox.program.ids import PROGRAM_ID

from .conftest import Stack


async def test_stateless_js_reads_our_photon(stack: Stack, repo_root: Path) -> None:
    js = repo_root / "tests" / "js"
    node = shutil.which("node")
    if node is None or not (js / "node_modules" / "@lightprotocol" / "stateless.js").is_dir():
        pytest.fail(
            "node and tests/js/node_modules are required: run scripts/setup (npm ci --prefix tests/js)"
        )
    alice, bob = stack.client(), stack.client()
    await alice.create_inbox(0)
    thread = await bob.create_thread(alice.me, "read me from JS")
    await alice.thread(thread.inbox, thread.id).send_message("and me")
    expected = {a.hash: a async for a in stack.reader.accounts_by_owner(PROGRAM_ID)}

    proc = await asyncio.create_subprocess_exec(
        node, str(js / "read.mjs"), stack.net.rpc_url, stack.photon.url, str(PROGRAM_ID),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    seen = json.loads(out)

    assert len(seen["accounts"]) == len(expected) == 3
    for item in seen["accounts"]:
        mine = expected[bytes(Pubkey.from_string(item["hash"]))]
        assert item["owner"] == str(PROGRAM_ID) and int(item["lamports"]) == mine.lamports
        assert item["leafIndex"] == mine.leaf_index and item["tree"] == str(mine.tree)
        assert bytes.fromhex(item["discriminator"]) == mine.discriminator
        assert base64.b64decode(item["data"]) == mine.data
    assert seen["byHash"] in {i["hash"] for i in seen["accounts"]}
    sigs = await stack.reader.signatures_for_owner(PROGRAM_ID)
    assert [s["signature"] for s in seen["signatures"]] == [s["signature"] for s in sigs]
    assert len(sigs) == 2
