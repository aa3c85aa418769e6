"""A ledger that survives ``kill -9``: every confirmed transaction is there after a restart,
and the state is exactly the state those transactions make (no more, no less)."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solana.rpc.websocket_api import SolanaWsClient
from solders.keypair import Keypair
from solders.signature import Signature

from solinbox.localnet.ledger import Ledger

from ._helpers import pay, signed

LAMPORTS_PER_SOL = 10**9


async def _start(ledger: Path) -> tuple[asyncio.subprocess.Process, dict[str, str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "solinbox.cli", "localnet", "--no-inbox", "--rpc-port", "0", "--ws-port", "0",
        "--slot-ms", "20", "--finality-depth", "1", "--snapshot-interval", "3", "--ledger", str(ledger), "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)  # the ready line
    assert line, "the localnet did not start"
    return proc, json.loads(line)


async def _confirmed(ws: SolanaWsClient, rpc: AsyncClient, tx: object) -> Signature:
    signature = tx.signatures[0]  # type: ignore[attr-defined]
    await ws.signature_subscribe(signature=signature, commitment=Confirmed)
    await rpc.send_raw_transaction(bytes(tx))  # type: ignore[arg-type]
    while True:  # the subscription's notification is the event we wait for
        note = await asyncio.wait_for(ws.recv(), 30)
        if type(note).__name__ == "SignatureNotification":
            return signature


async def test_kill_9_anywhere_loses_nothing_confirmed(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    rng = random.Random(11)
    payer = Keypair()
    recipients = [Keypair().pubkey() for _ in range(5)]
    sent: dict[Signature, tuple[int, int]] = {}  # signature -> (recipient index, lamports)
    confirmed: set[Signature] = set()
    kills = 0
    for round_ in range(5):
        proc, info = await _start(ledger)
        async with (
            AsyncClient(info["rpc_url"], commitment=Confirmed) as rpc,
            SolanaWsClient(info["ws_url"]) as ws,
        ):
            if round_ == 0:
                airdrop = (await rpc.request_airdrop(payer.pubkey(), 10 * LAMPORTS_PER_SOL)).value
                await ws.signature_subscribe(signature=airdrop, commitment=Confirmed)
                await asyncio.wait_for(ws.recv(), 30)
            blockhash = (await rpc.get_latest_blockhash(Confirmed)).value.blockhash
            for _ in range(rng.randint(2, 6)):
                index, lamports = (
                    rng.randrange(len(recipients)),
                    rng.randint(1, 10**6) + LAMPORTS_PER_SOL // 100,
                )
                tx = signed(blockhash, payer, [pay(payer, recipients[index], lamports)])
                sent[tx.signatures[0]] = (index, lamports)
                confirmed.add(await _confirmed(ws, rpc, tx))
            # one more, not waited for: it may or may not survive (it was never confirmed)
            index, lamports = rng.randrange(len(recipients)), LAMPORTS_PER_SOL // 100 + 7
            extra = signed(blockhash, payer, [pay(payer, recipients[index], lamports)])
            sent[extra.signatures[0]] = (index, lamports)
            await rpc.send_raw_transaction(bytes(extra))
            # kill a random number of blocks later (0-4): in a block, a journal write, a snapshot
            await ws.slot_subscribe()
            for _ in range(rng.randint(0, 4)):
                while type(await asyncio.wait_for(ws.recv(), 30)).__name__ != "SlotNotification":
                    pass
        proc.kill()  # SIGKILL: no clean shutdown, no final snapshot
        await proc.wait()
        kills += 1

    proc, info = await _start(ledger)
    try:
        async with AsyncClient(info["rpc_url"], commitment=Confirmed) as rpc:
            landed = set()
            for signature in sent:
                tx = (await rpc.get_transaction(signature, commitment=Confirmed,
                                                max_supported_transaction_version=0)).value  # fmt: skip
                if tx is not None:
                    landed.add(signature)
            assert confirmed <= landed, f"lost confirmed transactions: {confirmed - landed}"
            expected = [0] * len(recipients)
            for signature in landed:
                index, lamports = sent[signature]
                expected[index] += lamports
            balances = [(await rpc.get_balance(key)).value for key in recipients]
            assert balances == expected
            spent = sum(sent[s][1] for s in landed) + 5000 * len(landed)
            assert (await rpc.get_balance(payer.pubkey())).value == 10 * LAMPORTS_PER_SOL - spent
    finally:
        proc.terminate()
        await proc.wait()
    assert kills == 5 and Ledger.exists(ledger)
