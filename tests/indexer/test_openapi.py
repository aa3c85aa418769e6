"""Every method we serve answers in the shape of Photon's OpenAPI spec (and the suite's reader
validates every response it receives with the same schemas, see conftest)."""

from __future__ import annotations

import httpx
from solders.pubkey import Pubkey

from solinbox.program.ids import PROGRAM_ID

from ._openapi import checked, validate
from .conftest import Stack


async def test_every_method_matches_the_spec(stack: Stack) -> None:
    alice, bob = stack.client(), stack.client()
    await alice.create_inbox(0)
    thread = await bob.create_thread(alice.me, "spec")
    await alice.thread(thread.inbox, thread.id).send_message("reply")
    some = [a async for a in stack.reader.accounts_by_owner(PROGRAM_ID)]
    h = str(Pubkey(some[0].hash))
    owner = str(PROGRAM_ID)
    calls = {
        "getCompressedAccount": {"hash": h},
        "getCompressedAccountV2": {"hash": h},
        "getMultipleCompressedAccounts": {"hashes": [h]},
        "getMultipleCompressedAccountsV2": {"hashes": [h]},
        "getCompressedAccountsByOwner": {"owner": owner, "limit": 2},
        "getCompressedAccountsByOwnerV2": {"owner": owner, "limit": 2},
        "getCompressedBalance": {"hash": h},
        "getCompressedAccountBalance": {"hash": h},
        "getCompressedBalanceByOwner": {"owner": owner},
        "getCompressionSignaturesForAccount": {"hash": h},
        "getCompressionSignaturesForOwner": {"owner": owner, "limit": 1},
        "getCompressionSignaturesForAddress": {"address": owner},
        "getLatestCompressionSignatures": {"limit": 2},
        "getIndexerSlot": None,
        "getIndexerHealth": None,
    }
    sig = (await stack.reader.signatures_for_owner(PROGRAM_ID))[0]["signature"]
    calls["getTransactionWithCompressionInfo"] = {"signature": sig}
    calls["getTransactionWithCompressionInfoV2"] = {"signature": sig}
    async with httpx.AsyncClient() as http:
        for method, params in calls.items():
            doc = (
                await http.post(
                    stack.photon.url,
                    json={"jsonrpc": "2.0", "id": "1", "method": method, "params": params},
                )
            ).json()
            assert "result" in doc, (method, doc)
            validate(method, doc["result"])
    assert {"getCompressedAccountsByOwnerV2", "getIndexerSlot"} <= set(checked)  # the hook ran too


async def test_transaction_with_compression_info(stack: Stack) -> None:
    alice, bob = stack.client(), stack.client()
    await alice.create_inbox(0)
    await bob.create_thread(alice.me, "tx info")
    sig = (await stack.reader.signatures_for_owner(PROGRAM_ID))[0]["signature"]
    result = await stack.reader.call("getTransactionWithCompressionInfo", {"signature": sig})
    opened = result["compressionInfo"]["openedAccounts"]
    assert len(opened) == 2 and result["compressionInfo"]["closedAccounts"] == []
    assert {o["account"]["owner"] for o in opened} == {str(PROGRAM_ID)}
    assert result["transaction"]["transaction"][1] == "base64"
    v2 = await stack.reader.call("getTransactionWithCompressionInfoV2", {"signature": sig})
    assert all("merkleContext" in o["account"] for o in v2["compressionInfo"]["openedAccounts"])
    missing = "1" * 64
    async with httpx.AsyncClient() as http:
        doc = (await http.post(stack.photon.url, json={"jsonrpc": "2.0", "id": 1, "method": "getTransactionWithCompressionInfo",
                                                       "params": {"signature": missing}})).json()  # fmt: skip
    assert doc["error"]["code"] == -32000 and "not found" in doc["error"]["message"]
