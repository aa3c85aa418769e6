"""The client's CLI commands, as subprocesses, against a localnet over real HTTP."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.localnet.server import Localnet


async def cli(*args: str) -> tuple[int, Any, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "solinbox.cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    text = out.decode()
    try:
        doc = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        doc = text
    return proc.returncode or 0, doc, err.decode()


def keyfile(tmp_path: Path, name: str, net: Localnet) -> tuple[str, Keypair]:
    kp = Keypair()
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(list(bytes(kp))))
    net.bank.airdrop(kp.pubkey(), 5 * 10**9)
    net.produce_block()
    return str(path), kp


async def test_inbox_and_thread_commands(net: Localnet, tmp_path: Path) -> None:
    alice_key, alice = keyfile(tmp_path, "alice", net)
    bob_key, bob = keyfile(tmp_path, "bob", net)
    url = ["-u", net.rpc_url, "--json"]
    code, created, err = await cli(
        "inbox", "create", "--name", "Alice", "--fee", "20000", "--escrow", "-k", alice_key, *url
    )
    assert code == 0, err
    assert created["payment_rule"]["amount"] == 20_000 and created["payment_rule"]["escrow"]
    code, opened, err = await cli(
        "thread", "open", str(alice.pubkey()), "hello from the shell", "-k", bob_key, *url
    )
    assert code == 0, err
    assert opened["id"] == 1 and opened["from"] == str(bob.pubkey()) and opened["escrow"] == "held"
    code, sent, err = await cli(
        "thread", "send", opened["inbox"], "1", "sealed answer", "--encrypt", "-k", alice_key, *url
    )
    assert code == 0, err
    assert sent["messages"] == 2 and sent["unread_by_sender"] == 1
    code, read, err = await cli("thread", "read", opened["inbox"], "1", "-k", bob_key, *url)
    assert code == 0 and read["unread_by_sender"] == 0, err
    code, shown, err = await cli(
        "inbox", "show", "--owner", str(alice.pubkey()), "-k", bob_key, *url
    )
    assert code == 0, err
    assert shown["threads"] == 1 and shown["recent_threads"][0]["messages"] == 2
    code, listed, err = await cli("inbox", "list", "-k", alice_key, *url)
    assert code == 0 and [i["id"] for i in listed["inboxes"]] == [0], err


async def test_program_error_is_reported_cleanly(net: Localnet, tmp_path: Path) -> None:
    alice_key, alice = keyfile(tmp_path, "alice", net)
    assert (await cli("inbox", "create", "-k", alice_key, "-u", net.rpc_url, "--json"))[0] == 0
    code, _, err = await cli(
        "thread", "open", str(alice.pubkey()), "to myself", "-k", alice_key, "-u", net.rpc_url
    )
    assert code == 1 and "SelfThread" in err and "own inbox" in err.replace("\n", " ")
    assert "Traceback" not in err


async def test_missing_keypair_is_a_clear_error(net: Localnet, tmp_path: Path) -> None:
    code, _, err = await cli("inbox", "list", "-k", str(tmp_path / "nope.json"), "-u", net.rpc_url)
    assert code == 1 and "cannot read the keypair" in err and "Traceback" not in err
    assert "pass -k/--keypair FILE" in err  # and what to do about it


async def test_watch_command_streams_events(net: Localnet, tmp_path: Path) -> None:
    alice_key, alice = keyfile(tmp_path, "alice", net)
    bob_key, _ = keyfile(tmp_path, "bob", net)
    url = ["-u", net.rpc_url, "--json"]
    assert (await cli("inbox", "create", "-k", alice_key, *url))[0] == 0
    inbox = (await cli("inbox", "show", "-k", alice_key, *url))[1]["address"]
    latest = net.bank.signatures_for_address(Pubkey.from_string(inbox), commitment="confirmed")[0]
    # --since: what lands before the watcher has subscribed is replayed, so no wait is needed
    watcher = asyncio.create_task(
        cli("watch", inbox, "--ws-url", net.ws_url, "--count", "1", "--since",
            str(latest.signature), "-k", alice_key, *url)
    )  # fmt: skip
    assert (await cli("thread", "open", str(alice.pubkey()), "watch me", "-k", bob_key, *url))[
        0
    ] == 0
    code, out, err = await asyncio.wait_for(watcher, 30)
    assert code == 0, err
    lines = [json.loads(line) for line in str(out).splitlines()] if isinstance(out, str) else [out]
    assert [line["event"] for line in lines] == ["ThreadCreated"]
    assert lines[0]["thread_id"] == 1 and lines[0]["inbox"] == inbox


async def test_activity_command(net: Localnet, tmp_path: Path) -> None:
    from solinbox.indexer import Indexer, PhotonServer, SqliteStore

    store = SqliteStore()
    Indexer(store).attach(net.bank)
    alice_key, alice = keyfile(tmp_path, "alice", net)
    bob_key, bob = keyfile(tmp_path, "bob", net)
    url = ["-u", net.rpc_url, "--json"]
    async with PhotonServer(store, port=0) as photon:
        assert (await cli("inbox", "create", "-k", alice_key, *url))[0] == 0
        assert (await cli("thread", "open", str(alice.pubkey()), "hi", "-k", bob_key, *url))[0] == 0
        for _ in range(3):
            net.produce_block()
        code, doc, err = await cli("activity", "--photon", photon.url, "-k", bob_key, *url)
        assert code == 0, err
        assert doc["wallet"] == str(bob.pubkey())
        assert [(t["to"], t["thread"], t["last_seq"]) for t in doc["threads"]] == [
            (str(alice.pubkey()), 1, 1)
        ]
        history = await cli("inbox", "history", "--photon", photon.url, "-k", alice_key, *url)
        assert history[0] == 0, history[2]
        rows = history[1]["history"]
        assert [(r["instruction"], r["thread"], r["events"]) for r in rows] == [
            ("create_thread", 1, "ThreadCreated"),
            ("create_inbox", None, "InboxCreated"),
        ]
        assert rows[0]["signer"] == str(bob.pubkey()) and rows[1]["signer"] == str(alice.pubkey())
        # a Photon without our extension: a clean error, no traceback
        code, _, err = await cli("inbox", "history", "--photon", net.rpc_url, "-k", alice_key, *url)
        assert code != 0 and "getInboxActivity" in err and "Traceback" not in err


async def test_bench_command() -> None:
    code, doc, err = await cli("bench", "--json")
    assert code == 0, err
    rows = {(r["instruction"], r["tree"]): r for r in doc["compute_units"]}
    assert rows[("send_message (60 B)", "v2")]["total"] < 25_000


async def test_airdrop_funds_a_fresh_key(net: Localnet, tmp_path: Path) -> None:
    fresh = Keypair()
    path = tmp_path / "fresh.json"
    path.write_text(fresh.to_json())
    code, doc, err = await cli("airdrop", "1.5", "-k", str(path), "-u", net.rpc_url, "--json")
    assert code == 0, err
    assert doc["to"] == str(fresh.pubkey()) and doc["balance"] == 1_500_000_000
    other = Keypair().pubkey()
    code, doc, err = await cli("airdrop", "0.25", str(other), "-u", net.rpc_url, "--json")
    assert code == 0 and doc["to"] == str(other) and doc["balance"] == 250_000_000, err
    code, _, err = await cli("airdrop", "0", str(other), "-u", net.rpc_url)
    assert code == 1 and "more than 0 SOL" in err and "Traceback" not in err
