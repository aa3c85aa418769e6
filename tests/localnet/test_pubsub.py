"""accountSubscribe, logsSubscribe, slotSubscribe with solana-py's WebSocket client."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from solana.rpc.commitment import Confirmed, Finalized, Processed
from solana.rpc.websocket_api import SolanaWsClient
from solders.keypair import Keypair
from solders.rpc.config import RpcTransactionLogsFilter, RpcTransactionLogsFilterMentions
from solders.rpc.responses import AccountNotification, LogsNotification, SlotNotification

from solinbox.localnet.server import Localnet

from ._helpers import pay, signed

SYSTEM = "11111111111111111111111111111111"


async def test_account_logs_slot(manual: Localnet) -> None:
    bank = manual.bank
    payer, dest = Keypair(), Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    async with SolanaWsClient(manual.ws_url) as ws:
        account_sub = await ws.account_subscribe(
            pubkey=dest.pubkey(), commitment=Processed, encoding="base64"
        )
        logs_sub = await ws.logs_subscribe(
            filter_=RpcTransactionLogsFilterMentions(dest.pubkey()), commitment=Confirmed
        )
        all_sub = await ws.logs_subscribe(
            filter_=RpcTransactionLogsFilter.All, commitment=Processed
        )
        slot_sub = await ws.slot_subscribe()
        tx = signed(bank, payer, [pay(payer, dest.pubkey(), 2 * 10**6)])
        bank.process(tx)
        notes = [await asyncio.wait_for(ws.recv(), 5) for _ in range(2)]
        assert {type(n) for n in notes} == {AccountNotification, LogsNotification}
        account = next(n for n in notes if isinstance(n, AccountNotification))
        assert (
            account.subscription == account_sub.subscription_id
            and account.result.value.lamports == 2 * 10**6
        )
        logs = next(n for n in notes if isinstance(n, LogsNotification))
        assert logs.subscription == all_sub.subscription_id  # the confirmed one waits for the block
        manual.produce_block()
        notes = [await asyncio.wait_for(ws.recv(), 5) for _ in range(2)]
        confirmed = next(n for n in notes if isinstance(n, LogsNotification))
        assert confirmed.subscription == logs_sub.subscription_id
        assert (
            confirmed.result.value.signature == tx.signatures[0]
            and confirmed.result.value.err is None
        )
        slot = next(n for n in notes if isinstance(n, SlotNotification))
        assert slot.subscription == slot_sub.subscription_id and slot.result.slot == bank.slot
        await ws.unsubscribe(account_sub)


async def test_bad_websocket_messages(manual: Localnet) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(manual.ws_url) as ws:
        for text, code in [
            ("not json", -32700),
            ("[]", -32600),
            ('{"jsonrpc":"2.0","id":1,"method":"fooSubscribe","params":[]}', -32601),
            ('{"jsonrpc":"2.0","id":2,"method":"accountSubscribe","params":["nope"]}', -32602),
            (
                '{"jsonrpc":"2.0","id":3,"method":"logsSubscribe","params":[{"mentions":[]}]}',
                -32602,
            ),
            ('{"jsonrpc":"2.0","id":4,"method":"slotUnsubscribe","params":[999]}', -32602),
        ]:
            await ws.send_str(text)
            answer = json.loads(await asyncio.wait_for(ws.receive_str(), 5))
            assert answer["error"]["code"] == code, (text, answer)
        await ws.send_str("[1,2]")  # a batch: one answer per element
        answers = json.loads(await asyncio.wait_for(ws.receive_str(), 5))
        assert [a["error"]["code"] for a in answers] == [-32600, -32600]
        await ws.send_bytes(b"\x00\x01")
        assert json.loads(await ws.receive_str())["error"]["code"] == -32700
        await ws.send_str('{"jsonrpc":"2.0","id":5,"method":"slotSubscribe"}')
        sub = json.loads(await ws.receive_str())["result"]
        manual.produce_block()
        note = json.loads(await asyncio.wait_for(ws.receive_str(), 5))
        assert note["method"] == "slotNotification" and note["params"]["subscription"] == sub
        await ws.send_str(
            json.dumps({"jsonrpc": "2.0", "id": 6, "method": "slotUnsubscribe", "params": [sub]})
        )
        assert json.loads(await ws.receive_str())["result"] is True


async def test_a_late_subscriber_gets_what_confirms_after_it(manual: Localnet) -> None:
    """Processed before the subscription, confirmed after it: delivered at confirmed (the gap
    between a watcher's subscribe and its backfill)."""
    bank = manual.bank
    payer, dest = Keypair(), Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    manual.produce_block()
    tx = signed(bank, payer, [pay(payer, dest.pubkey(), 10**6)])
    bank.process(tx)  # processed, its block not produced yet
    async with SolanaWsClient(manual.ws_url) as ws:
        logs = await ws.logs_subscribe(
            filter_=RpcTransactionLogsFilterMentions(dest.pubkey()), commitment=Confirmed
        )
        account = await ws.account_subscribe(
            pubkey=dest.pubkey(), commitment=Finalized, encoding="base64"
        )
        manual.produce_block()  # the slot reaches confirmed
        note = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(note, LogsNotification) and note.subscription == logs.subscription_id
        assert note.result.value.signature == tx.signatures[0]
        bank.airdrop(dest.pubkey(), 5)  # a later change: the finalized note keeps the old state
        for _ in range(bank.finality_depth):
            manual.produce_block()
        final = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(final, LogsNotification)  # the airdrop, at confirmed
        final = await asyncio.wait_for(ws.recv(), 5)
        assert (
            isinstance(final, AccountNotification) and final.subscription == account.subscription_id
        )
        assert (
            final.result.value.lamports == 10**6
            and final.result.context.slot == note.result.context.slot
        )


async def test_program_root_and_signature_received(manual: Localnet) -> None:
    bank = manual.bank
    payer, dest = Keypair(), Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    manual.produce_block()
    tx = signed(bank, payer, [pay(payer, dest.pubkey(), 10**6)])
    async with aiohttp.ClientSession() as http, http.ws_connect(manual.ws_url) as ws:
        requests = [
            {"jsonrpc": "2.0", "id": 1, "method": "programSubscribe",
             "params": [SYSTEM, {"encoding": "base64", "commitment": "processed",
                                 "filters": [{"dataSize": 0}]}]},
            {"jsonrpc": "2.0", "id": 2, "method": "rootSubscribe"},
            {"jsonrpc": "2.0", "id": 3, "method": "signatureSubscribe",
             "params": [str(tx.signatures[0]),
                        {"commitment": "confirmed", "enableReceivedNotification": True}]},
        ]  # fmt: skip
        await ws.send_str(json.dumps(requests))  # one batch, one answer
        answers = json.loads(await asyncio.wait_for(ws.receive_str(), 5))
        program_sub, root_sub, sig_sub = (a["result"] for a in answers)
        bank.process(tx)
        received = [json.loads(await asyncio.wait_for(ws.receive_str(), 5)) for _ in range(3)]
        methods = sorted(n["method"] for n in received)
        assert methods == ["programNotification", "programNotification", "signatureNotification"]
        assert next(n for n in received if n["method"] == "signatureNotification")["params"][
            "result"]["value"] == "receivedSignature"  # fmt: skip
        # both written accounts are system-owned and data-less: one note each
        notes = [n["params"] for n in received if n["method"] == "programNotification"]
        assert {n["subscription"] for n in notes} == {program_sub}
        assert {n["result"]["value"]["pubkey"] for n in notes} == {
            str(payer.pubkey()),
            str(dest.pubkey()),
        }
        manual.produce_block()
        done = json.loads(await asyncio.wait_for(ws.receive_str(), 5))
        assert (
            done["method"] == "signatureNotification" and done["params"]["subscription"] == sig_sub
        )
        assert done["params"]["result"]["value"] == {"err": None}
        for _ in range(bank.finality_depth):
            manual.produce_block()
        roots: list[int] = []
        while not roots or roots[-1] < bank.finalized_slot:  # one per newly finalized root
            note = json.loads(await asyncio.wait_for(ws.receive_str(), 5))
            assert (
                note["method"] == "rootNotification" and note["params"]["subscription"] == root_sub
            )
            roots.append(note["params"]["result"])
        assert roots == sorted(set(roots)) and roots[-1] == bank.finalized_slot
