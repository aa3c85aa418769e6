"""Compressed token accounts, end to end with the real pinned compressed-token program.

In LiteSVM with the real Light programs: ``mint_to`` of three mints to several owners in a V1
tree and a V2 output queue, amounts above 2**63 included; a real ``approve`` (a delegate) and a
real ``freeze`` (a frozen account), both spending an account proved by index in the V2 queue,
so no validity proof is needed. Each transaction is indexed as a block (``Indexer.indexed`` +
``apply_block``, as the live feed does) and every token method is checked over HTTP against
what the transactions carried, with every response validated against Photon's OpenAPI spec.
The V2 and ShaFlat token discriminators (``[0,…,3]``, ``[0,…,4]``) come from the newer
``transfer2`` path that these tests do not build: they, and malformed token data, are tested
at the store level with hand-made outputs.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from light._helpers import send
from light._token import (
    MINT_SIZE,
    approve,
    create_mint,
    create_mint_with_pool,
    create_pool,
    freeze,
    mint_to,
)
from solinbox._base58 import b58decode, b58encode
from solinbox.indexer import Indexer, PhotonServer, PostgresStore, SqliteStore
from solinbox.indexer.store import IndexedTransaction, SpentAccount
from solinbox.indexer.tokens import (
    TOKEN_DISCRIMINATOR_SHA_FLAT,
    TOKEN_DISCRIMINATOR_V1,
    TOKEN_DISCRIMINATOR_V2,
    AccountState,
    TokenData,
    TokenDataError,
    decode_token_data,
    encode_token_data,
    token_data_json,
    token_data_of,
)
from solinbox.light import STATE_TREES_V1, STATE_TREES_V2
from solinbox.light.events import NewCompressedAccount, TreeType
from solinbox.light.ids import COMPRESSED_TOKEN_PROGRAM_ID, SYSTEM_PROGRAM_ID
from solinbox.localnet.genesis import build_light_svm
from solinbox.testing.postgres import fresh_database, postgres_server

from ._openapi import checked, validating_hook
from .conftest import Stack

BIG = 2**63 + 5  # above i64: SQL integers cannot hold it as it is
BIG2 = 2**63 - 10  # BIG + BIG2 = 2**64 - 5: above i64, yet within the mint's u64 supply
TIME = 1_750_000_000
V2 = STATE_TREES_V2[0]


@dataclass
class Expected:
    owner: Pubkey
    mint: Pubkey
    amount: int
    delegate: Pubkey | None = None
    state: str = "initialized"
    tree_type: int = 1


@dataclass
class World:
    """The chain's token history as blocks, and what each output must read back as."""

    blocks: list[tuple[int, list[IndexedTransaction]]]
    alice: Pubkey
    bob: Pubkey
    carol: Pubkey
    erin: Pubkey
    dave: Pubkey
    delegate: Pubkey
    mint_a: Pubkey
    mint_b: Pubkey
    mint_c: Pubkey
    sigs: dict[str, Signature]
    expected: dict[bytes, Expected] = field(default_factory=dict)  # every token output, by hash
    carried: dict[bytes, NewCompressedAccount] = field(default_factory=dict)
    spent: set[bytes] = field(default_factory=set)

    def load(self, store: SqliteStore | PostgresStore) -> None:
        for slot, txs in self.blocks:
            store.apply_block(slot, txs)

    def unspent(self, **where: Pubkey) -> dict[bytes, Expected]:
        return {
            h: e
            for h, e in self.expected.items()
            if h not in self.spent and all(getattr(e, k) == v for k, v in where.items())
        }


@pytest.fixture(scope="module")
def world() -> World:
    svm = build_light_svm()
    payer = Keypair()
    svm.airdrop(payer.pubkey(), 100 * 10**9)
    alice = Keypair()
    bob, carol, erin, dave, delegate = (Pubkey.new_unique() for _ in range(5))
    mint_a, pool_a = create_mint_with_pool(svm, payer, freeze_authority=payer.pubkey())
    mint_b, pool_b = create_mint_with_pool(svm, payer)
    mint_c, pool_c = create_mint_with_pool(svm, payer)
    indexer = Indexer(SqliteStore())
    blocks: list[tuple[int, list[IndexedTransaction]]] = []
    sigs: dict[str, Signature] = {}
    expected: dict[bytes, Expected] = {}

    def run(name: str, ix: Any, signers: list[Keypair], outputs: list[Expected]) -> list[bytes]:
        sent = send(svm, [ix], signers)
        slot = 10 + len(blocks)
        flat = indexer.litesvm_flat(sent.tx, sent.meta)
        tx = indexer.indexed(sent.tx.signatures[0], slot, TIME + slot, flat, sent.meta.logs())
        assert tx is not None and len(tx.outputs) == len(outputs)
        blocks.append((slot, [tx]))
        sigs[name] = tx.signature
        for o, e in zip(tx.outputs, outputs, strict=True):
            expected[o.hash] = e
        return [o.hash for o in tx.outputs]

    a, b = alice.pubkey(), bob
    v1 = STATE_TREES_V1[0].tree
    run("mint_a_v1", mint_to(payer, mint_a, pool_a, v1, [a, b, carol, b, erin], [100, 200, 300, 50, 300]),
        [payer], [Expected(a, mint_a, 100), Expected(b, mint_a, 200), Expected(carol, mint_a, 300),
                  Expected(b, mint_a, 50), Expected(erin, mint_a, 300)])  # fmt: skip
    _, bob9 = run("mint_a_v2", mint_to(payer, mint_a, pool_a, V2.output_queue, [a, b], [7, 9]),
                  [payer], [Expected(a, mint_a, 7, tree_type=3), Expected(b, mint_a, 9, tree_type=3)])  # fmt: skip
    _, alice2000 = run("mint_b", mint_to(payer, mint_b, pool_b, V2.output_queue, [b, a], [1000, 2000]),
                       [payer], [Expected(b, mint_b, 1000, tree_type=3), Expected(a, mint_b, 2000, tree_type=3)])  # fmt: skip
    run("mint_c", mint_to(payer, mint_c, pool_c, v1, [dave, dave], [BIG, BIG2]),
        [payer], [Expected(dave, mint_c, BIG), Expected(dave, mint_c, BIG2)])  # fmt: skip
    leaf = {o.hash: o.leaf_index for _, txs in blocks for tx in txs for o in tx.outputs}
    run("approve", approve(payer, a, mint_b, V2, amount=2000, leaf_index=leaf[alice2000],
                           delegate=delegate, delegated_amount=500),
        [payer, alice], [Expected(a, mint_b, 500, delegate, tree_type=3),
                         Expected(a, mint_b, 1500, tree_type=3)])  # fmt: skip
    run("freeze", freeze(payer, b, mint_a, V2, amount=9, leaf_index=leaf[bob9]),
        [payer], [Expected(b, mint_a, 9, state="frozen", tree_type=3)])  # fmt: skip

    world = World(blocks, a, b, carol, erin, dave, delegate, mint_a, mint_b, mint_c, sigs, expected)
    for _, txs in blocks:
        for tx in txs:
            world.carried.update((o.hash, o) for o in tx.outputs)
            world.spent.update(s.hash for s in tx.spent)
    assert world.spent == {alice2000, bob9}  # approve and freeze really spent their inputs
    return world


@dataclass
class Served:
    store: SqliteStore | PostgresStore
    url: str
    http: httpx.AsyncClient

    async def doc(self, method: str, params: Any) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        return (await self.http.post(self.url, json=body)).json()  # type: ignore[no-any-return]

    async def call(self, method: str, params: Any) -> Any:
        doc = await self.doc(method, params)
        assert "result" in doc, (method, params, doc)
        return doc["result"]

    async def error(self, method: str, params: Any) -> tuple[int, str]:
        doc = await self.doc(method, params)
        assert "error" in doc, (method, params, doc)
        return doc["error"]["code"], doc["error"]["message"]

    async def pages(self, method: str, params: dict[str, Any], limit: int, key: str = "items") -> list[Any]:  # fmt: skip
        """Every item, following cursors page by page."""
        out: list[Any] = []
        cursor = None
        while True:
            value = (await self.call(method, {**params, "limit": limit, "cursor": cursor}))["value"]
            out += value[key]
            assert len(value[key]) <= limit
            cursor = value["cursor"]
            if cursor is None:
                return out


@pytest.fixture
async def served(world: World, tmp_path: Path) -> AsyncIterator[Served]:
    store = SqliteStore(tmp_path / "tokens.sqlite")
    world.load(store)
    async with (
        PhotonServer(store, port=0) as server,
        httpx.AsyncClient(event_hooks={"response": [validating_hook]}) as http,
    ):
        yield Served(store, server.url, http)
    store.close()


def _key(raw: bytes) -> str:
    return str(Pubkey(raw))


# -- the decoder -----------------------------------------------------------------------------------
def test_token_data_codec() -> None:
    mint, owner, delegate = Pubkey.new_unique(), Pubkey.new_unique(), Pubkey.new_unique()
    plain = TokenData(mint, owner, 2**64 - 1)
    raw = encode_token_data(plain)
    assert len(raw) == 75 and raw[-3:] == b"\x00\x00\x00"  # delegate None, initialized, no tlv
    assert decode_token_data(raw) == plain
    full = TokenData(mint, owner, 5, delegate, AccountState.FROZEN, b"\x01\x00\x00\x00\x1f")
    assert decode_token_data(encode_token_data(full)) == full
    assert token_data_json(full) == {
        "mint": str(mint), "owner": str(owner), "amount": 5, "delegate": str(delegate),
        "state": "frozen", "tlv": base64.b64encode(b"\x01\x00\x00\x00\x1f").decode(),
    }  # fmt: skip
    # Photon's leniency on the optional tail: no tlv byte at all, Some(empty), an unknown tag
    for tail in (b"", b"\x01", b"\x07junk"):
        assert decode_token_data(raw[:-1] + tail).tlv is None
    # malformed: too short, a bad option tag, a bad state, a truncated delegate
    for bad, why in [(raw[:73], "at least"), (raw[:72] + b"\x02" + raw[73:], "delegate option"),
                     (raw[:73] + b"\x02\x00", "state"), (raw[:72] + b"\x01" + bytes(20), "delegate")]:  # fmt: skip
        with pytest.raises(TokenDataError, match=why):
            decode_token_data(bad)
    # only the compressed-token program's accounts with a token discriminator are token accounts
    for disc in (TOKEN_DISCRIMINATOR_V1, TOKEN_DISCRIMINATOR_V2, TOKEN_DISCRIMINATOR_SHA_FLAT):
        assert token_data_of(COMPRESSED_TOKEN_PROGRAM_ID, disc, raw) == plain
    assert token_data_of(COMPRESSED_TOKEN_PROGRAM_ID, bytes(8), raw) is None
    assert token_data_of(SYSTEM_PROGRAM_ID, TOKEN_DISCRIMINATOR_V1, raw) is None
    assert token_data_of(COMPRESSED_TOKEN_PROGRAM_ID, TOKEN_DISCRIMINATOR_V1, None) is None
    with pytest.raises(TokenDataError):
        encode_token_data(TokenData(mint, owner, 2**64))


def test_real_program_bytes(world: World) -> None:
    """What the pinned program wrote: the V1 discriminator in V1 and V2 trees, Borsh TokenData."""
    for h, e in world.expected.items():
        o = world.carried[h]
        assert o.owner == COMPRESSED_TOKEN_PROGRAM_ID
        assert o.discriminator == TOKEN_DISCRIMINATOR_V1
        assert int(o.tree_type) == e.tree_type
        assert o.data is not None and len(o.data) == (107 if e.delegate else 75)
        token = decode_token_data(o.data)
        assert (token.owner, token.mint, token.amount, token.delegate, token.state.json_name) == (
            e.owner, e.mint, e.amount, e.delegate, e.state
        )  # fmt: skip
        assert token.tlv is None and encode_token_data(token) == o.data


# -- the methods ---------------------------------------------------------------------------------
def _check_item(world: World, item: dict[str, Any], *, v2: bool) -> bytes:
    account, token = item["account"], item["tokenData"]
    h = b58decode(account["hash"])
    e, o = world.expected[h], world.carried[h]
    assert h not in world.spent
    assert token == {
        "mint": str(e.mint), "owner": str(e.owner), "amount": e.amount,
        "delegate": None if e.delegate is None else str(e.delegate), "state": e.state, "tlv": None,
    }  # fmt: skip
    assert account["owner"] == str(COMPRESSED_TOKEN_PROGRAM_ID) and account["lamports"] == 0
    assert base64.b64decode(account["data"]["data"]) == o.data
    assert account["data"]["discriminator"] == struct.unpack("<Q", TOKEN_DISCRIMINATOR_V1)[0] == 2
    assert account["leafIndex"] == o.leaf_index
    if v2:
        context = account["merkleContext"]
        assert (context["treeType"], context["tree"]) == (e.tree_type, str(o.tree))
        assert account["proveByIndex"] == (e.tree_type == 3) and "tree" not in account
    else:
        assert account["tree"] == str(o.tree) and "merkleContext" not in account
    return h


def _order(world: World, hashes: Sequence[bytes]) -> list[bytes]:
    return sorted(hashes, key=lambda h: (bytes(world.expected[h].mint), h))


async def test_token_accounts_by_owner(world: World, served: Served) -> None:
    for who in (world.alice, world.bob, world.carol, world.dave):
        for v2 in (False, True):
            method = "getCompressedTokenAccountsByOwner" + ("V2" if v2 else "")
            value = (await served.call(method, {"owner": str(who)}))["value"]
            hashes = [_check_item(world, item, v2=v2) for item in value["items"]]
            assert hashes == _order(world, world.unspent(owner=who))  # Photon's (mint, hash) order
            assert value["cursor"] is None
    # bob: 200 + 50 (V1), the frozen 9 (its unfrozen original is spent), 1000 of mint B
    bob = (await served.call("getCompressedTokenAccountsByOwner", {"owner": str(world.bob)}))[
        "value"
    ]
    assert sorted((i["tokenData"]["amount"], i["tokenData"]["state"]) for i in bob["items"]) == [
        (9, "frozen"), (50, "initialized"), (200, "initialized"), (1000, "initialized")
    ]  # fmt: skip
    # the mint filter
    only_b = await served.call(
        "getCompressedTokenAccountsByOwnerV2", {"owner": str(world.bob), "mint": str(world.mint_b)}
    )
    assert [i["tokenData"]["amount"] for i in only_b["value"]["items"]] == [1000]
    # amounts above i64 come back exact
    dave = await served.call("getCompressedTokenAccountsByOwner", {"owner": str(world.dave)})
    assert sorted(i["tokenData"]["amount"] for i in dave["value"]["items"]) == [BIG2, BIG]
    # nobody's
    nobody = await served.call(
        "getCompressedTokenAccountsByOwner", {"owner": str(Pubkey.new_unique())}
    )
    assert nobody["value"] == {"items": [], "cursor": None}


async def test_token_accounts_by_delegate(world: World, served: Served) -> None:
    for v2 in (False, True):
        method = "getCompressedTokenAccountsByDelegate" + ("V2" if v2 else "")
        value = (await served.call(method, {"delegate": str(world.delegate)}))["value"]
        [item] = value["items"]
        _check_item(world, item, v2=v2)
        assert item["tokenData"]["delegate"] == str(world.delegate)
        assert (item["tokenData"]["owner"], item["tokenData"]["amount"]) == (str(world.alice), 500)
    other_mint = await served.call(
        "getCompressedTokenAccountsByDelegate",
        {"delegate": str(world.delegate), "mint": str(world.mint_a)},
    )
    assert other_mint["value"]["items"] == []
    # an owner is not a delegate
    assert (
        await served.call("getCompressedTokenAccountsByDelegateV2", {"delegate": str(world.alice)})
    )["value"]["items"] == []


async def test_pagination_neither_skips_nor_repeats(world: World, served: Served) -> None:
    for who in (world.alice, world.bob):
        everything = (await served.call("getCompressedTokenAccountsByOwner", {"owner": str(who)}))["value"]["items"]  # fmt: skip
        for limit in (1, 2, 3):
            for v2 in (False, True):
                method = "getCompressedTokenAccountsByOwner" + ("V2" if v2 else "")
                paged = await served.pages(method, {"owner": str(who)}, limit)
                assert [i["account"]["hash"] for i in paged] == [i["account"]["hash"] for i in everything]  # fmt: skip
            # within one mint (the cursor then compares hashes only, like Photon)
            paged = await served.pages(
                "getCompressedTokenAccountsByOwner",
                {"owner": str(who), "mint": str(world.mint_a)},
                limit,
            )
            assert {b58decode(i["account"]["hash"]) for i in paged} == set(
                world.unspent(owner=who, mint=world.mint_a)
            ) and len(paged) == len(world.unspent(owner=who, mint=world.mint_a))
    # the cursor is Photon's: base58(mint ‖ hash) of the last item
    first = (await served.call("getCompressedTokenAccountsByOwner", {"owner": str(world.bob), "limit": 1}))["value"]  # fmt: skip
    item = first["items"][0]
    assert b58decode(first["cursor"]) == bytes(
        Pubkey.from_string(item["tokenData"]["mint"])
    ) + b58decode(item["account"]["hash"])
    # balances and holders page the same way
    balances = await served.pages("getCompressedTokenBalancesByOwner", {"owner": str(world.alice)}, 1, "token_balances")  # fmt: skip
    assert [b["mint"] for b in balances] == sorted((str(world.mint_a), str(world.mint_b)), key=lambda m: bytes(Pubkey.from_string(m)))  # fmt: skip
    all_holders = (await served.call("getCompressedMintTokenHolders", {"mint": str(world.mint_a)}))["value"]["items"]  # fmt: skip
    for limit in (1, 2, 3):
        assert await served.pages("getCompressedMintTokenHolders", {"mint": str(world.mint_a)}, limit) == all_holders  # fmt: skip
    signatures = await served.pages(
        "getCompressionSignaturesForTokenOwner", {"owner": str(world.bob)}, 1
    )
    assert len(signatures) == len({s["signature"] for s in signatures}) == 4


async def test_balances_and_holders(world: World, served: Served) -> None:
    a, b = str(world.mint_a), str(world.mint_b)
    by_mint = lambda items: {i["mint"]: i["balance"] for i in items}  # noqa: E731
    v1 = (await served.call("getCompressedTokenBalancesByOwner", {"owner": str(world.alice)}))[
        "value"
    ]
    assert set(v1) == {"token_balances", "cursor"} and v1["cursor"] is None
    assert by_mint(v1["token_balances"]) == {a: 100 + 7, b: 500 + 1500}  # the spent 2000 is gone
    v2 = (await served.call("getCompressedTokenBalancesByOwnerV2", {"owner": str(world.bob)}))[
        "value"
    ]
    assert set(v2) == {"items", "cursor"}
    assert by_mint(v2["items"]) == {a: 200 + 50 + 9, b: 1000}
    filtered = await served.call(
        "getCompressedTokenBalancesByOwnerV2", {"owner": str(world.bob), "mint": b}
    )
    assert filtered["value"]["items"] == [{"mint": b, "balance": 1000}]
    # a u64 sum above i64, exact
    dave = await served.call("getCompressedTokenBalancesByOwner", {"owner": str(world.dave)})
    assert dave["value"]["token_balances"] == [{"mint": str(world.mint_c), "balance": 2**64 - 5}]
    # holders: balance, then owner, descending (carol and erin tie at 300)
    holders = (await served.call("getCompressedMintTokenHolders", {"mint": a}))["value"]
    tie = sorted((world.carol, world.erin), key=bytes, reverse=True)
    assert holders == {"items": [{"owner": str(tie[0]), "balance": 300}, {"owner": str(tie[1]), "balance": 300},
                                 {"owner": str(world.bob), "balance": 259},
                                 {"owner": str(world.alice), "balance": 107}], "cursor": None}  # fmt: skip
    first = (await served.call("getCompressedMintTokenHolders", {"mint": a, "limit": 1}))["value"]
    assert b58decode(first["cursor"]) == struct.pack("<Q", 300) + bytes(tie[0])  # Photon's cursor
    big = (
        await served.call("getCompressedMintTokenHolders", {"mint": str(world.mint_c), "limit": 1})
    )["value"]
    assert big["items"] == [{"owner": str(world.dave), "balance": 2**64 - 5}]
    assert b58decode(big["cursor"]) == struct.pack("<Q", 2**64 - 5) + bytes(world.dave)
    after = await served.call(
        "getCompressedMintTokenHolders", {"mint": str(world.mint_c), "cursor": big["cursor"]}
    )
    assert after["value"] == {"items": [], "cursor": None}
    # the same sums straight from the store
    assert served.store.token_balances_by_owner(world.dave) == [(world.mint_c, 2**64 - 5)]


async def test_token_account_balance(world: World, served: Served) -> None:
    for h, e in world.unspent().items():
        value = (await served.call("getCompressedTokenAccountBalance", {"hash": _key(h)}))["value"]
        assert value == {"amount": e.amount}
    # Photon (0.51, `get_compressed_token_account_balance.rs`) answers 0, not an error, for an
    # account it does not hold unspent: spent, unknown, not a token account
    plain = _output(b"\x07" * 32, SYSTEM_PROGRAM_ID, bytes(8), b"not tokens", 99)
    served.store.apply(IndexedTransaction(Signature.new_unique(), 16, None, (plain,)))
    assert (await served.call("getCompressedAccount", {"hash": _key(plain.hash)}))[
        "value"
    ] is not None
    for key in [*map(_key, world.spent), str(Pubkey.new_unique()), _key(plain.hash)]:
        assert (await served.call("getCompressedTokenAccountBalance", {"hash": key}))["value"] == {
            "amount": 0
        }
    # token accounts have no address: by address there is none either
    assert (await served.call("getCompressedTokenAccountBalance", {"address": str(world.alice)}))[
        "value"
    ] == {"amount": 0}
    code, message = await served.error("getCompressedTokenAccountBalance", {})
    assert (code, message) == (-32000, "Validation Error: Either address or hash must be provided")


async def test_signatures_for_token_owner(world: World, served: Served) -> None:
    s = world.sigs
    expected = {
        world.alice: ["approve", "mint_b", "mint_a_v2", "mint_a_v1"],
        world.bob: ["freeze", "mint_b", "mint_a_v2", "mint_a_v1"],  # freeze spent and re-created
        world.carol: ["mint_a_v1"],
        world.dave: ["mint_c"],
        world.delegate: [],  # Photon lists token owners' transactions only
    }
    slots = {str(tx.signature): slot for slot, txs in world.blocks for tx in txs}
    for who, names in expected.items():
        value = (await served.call("getCompressionSignaturesForTokenOwner", {"owner": str(who)}))[
            "value"
        ]
        assert [i["signature"] for i in value["items"]] == [str(s[n]) for n in names]
        assert all(i["slot"] == slots[i["signature"]] and i["blockTime"] == TIME + i["slot"] for i in value["items"])  # fmt: skip
    page = (await served.call("getCompressionSignaturesForTokenOwner", {"owner": str(world.bob), "limit": 2}))["value"]  # fmt: skip
    # the cursor of the other signature lists: base58(slot u64 LE ‖ signature) of the last item
    last = page["items"][-1]
    assert b58decode(page["cursor"]) == struct.pack("<Q", last["slot"]) + bytes(Signature.from_string(last["signature"]))  # fmt: skip
    rest = (await served.call("getCompressionSignaturesForTokenOwner",
                              {"owner": str(world.bob), "cursor": page["cursor"]}))["value"]  # fmt: skip
    assert [i["signature"] for i in rest["items"]] == [str(s["mint_a_v2"]), str(s["mint_a_v1"])]


async def test_errors(world: World, served: Served) -> None:
    owner = str(world.bob)
    short = b58encode(bytes(10))
    invalid = [
        ("getCompressedTokenAccountsByOwner", {"owner": owner, "extra": 1}),  # deny_unknown_fields
        ("getCompressedTokenAccountsByOwner", {}),  # owner required
        ("getCompressedTokenAccountsByOwnerV2", {"owner": owner, "limit": 0}),
        ("getCompressedTokenAccountsByDelegate", {"delegate": owner, "limit": 1001}),
        ("getCompressedTokenAccountsByDelegateV2", {"owner": owner}),
        ("getCompressedTokenAccountsByOwner", {"owner": owner, "cursor": 5}),
        ("getCompressedTokenAccountsByOwner", {"owner": owner, "cursor": "0OIl"}),  # not base58
        ("getCompressedTokenBalancesByOwner", {"owner": owner, "limit": "2"}),
        ("getCompressedTokenBalancesByOwnerV2", {"owner": 7}),
        ("getCompressedMintTokenHolders", {"owner": owner}),
        ("getCompressedTokenAccountBalance", {"hash": owner, "owner": owner}),
        ("getCompressionSignaturesForTokenOwner", {"owner": owner, "cursor": short}),
        ("getCompressedTokenAccountsByOwner", [owner]),  # params must be an object
    ]
    for method, params in invalid:
        code, _ = await served.error(method, params)
        assert code == -32602, (method, params)
    # Photon's validation errors (-32000, its messages)
    for method, key, length in [
        ("getCompressedTokenAccountsByOwner", "owner", 64),
        ("getCompressedTokenAccountsByDelegateV2", "delegate", 64),
        ("getCompressedTokenBalancesByOwner", "owner", 32),
        ("getCompressedMintTokenHolders", "mint", 40),
    ]:
        code, message = await served.error(method, {key: owner, "cursor": short})
        assert (code, message) == (-32000, f"Validation Error: Invalid cursor length. Expected {length}. Received 10.")  # fmt: skip
    code, message = await served.error(
        "getCompressedTokenAccountsByOwner", {"owner": owner, "mint": "abc"}
    )
    assert (code, message) == (-32000, "Invalid Public Key: abc")
    # queue methods: not served, and saying why (not "Method not found")
    for method in ("getQueueElements", "getQueueInfo"):
        code, message = await served.error(method, {"tree": owner})
        assert (
            code == -32000
            and message.startswith(f"{method} is not available: ")
            and "queue" in message
        )


async def test_every_token_method_is_schema_checked(world: World, served: Served) -> None:
    owner, mint = str(world.alice), str(world.mint_b)
    calls = {
        "getCompressedTokenAccountsByOwner": {"owner": owner},
        "getCompressedTokenAccountsByOwnerV2": {"owner": owner, "limit": 1},
        "getCompressedTokenAccountsByDelegate": {"delegate": str(world.delegate)},
        "getCompressedTokenAccountsByDelegateV2": {"delegate": str(world.delegate), "mint": mint},
        "getCompressedTokenAccountBalance": {"hash": _key(next(iter(world.unspent())))},
        "getCompressedTokenBalancesByOwner": {"owner": owner, "limit": 1},
        "getCompressedTokenBalancesByOwnerV2": {"owner": owner},
        "getCompressedMintTokenHolders": {"mint": mint, "limit": 1},
        "getCompressionSignaturesForTokenOwner": {"owner": owner, "limit": 1},
    }
    start = len(checked)
    for method, params in calls.items():
        await served.call(method, params)
    assert checked[start:] == list(calls)  # the response hook validated each against the spec


# -- storage -----------------------------------------------------------------------------------------
def _output(
    hash_: bytes, owner: Pubkey, discriminator: bytes, data: bytes, leaf: int
) -> NewCompressedAccount:
    return NewCompressedAccount(
        owner=owner, lamports=0, address=None, discriminator=discriminator, data=data,
        data_hash=bytes(32), hash=hash_, leaf_index=leaf, tree=V2.tree, queue=V2.output_queue,
        tree_type=TreeType.STATE_V2, seq=leaf, output_index=leaf,
    )  # fmt: skip


def test_other_versions_and_malformed_data_at_the_store_level(tmp_path: Path) -> None:
    """V2/ShaFlat token accounts get token rows; malformed token data stays a plain account."""
    store = SqliteStore(tmp_path / "versions.sqlite")
    mint, owner = Pubkey.new_unique(), Pubkey.new_unique()
    v2 = TokenData(mint, owner, 11)
    sha = TokenData(
        mint, owner, 2**64 - 1, Pubkey.new_unique(), AccountState.FROZEN, b"\x01\x00\x00\x00\x1f"
    )
    token = COMPRESSED_TOKEN_PROGRAM_ID
    outputs = (
        _output(b"\x01" * 32, token, TOKEN_DISCRIMINATOR_V2, encode_token_data(v2), 0),
        _output(b"\x02" * 32, token, TOKEN_DISCRIMINATOR_SHA_FLAT, encode_token_data(sha), 1),
        _output(
            b"\x03" * 32, token, TOKEN_DISCRIMINATOR_V1, encode_token_data(v2)[:50], 2
        ),  # malformed
        _output(
            b"\x04" * 32, token, bytes(8), encode_token_data(v2), 3
        ),  # not a token discriminator
        _output(b"\x05" * 32, SYSTEM_PROGRAM_ID, TOKEN_DISCRIMINATOR_V1, encode_token_data(v2), 4),
    )
    tx = IndexedTransaction(Signature.new_unique(), 5, None, outputs)
    assert store.apply_block(5, [tx]) == 1
    assert store.count() == 5  # every account is stored
    rows = store.token_accounts(owner=owner)
    assert sorted((r.account.hash[0], r.token) for r in rows) == [(1, v2), (2, sha)]
    assert store.token_balances_by_owner(owner) == [(mint, 11 + 2**64 - 1)]  # exact beyond u64
    assert store.mint_token_holders(mint) == [(owner, 11 + 2**64 - 1)]
    assert store.token_account_balance(hash=b"\x03" * 32) is None
    assert store.account(hash=b"\x03" * 32) is not None
    assert [r.token for r in store.token_accounts(delegate=sha.delegate)] == [sha]  # type: ignore[arg-type]
    # spending one removes it from lists and sums, and records the spend for the token owner
    spend = IndexedTransaction(
        Signature.new_unique(), 6, None, (), spent=(SpentAccount(b"\x02" * 32, bytes(32)),)
    )
    store.apply_block(6, [spend])
    assert store.token_balances_by_owner(owner) == [(mint, 11)]
    assert store.token_accounts(delegate=sha.delegate) == []  # type: ignore[arg-type]
    assert [r.signature for r in store.signatures(token_owner=owner)] == [
        spend.signature,
        tx.signature,
    ]
    # holders are ordered by the exact sum: x's low halves carry into the high half, so x
    # (2**33 - 2) ranks above y (2**32 + 5) although y's summed high halves are larger
    x, y, mint2 = Pubkey.new_unique(), Pubkey.new_unique(), Pubkey.new_unique()
    rows = [(x, 2**32 - 1), (x, 2**32 - 1), (y, 2**32 + 5), (owner, 3)]
    more = tuple(
        _output(bytes([9, i]) + bytes(30), token, TOKEN_DISCRIMINATOR_V1, encode_token_data(TokenData(mint2, who, n)), 10 + i)
        for i, (who, n) in enumerate(rows)
    )  # fmt: skip
    store.apply_block(7, [IndexedTransaction(Signature.new_unique(), 7, None, more)])
    assert store.mint_token_holders(mint2) == [(x, 2**33 - 2), (y, 2**32 + 5), (owner, 3)]
    assert store.mint_token_holders(mint2, before=(2**33 - 2, bytes(x))) == [
        (y, 2**32 + 5),
        (owner, 3),
    ]
    store.close()


def test_replay_and_reindex_on_open(world: World, tmp_path: Path) -> None:
    path = tmp_path / "replay.sqlite"
    store = SqliteStore(path)
    world.load(store)

    def state(s: SqliteStore) -> object:
        return (
            [(r.account.hash, r.token) for who in (world.alice, world.bob, world.dave) for r in s.token_accounts(owner=who)],
            [s.token_balances_by_owner(who) for who in (world.alice, world.bob, world.dave)],
            [s.mint_token_holders(m) for m in (world.mint_a, world.mint_b, world.mint_c)],
            [s.signatures(token_owner=who) for who in (world.alice, world.bob)],
        )  # fmt: skip

    before = state(store)
    world.load(store)  # replaying every block changes nothing
    assert state(store) == before
    # a database written before the token tables existed is indexed once, on open
    with store._tx() as db:
        db.execute("DELETE FROM token_accounts")
        db.execute("DELETE FROM token_owner_transactions")
        db.execute("DELETE FROM meta WHERE key = 'token_accounts'")
    assert store.token_accounts(owner=world.bob) == []
    store.close()
    reopened = SqliteStore(path)
    assert state(reopened) == before
    reopened.close()


@pytest.fixture(scope="module")
def pg() -> Iterator[str]:
    with postgres_server() as dsn:
        yield dsn


async def test_postgres_answers_like_sqlite(world: World, served: Served, pg: str) -> None:
    store = PostgresStore(fresh_database(pg, "solinbox_tokens"))
    world.load(store)
    world.load(store)  # idempotent there too
    w = world
    requests: list[tuple[str, dict[str, Any]]] = [
        ("getCompressedTokenAccountsByOwner", {"owner": str(w.bob)}),
        ("getCompressedTokenAccountsByOwnerV2", {"owner": str(w.alice), "limit": 2}),
        ("getCompressedTokenAccountsByOwner", {"owner": str(w.dave), "mint": str(w.mint_c)}),
        ("getCompressedTokenAccountsByDelegateV2", {"delegate": str(w.delegate)}),
        ("getCompressedTokenBalancesByOwner", {"owner": str(w.bob)}),
        ("getCompressedTokenBalancesByOwnerV2", {"owner": str(w.dave)}),
        ("getCompressedMintTokenHolders", {"mint": str(w.mint_a), "limit": 3}),
        ("getCompressedMintTokenHolders", {"mint": str(w.mint_c)}),
        ("getCompressionSignaturesForTokenOwner", {"owner": str(w.alice), "limit": 3}),
        ("getCompressedTokenAccountBalance", {"hash": _key(next(iter(w.unspent(owner=w.dave))))}),
    ]
    from_sqlite = [await served.call(m, p) for m, p in requests]
    # follow every cursor once more
    for (method, params), result in list(zip(requests, from_sqlite, strict=True)):
        cursor = result["value"].get("cursor") if isinstance(result["value"], dict) else None
        if cursor is not None:
            requests.append((method, {**params, "cursor": cursor}))
            from_sqlite.append(await served.call(method, {**params, "cursor": cursor}))
    assert len(requests) > 11
    async with PhotonServer(store, port=0) as server:
        on_pg = Served(store, server.url, served.http)
        from_pg = [await on_pg.call(m, p) for m, p in requests]
    assert from_pg == from_sqlite
    assert store.token_balances_by_owner(w.dave) == [(w.mint_c, 2**64 - 5)]
    store.close()


# -- on the localnet, through the RPC -------------------------------------------------------------
async def send_rpc(
    stack: Stack, signers: list[Keypair], instructions: list[Instruction]
) -> Signature:
    blockhash = (await stack.rpc.get_latest_blockhash()).value.blockhash
    message = MessageV0.try_compile(signers[0].pubkey(), instructions, [], blockhash)
    sig = (await stack.rpc.send_transaction(VersionedTransaction(message, signers))).value
    await stack.rpc.confirm_transaction(sig)
    status = (await stack.rpc.get_signature_statuses([sig])).value[0]
    assert status is not None and status.err is None
    await stack.reader.wait_for_slot(status.slot)
    return sig


async def test_transaction_info_carries_token_data(stack: Stack) -> None:
    """On the localnet: ``getTransactionWithCompressionInfo(V2)`` fills ``optionalTokenData``."""
    payer, owner, mint = Keypair(), Keypair(), Keypair()
    stack.net.bank.airdrop(payer.pubkey(), 10**10)
    stack.net.produce_block()
    rent = (await stack.rpc.get_minimum_balance_for_rent_exemption(MINT_SIZE)).value
    await send_rpc(stack, [payer, mint], create_mint(payer.pubkey(), mint.pubkey(), rent))
    pool_ix, pool = create_pool(payer.pubkey(), mint.pubkey())
    await send_rpc(stack, [payer], [pool_ix])
    await send_rpc(stack, [payer], [mint_to(payer, mint.pubkey(), pool, V2.output_queue, [owner.pubkey()], [40])])  # fmt: skip
    found = await stack.reader.call(
        "getCompressedTokenAccountsByOwnerV2", {"owner": str(owner.pubkey())}
    )
    [item] = found["value"]["items"]
    delegate = Pubkey.new_unique()
    ix = approve(payer, owner.pubkey(), mint.pubkey(), V2, amount=40,
                 leaf_index=item["account"]["leafIndex"], delegate=delegate, delegated_amount=15)  # fmt: skip
    approved = await send_rpc(stack, [payer, owner], [ix])

    def token(amount: int, with_delegate: bool) -> dict[str, Any]:
        return {"mint": str(mint.pubkey()), "owner": str(owner.pubkey()), "amount": amount,
                "delegate": str(delegate) if with_delegate else None, "state": "initialized", "tlv": None}  # fmt: skip

    for method in ("getTransactionWithCompressionInfo", "getTransactionWithCompressionInfoV2"):
        info = (await stack.reader.call(method, {"signature": str(approved)}))["compressionInfo"]
        assert [c["optionalTokenData"] for c in info["closedAccounts"]] == [token(40, False)]
        assert [o["optionalTokenData"] for o in info["openedAccounts"]] == [token(15, True), token(25, False)]  # fmt: skip
    assert item["tokenData"] == token(40, False)
    # and the token methods see the spend
    balances = await stack.reader.call(
        "getCompressedTokenBalancesByOwnerV2", {"owner": str(owner.pubkey())}
    )
    assert balances["value"]["items"] == [{"mint": str(mint.pubkey()), "balance": 40}]
    by_delegate = await stack.reader.call(
        "getCompressedTokenAccountsByDelegate", {"delegate": str(delegate)}
    )
    assert [i["tokenData"]["amount"] for i in by_delegate["value"]["items"]] == [15]
