"""The Photon server never fails on input: every method, fed hostile params, answers a
well-formed JSON-RPC result or a client error (-32600/-32602/-32000), never an internal error."""

from __future__ import annotations

import random
from typing import Any

import httpx
from solders.pubkey import Pubkey

from solinbox.indexer import PhotonServer
from solinbox.indexer.server import _Methods
from solinbox.program.ids import PROGRAM_ID

from .conftest import Stack
from .test_indexer import conversation

_KEY = str(PROGRAM_ID)
_VALUES: list[Any] = [
    None, True, 0, -1, 2**64, 2**80, -(2**70), 1.5, "", "x", "0" * 200, "11111111111111111111111111111111",
    _KEY, [], [_KEY], [None], {}, {"offset": 0}, [{"memcmp": {"offset": -5, "bytes": "1"}}],
    [{"memcmp": {"offset": 2**70, "bytes": "11"}}], [{"memcmp": {"offset": 0, "bytes": "0OIl"}}],
    {"offset": -1, "length": 10**12}, {"offset": 2**70, "length": 1}, "3" * 100,
]  # fmt: skip
_FIELDS = ["owner", "hash", "address", "hashes", "addresses", "filters", "dataSlice", "cursor",
           "limit", "inbox", "threadId", "signature", "delegate", "mint"]  # fmt: skip


def valid_params(inbox: str, account_hash: str, signature: str) -> dict[str, dict[str, Any]]:
    """One well-formed params object per method, to mutate."""
    owner = {"owner": _KEY, "limit": 10}
    by_owner = {**owner, "filters": [{"memcmp": {"offset": 2, "bytes": inbox}}],
                "dataSlice": {"offset": 0, "length": 8}}  # fmt: skip
    return {
        "getCompressedAccount": {"hash": account_hash},
        "getCompressedAccountV2": {"hash": account_hash},
        "getMultipleCompressedAccounts": {"hashes": [account_hash]},
        "getMultipleCompressedAccountsV2": {"hashes": [account_hash]},
        "getCompressedAccountsByOwner": by_owner,
        "getCompressedAccountsByOwnerV2": by_owner,
        "getCompressedBalance": {"hash": account_hash},
        "getCompressedAccountBalance": {"hash": account_hash},
        "getCompressedBalanceByOwner": {"owner": _KEY},
        "getCompressionSignaturesForAccount": {"hash": account_hash},
        "getCompressionSignaturesForOwner": owner,
        "getCompressionSignaturesForAddress": {"address": inbox, "limit": 3},
        "getLatestCompressionSignatures": {"limit": 3},
        "getTransactionWithCompressionInfo": {"signature": signature},
        "getTransactionWithCompressionInfoV2": {"signature": signature},
        "getInboxActivity": {"inbox": inbox, "threadId": 1, "limit": 2},
        "getCompressedTokenAccountsByOwner": {**owner, "mint": _KEY},
        "getCompressedTokenAccountsByOwnerV2": owner,
        "getCompressedTokenAccountsByDelegate": {"delegate": _KEY, "limit": 10},
        "getCompressedTokenAccountsByDelegateV2": {"delegate": _KEY, "mint": _KEY},
        "getCompressedTokenAccountBalance": {"hash": account_hash},
        "getCompressedTokenBalancesByOwner": owner,
        "getCompressedTokenBalancesByOwnerV2": {**owner, "mint": _KEY},
        "getCompressedMintTokenHolders": {"mint": _KEY, "limit": 10},
        "getCompressionSignaturesForTokenOwner": owner,
        "getIndexerSlot": {},
        "getIndexerHealth": {},
        "getValidityProof": {"hashes": [account_hash]},
    }


def mutations(base: dict[str, Any], rng: random.Random, n: int) -> list[Any]:
    out: list[Any] = [base, None, [], "x", 5, [base]]
    for _ in range(n):
        params = dict(base)
        for _ in range(rng.randint(1, 2)):
            field = rng.choice([*base, *rng.sample(_FIELDS, 1)]) if base else rng.choice(_FIELDS)
            value = rng.choice(_VALUES)
            if isinstance(params.get(field), list) and params[field] and rng.random() < 0.5:
                inner = params[field][0]
                if isinstance(inner, dict) and "memcmp" in inner:  # mutate inside the filter
                    memcmp = {**inner["memcmp"], rng.choice(["offset", "bytes"]): value}
                    value = [{"memcmp": memcmp}]
                else:
                    value = [value]
            params[field] = value
        out.append(params)
    return out


async def test_hostile_params_never_crash_the_server(stack: Stack) -> None:
    inbox, _ = await conversation(stack)
    account = stack.store.accounts_by_owner(PROGRAM_ID, limit=1)[0]
    signature = stack.store.signatures(limit=1)[0].signature
    bases = valid_params(str(inbox), str(Pubkey(account.hash)), str(signature))
    assert set(bases) >= set(_Methods(stack.store).dispatch())  # every method is fuzzed
    rng = random.Random(11)
    requests = [
        {"jsonrpc": "2.0", "id": i, "method": method, "params": params}
        for method, base in sorted(bases.items())
        for i, params in enumerate(mutations(base, rng, 60))
    ]
    async with (
        PhotonServer(stack.store, port=0, rpc_url=stack.net.rpc_url) as server,
        httpx.AsyncClient() as http,
    ):
        codes: dict[int, int] = {}
        results = 0
        for chunk in range(0, len(requests), 100):
            sent = requests[chunk : chunk + 100]
            answers = (await http.post(server.url, json=sent)).json()
            assert len(answers) == len(sent)
            for request, answer in zip(sent, answers, strict=True):
                assert answer["jsonrpc"] == "2.0" and answer["id"] == request["id"]
                if "error" in answer:
                    code = answer["error"]["code"]
                    assert code in (-32600, -32602, -32000), (request, answer)
                    codes[code] = codes.get(code, 0) + 1
                else:
                    results += 1
        # both sides were reached: hostile values refused, and the valid bases answered
        assert codes.get(-32602, 0) > 200 and results > 100, (codes, results)
        slot = {"jsonrpc": "2.0", "id": 1, "method": "getIndexerSlot"}
        assert (await http.post(server.url, json=slot)).json()["result"] > 0
