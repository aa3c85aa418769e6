"""Every method answers the exact shape of a validator: solders' response types parse it."""

from __future__ import annotations

import base64
import json

from solders.account import Account
from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import to_bytes_versioned
from solders.pubkey import Pubkey
from solders.rpc import responses as r

from solinbox.localnet._codec import TOKEN_PROGRAM, b58encode
from solinbox.localnet.server import Localnet

from ._helpers import pay, signed
from .conftest import Rpc


def _parse(kind: type, text: str) -> object:
    parsed = kind.from_json(text)  # type: ignore[attr-defined]
    assert not isinstance(parsed, r.InvalidParamsMessage | r.RPCError), text  # type: ignore[attr-defined]
    return parsed


def _token_account(mint: Pubkey, owner: Pubkey, amount: int) -> Account:
    data = (
        bytes(mint)
        + bytes(owner)
        + amount.to_bytes(8, "little")
        + bytes(36)
        + b"\x01"
        + bytes(165 - 109)
    )
    return Account(2_039_280, data, TOKEN_PROGRAM, False, 0)


def _mint(decimals: int) -> Account:
    data = (
        (1).to_bytes(4, "little")
        + bytes(32)
        + (10**9).to_bytes(8, "little")
        + bytes([decimals, 1])
        + bytes(36)
    )
    return Account(1_461_600, data, TOKEN_PROGRAM, False, 0)


async def test_cluster_methods(mrpc: Rpc, manual: Localnet) -> None:
    manual.produce_block()
    _parse(r.GetVersionResp, await mrpc.text("getVersion"))
    assert (await mrpc.call("getHealth"))["result"] == "ok"
    genesis = _parse(r.GetGenesisHashResp, await mrpc.text("getGenesisHash"))
    assert str(genesis.value) == str(manual.bank.genesis_hash)  # type: ignore[attr-defined]
    assert (await mrpc.call("getSlot", {"commitment": "processed"}))["result"] == 2
    assert (await mrpc.call("getSlot", {"commitment": "confirmed"}))["result"] == 1
    assert (await mrpc.call("getSlot"))["result"] == 0  # finalized: depth 2
    _parse(r.GetBlockHeightResp, await mrpc.text("getBlockHeight"))
    info = _parse(r.GetEpochInfoResp, await mrpc.text("getEpochInfo", {"commitment": "processed"}))
    assert info.value.absolute_slot == 2  # type: ignore[attr-defined]
    latest = _parse(
        r.GetLatestBlockhashResp, await mrpc.text("getLatestBlockhash", {"commitment": "confirmed"})
    )
    blockhash = latest.value.blockhash  # type: ignore[attr-defined]
    assert latest.value.last_valid_block_height == 1 + 150  # type: ignore[attr-defined]
    valid = _parse(
        r.IsBlockhashValidResp,
        await mrpc.text("isBlockhashValid", str(blockhash), {"commitment": "confirmed"}),
    )
    assert valid.value is True  # type: ignore[attr-defined]
    invalid = await mrpc.call("isBlockhashValid", str(Keypair().pubkey()))
    assert invalid["result"]["value"] is False
    rent = _parse(
        r.GetMinimumBalanceForRentExemptionResp,
        await mrpc.text("getMinimumBalanceForRentExemption", 0),
    )
    assert rent.value == 890880  # type: ignore[attr-defined]
    payer = Keypair()
    msg = signed(blockhash, payer, [pay(payer, Keypair().pubkey(), 5)]).message
    fee = _parse(
        r.GetFeeForMessageResp,
        await mrpc.text(
            "getFeeForMessage",
            base64.b64encode(to_bytes_versioned(msg)).decode(),
            {"commitment": "confirmed"},
        ),
    )
    assert fee.value == 5000  # type: ignore[attr-defined]


async def test_blockhash_expiry_and_history(mrpc: Rpc, manual: Localnet) -> None:
    bank = manual.bank
    payer = Keypair()
    bank.airdrop(payer.pubkey(), 10**10)
    old = bank.latest_blockhash("processed")[0]
    for _ in range(151):
        manual.produce_block()
    assert not bank.is_blockhash_valid(old, "processed")
    tx = signed(old, payer, [pay(payer, Keypair().pubkey(), 10**6)])
    answer = await mrpc.call(
        "sendTransaction", base64.b64encode(bytes(tx)).decode(), {"encoding": "base64"}
    )
    assert answer["error"]["code"] == -32002
    assert answer["error"]["message"] == "Transaction simulation failed: Blockhash not found"
    fresh = signed(bank, payer, [pay(payer, Keypair().pubkey(), 10**6)])
    sig = (await mrpc.call("sendTransaction", b58encode(bytes(fresh))))["result"]
    statuses = _parse(
        r.GetSignatureStatusesResp,
        await mrpc.text("getSignatureStatuses", [sig, str(tx.signatures[0])]),
    )
    first, second = statuses.value  # type: ignore[attr-defined]
    assert second is None and first.slot == bank.slot and first.confirmations == 0
    assert (
        await mrpc.call(
            "getTransaction", sig, {"commitment": "confirmed", "maxSupportedTransactionVersion": 0}
        )
    )["result"] is None
    manual.produce_block()
    for encoding in ("json", "base64", "base58"):
        text = await mrpc.text(
            "getTransaction",
            sig,
            {"commitment": "confirmed", "encoding": encoding, "maxSupportedTransactionVersion": 0},
        )
        got = _parse(r.GetTransactionResp, text)
        assert got.value.slot == bank.slot - 1  # type: ignore[attr-defined]
    # v0 transactions need maxSupportedTransactionVersion, like on a validator
    assert (await mrpc.call("getTransaction", sig, {"commitment": "confirmed"}))["error"][
        "code"
    ] == -32015
    assert (await mrpc.call("getTransaction", sig, {"commitment": "processed"}))["error"][
        "code"
    ] == -32602
    block = _parse(
        r.GetBlockResp,
        await mrpc.text(
            "getBlock",
            bank.slot - 1,
            {"commitment": "confirmed", "maxSupportedTransactionVersion": 0},
        ),
    )
    assert [str(t.transaction.signatures[0]) for t in block.value.transactions] == [sig]  # type: ignore[attr-defined]
    sigs_only = await mrpc.call(
        "getBlock", bank.slot - 1, {"commitment": "confirmed", "transactionDetails": "signatures"}
    )
    assert sigs_only["result"]["signatures"] == [sig]
    assert (await mrpc.call("getBlock", bank.slot + 5, {"commitment": "confirmed"}))["error"][
        "code"
    ] == -32004
    blocks = _parse(
        r.GetBlocksResp, await mrpc.text("getBlocks", bank.slot - 3, {"commitment": "confirmed"})
    )
    assert blocks.value == [bank.slot - 3, bank.slot - 2, bank.slot - 1]  # type: ignore[attr-defined]
    for _ in range(2):
        manual.produce_block()
    history = _parse(
        r.GetSignaturesForAddressResp,
        await mrpc.text("getSignaturesForAddress", str(payer.pubkey())),
    )
    assert [str(s.signature) for s in history.value] == [
        sig,
        str(bank.signatures_for_address(payer.pubkey())[-1].signature),
    ]  # type: ignore[attr-defined]
    before = await mrpc.call("getSignaturesForAddress", str(payer.pubkey()), {"before": sig})
    assert len(before["result"]) == 1 and before["result"][0]["signature"] != sig
    until = await mrpc.call(
        "getSignaturesForAddress", str(payer.pubkey()), {"until": before["result"][0]["signature"]}
    )
    assert [s["signature"] for s in until["result"]] == [sig]
    assert (
        len(
            (await mrpc.call("getSignaturesForAddress", str(payer.pubkey()), {"limit": 1}))[
                "result"
            ]
        )
        == 1
    )


async def test_accounts_and_tokens(mrpc: Rpc, manual: Localnet) -> None:
    bank = manual.bank
    owner, mint, token = Keypair().pubkey(), Keypair().pubkey(), Keypair().pubkey()
    bank.set_account(mint, _mint(6))
    bank.set_account(token, _token_account(mint, owner, 1_500_000))
    bank.airdrop(owner, 10**9)
    assert (await mrpc.call("getBalance", str(owner)))["result"]["value"] == 10**9
    _parse(r.GetBalanceResp, await mrpc.text("getBalance", str(owner)))
    for encoding in ("base58", "base64", "base64+zstd", "jsonParsed"):
        text = await mrpc.text("getAccountInfo", str(token), {"encoding": encoding})
        kind = (
            r.GetAccountInfoMaybeJsonParsedResp
            if encoding == "jsonParsed"
            else r.GetAccountInfoResp
        )
        if encoding == "base58":
            assert "error" in json.loads(text)  # 165 bytes: too long for base58, like a validator
            continue
        _parse(kind, text)
    parsed = (await mrpc.call("getAccountInfo", str(token), {"encoding": "jsonParsed"}))["result"][
        "value"
    ]["data"]
    assert parsed["parsed"]["info"]["tokenAmount"]["uiAmountString"] == "1.5"
    sliced = _parse(
        r.GetAccountInfoResp,
        await mrpc.text(
            "getAccountInfo",
            str(token),
            {"encoding": "base64", "dataSlice": {"offset": 32, "length": 32}},
        ),
    )
    assert bytes(sliced.value.data) == bytes(owner)  # type: ignore[attr-defined]
    missing = _parse(
        r.GetAccountInfoResp,
        await mrpc.text("getAccountInfo", str(Keypair().pubkey()), {"encoding": "base64"}),
    )
    assert missing.value is None  # type: ignore[attr-defined]
    multiple = _parse(
        r.GetMultipleAccountsResp,
        await mrpc.text(
            "getMultipleAccounts",
            [str(token), str(Keypair().pubkey()), str(owner)],
            {"encoding": "base64"},
        ),
    )
    assert [a is None for a in multiple.value] == [False, True, False]  # type: ignore[attr-defined]
    gpa = _parse(
        r.GetProgramAccountsResp,
        await mrpc.text(
            "getProgramAccounts",
            str(TOKEN_PROGRAM),
            {
                "encoding": "base64",
                "filters": [{"dataSize": 165}, {"memcmp": {"offset": 32, "bytes": str(owner)}}],
            },
        ),
    )
    assert [a.pubkey for a in gpa.value] == [token]  # type: ignore[attr-defined]
    none = await mrpc.call(
        "getProgramAccounts",
        str(TOKEN_PROGRAM),
        {
            "encoding": "base64",
            "filters": [
                {
                    "memcmp": {
                        "offset": 0,
                        "bytes": base64.b64encode(bytes(owner)).decode(),
                        "encoding": "base64",
                    }
                }
            ],
        },
    )
    assert none["result"] == []
    with_context = _parse(
        r.GetProgramAccountsWithContextResp,
        await mrpc.text(
            "getProgramAccounts", str(TOKEN_PROGRAM), {"encoding": "base64", "withContext": True}
        ),
    )
    # our mint and token account, and the wrapped-SOL mint every validator's genesis has
    assert {str(a.pubkey) for a in with_context.value} == {  # type: ignore[attr-defined]
        str(mint),
        str(token),
        "So11111111111111111111111111111111111111112",
    }
    balance = _parse(
        r.GetTokenAccountBalanceResp, await mrpc.text("getTokenAccountBalance", str(token))
    )
    assert balance.value.ui_amount_string == "1.5" and balance.value.decimals == 6  # type: ignore[attr-defined]
    assert (await mrpc.call("getTokenAccountBalance", str(owner)))["error"]["code"] == -32602
    by_owner = _parse(
        r.GetTokenAccountsByOwnerResp,
        await mrpc.text(
            "getTokenAccountsByOwner", str(owner), {"mint": str(mint)}, {"encoding": "base64"}
        ),
    )
    assert [a.pubkey for a in by_owner.value] == [token]  # type: ignore[attr-defined]
    by_program = await mrpc.call(
        "getTokenAccountsByOwner",
        str(owner),
        {"programId": str(TOKEN_PROGRAM)},
        {"encoding": "jsonParsed"},
    )
    assert by_program["result"]["value"][0]["account"]["data"]["parsed"]["type"] == "account"


async def test_simulate_and_airdrop(mrpc: Rpc, manual: Localnet) -> None:
    bank = manual.bank
    payer = Keypair()
    airdrop = _parse(
        r.RequestAirdropResp, await mrpc.text("requestAirdrop", str(payer.pubkey()), 10**9)
    )
    assert bank.record(airdrop.value) is not None  # type: ignore[attr-defined]
    dest = Keypair().pubkey()
    tx = signed(bank, payer, [pay(payer, dest, 10**6)])
    sim = _parse(
        r.SimulateTransactionResp,
        await mrpc.text(
            "simulateTransaction",
            base64.b64encode(bytes(tx)).decode(),
            {
                "encoding": "base64",
                "sigVerify": True,
                "accounts": {"addresses": [str(dest)], "encoding": "base64"},
            },
        ),
    )
    assert sim.value.err is None and sim.value.accounts[0].lamports == 10**6  # type: ignore[attr-defined]
    assert bank.get_account(dest) is None  # nothing committed
    stale = signed(Hash.new_unique(), payer, [pay(payer, dest, 10**6)])  # unknown blockhash
    replaced = _parse(
        r.SimulateTransactionResp,
        await mrpc.text(
            "simulateTransaction",
            base64.b64encode(bytes(stale)).decode(),
            {"encoding": "base64", "replaceRecentBlockhash": True},
        ),
    )
    assert replaced.value.err is None and replaced.value.replacement_blockhash is not None  # type: ignore[attr-defined]
    plain = await mrpc.call(
        "simulateTransaction", base64.b64encode(bytes(stale)).decode(), {"encoding": "base64"}
    )
    assert plain["result"]["value"]["err"] == "BlockhashNotFound"
    both = await mrpc.call(
        "simulateTransaction",
        base64.b64encode(bytes(stale)).decode(),
        {"encoding": "base64", "sigVerify": True, "replaceRecentBlockhash": True},
    )
    assert both["error"]["code"] == -32602
