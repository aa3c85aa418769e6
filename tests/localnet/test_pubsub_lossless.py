"""10,000 transactions while subscribers at every commitment watch, some of them dropping and
reconnecting (with a backfill): each sees each transaction exactly once, the steady ones in
slot order."""

from __future__ import annotations

import asyncio
import base64
import json
import random
from dataclasses import dataclass, field

import aiohttp
import httpx
import pytest
from solders.keypair import Keypair
from solders.signature import Signature

from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet

from ._helpers import pay, signed

pytestmark = pytest.mark.slow

TOTAL = 10_000
BATCH = 100


@dataclass
class Watcher:
    commitment: str
    reconnects: bool
    seen: list[tuple[int, str]] = field(default_factory=list)  # (slot, signature)
    connections: int = 0


async def _subscribe(ws: aiohttp.ClientWebSocketResponse, address: str, commitment: str) -> None:
    await ws.send_json({"jsonrpc": "2.0", "id": 1, "method": "logsSubscribe",
                        "params": [{"mentions": [address]}, {"commitment": commitment}]})  # fmt: skip
    while "result" not in (answer := json.loads(await ws.receive_str())) or answer.get("id") != 1:
        pass


async def _backfill(
    http: httpx.AsyncClient, url: str, address: str, commitment: str, until: str | None
) -> list[tuple[int, str]]:
    """Everything after ``until`` at ``commitment``, oldest first (paged by ``before``)."""
    found: list[tuple[int, str]] = []
    before = None
    while True:
        config: dict[str, object] = {"commitment": commitment, "limit": 1000}
        if until:
            config["until"] = until
        if before:
            config["before"] = before
        page = (await http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "getSignaturesForAddress",
                                           "params": [address, config]})).json()["result"]  # fmt: skip
        found += [(item["slot"], item["signature"]) for item in page]
        if len(page) < 1000:
            return list(reversed(found))
        before = page[-1]["signature"]


async def _watch(
    watcher: Watcher,
    net: Localnet,
    address: str,
    since: str,
    done: asyncio.Event,
    rng: random.Random,
) -> None:
    seen: set[str] = set()
    async with aiohttp.ClientSession() as session, httpx.AsyncClient(timeout=30) as http:
        while not (done.is_set() and len(seen) >= TOTAL):
            async with session.ws_connect(net.ws_url) as ws:
                watcher.connections += 1
                await _subscribe(ws, address, watcher.commitment)
                # a reconnecting watcher leaves after a random number of transactions, counting
                # those its backfill brings: the seam between backfill and stream moves around
                budget = rng.randint(40, 400) if watcher.reconnects else None
                if watcher.reconnects:  # what landed while away (and before the subscription)
                    last = watcher.seen[-1][1] if watcher.seen else since
                    for slot, signature in await _backfill(
                        http, net.rpc_url, address, watcher.commitment, last
                    ):
                        if signature not in seen:
                            seen.add(signature)
                            watcher.seen.append((slot, signature))
                            budget = (budget or 0) - 1
                while not watcher.reconnects or (budget is not None and budget > 0):
                    if done.is_set() and len(seen) >= TOTAL:
                        return
                    note = json.loads(await asyncio.wait_for(ws.receive_str(), 60))
                    if note.get("method") != "logsNotification":
                        continue
                    signature = note["params"]["result"]["value"]["signature"]
                    slot = note["params"]["result"]["context"]["slot"]
                    if watcher.reconnects and signature in seen:
                        continue  # the backfill and the stream overlap: dropped once here
                    seen.add(signature)
                    watcher.seen.append((slot, signature))
                    if budget is not None:
                        budget -= 1


async def test_ten_thousand_transactions_each_seen_once() -> None:
    rng = random.Random(3)
    bank = Bank.create(finality_depth=2)
    payers = [Keypair() for _ in range(4)]
    for payer in payers:
        bank.airdrop(payer.pubkey(), 10**12)
    target = Keypair().pubkey()
    funded = bank.airdrop(target, 10**9)
    bank.produce_block()
    for _ in range(3):
        bank.produce_block()  # everything so far is final before anyone watches
    watchers = [Watcher(c, reconnects) for c in ("processed", "confirmed", "finalized")
                for reconnects in (False, True) if not (reconnects and c == "processed")]  # fmt: skip
    done = asyncio.Event()
    async with Localnet(bank, rpc_port=0, ws_port=0, slot_interval=0.02) as net:
        since = str(funded.signature)  # type: ignore[union-attr]
        tasks = [
            asyncio.create_task(_watch(w, net, str(target), since, done, rng)) for w in watchers
        ]
        ready = asyncio.Event()
        unhook = bank.on_block(
            lambda _b: ready.set() if all(w.connections for w in watchers) else None
        )
        await asyncio.wait_for(ready.wait(), 30)  # every watcher has connected once
        unhook()
        sent: list[Signature] = []
        async with httpx.AsyncClient(timeout=60) as http:
            for start in range(0, TOTAL, BATCH):
                blockhash = bank.latest_blockhash("processed")[0]
                batch = []
                for n in range(start, min(TOTAL, start + BATCH)):
                    payer = payers[n % len(payers)]
                    tx = signed(blockhash, payer, [pay(payer, target, 1000 + n)])
                    sent.append(tx.signatures[0])
                    batch.append({"jsonrpc": "2.0", "id": n, "method": "sendTransaction",
                                  "params": [base64.b64encode(bytes(tx)).decode(),
                                             {"encoding": "base64", "skipPreflight": True}]})  # fmt: skip
                answers = (await http.post(net.rpc_url, json=batch)).json()
                assert all("result" in a for a in answers), answers[:3]
        finalized = asyncio.Event()
        unhook = bank.on_block(
            lambda _b: (
                finalized.set()
                if bank.status_of_slot(bank.record(sent[-1]).slot) == "finalized"
                else None
            )
        )  # type: ignore[union-attr]
        await asyncio.wait_for(finalized.wait(), 60)
        unhook()
        done.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
    expected = {str(s) for s in sent}
    for watcher in watchers:
        signatures = [s for _slot, s in watcher.seen]
        assert len(signatures) == len(set(signatures)) == TOTAL, (
            watcher.commitment,
            watcher.reconnects,
        )
        assert set(signatures) == expected
        if not watcher.reconnects:
            slots = [slot for slot, _s in watcher.seen]
            assert slots == sorted(slots), watcher.commitment  # in slot order
        else:
            assert watcher.connections >= 2, watcher  # it really dropped and came back
