"""accountSubscribe, logsSubscribe, slotSubscribe with solana-py's WebSocket client."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from solana.rpc.commitment import Confirmed, Processed
from solana.rpc.websocket_api import SolanaWsClient
from solders.keypair import Keypair
from solders.rpc.config import RpcTransactionLogsFilter, RpcTransactionLogsFilterMentions
from solders.rpc.responses import AccountNotification, LogsNotification, SlotNotification

from solinbox.localnet.server import Localnet

from ._helpers import pay, signed


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
            ("[1,2]", -32600),
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
