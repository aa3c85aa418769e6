"""The indexer on a real localnet: what transactions carried comes back through our Photon API."""

from __future__ import annotations

import json

import httpx
import pytest
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from solinbox.indexer import Indexer, IngestError, PhotonServer, RpcFollower, SqliteStore
from solinbox.indexer.ingest import outputs_of
from solinbox.light import STATE_TREES_V1, STATE_TREES_V2, invoke_compress_sol
from solinbox.light.events import FlatInstruction, flatten_instructions
from solinbox.light.ids import ACCOUNT_COMPRESSION_PROGRAM_ID
from solinbox.localnet.genesis import build_light_svm
from solinbox.photon import PhotonError
from solinbox.photon._reader import memcmp
from solinbox.program.constants import RecordKind
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.records import OFFSET_INBOX, OFFSET_KIND, Message, ThreadHeader, decode_record

from .conftest import Stack


async def conversation(stack: Stack) -> tuple[Pubkey, list[bytes]]:
    alice, bob = stack.client(), stack.client()
    view = await alice.create_inbox(0)
    texts = [b"first", b"second", b"third"]
    thread = await bob.create_thread(alice.me, texts[0])
    await alice.thread(thread.inbox, 1).send_message(texts[1])
    result = await bob.thread(thread.inbox, 1).send_message(texts[2])
    await stack.reader.wait_for_slot(result.slot)
    return view.address, texts


async def test_records_come_back_identical(stack: Stack) -> None:
    inbox, texts = await conversation(stack)
    # what the transactions carried, straight from the bank's history
    carried = {}
    for record in stack.net.bank._history.values():
        if record.err is None:
            from solinbox.light import outputs_from_litesvm

            for o in outputs_from_litesvm(record.transaction, record.meta):
                carried[o.hash] = o
    accounts = [
        a
        async for a in stack.reader.accounts_by_owner(
            PROGRAM_ID, filters=[memcmp(OFFSET_INBOX, bytes(inbox))]
        )
    ]
    assert len(accounts) == 4 and {a.hash for a in accounts} == set(carried)
    for a in accounts:
        o = carried[a.hash]
        assert (a.leaf_index, a.tree, a.data, a.discriminator, a.data_hash) == (
            o.leaf_index,
            o.tree,
            o.data,
            o.discriminator,
            o.data_hash,
        )
    messages = [a async for a in stack.reader.accounts_by_owner(
        PROGRAM_ID, filters=[memcmp(OFFSET_KIND, bytes([RecordKind.MESSAGE])), memcmp(OFFSET_INBOX, bytes(inbox))])]  # fmt: skip
    decoded = sorted(
        (decode_record(m.discriminator or b"", m.data or b"") for m in messages),
        key=lambda m: m.seq,
    )  # type: ignore[union-attr]
    assert [m.content for m in decoded if isinstance(m, Message)] == texts
    one = await stack.reader.account(hash=messages[0].hash)
    assert one is not None and one.data == messages[0].data


async def test_v2_queue_accounts_and_shapes(stack: Stack) -> None:
    alice, bob = stack.client(), stack.client()
    alice.output_tree = bob.output_tree = STATE_TREES_V2[0].output_queue
    await alice.create_inbox(0)
    thread = await bob.create_thread(alice.me, "v2")
    await stack.reader.wait_for_slot((await stack.rpc.get_slot()).value - 1)
    headers = [a async for a in stack.reader.accounts_by_owner(PROGRAM_ID)]
    assert headers and all(a.tree == STATE_TREES_V2[0].tree for a in headers)
    async with httpx.AsyncClient() as http:
        doc = (await http.post(stack.photon.url, json={"jsonrpc": "2.0", "id": 1, "method": "getCompressedAccountsByOwnerV2",
                                                       "params": {"owner": str(PROGRAM_ID)}})).json()  # fmt: skip
    item = doc["result"]["value"]["items"][0]
    assert (
        item["merkleContext"]["queue"] == str(STATE_TREES_V2[0].output_queue)
        and item["proveByIndex"] is True
    )
    assert item["seq"] is None and isinstance(item["data"]["discriminator"], int)
    assert isinstance(
        decode_record(headers[0].discriminator or b"", headers[0].data or b""), ThreadHeader
    )
    assert thread.id == 1


async def test_rpc_follower_sees_the_same(stack: Stack, tmp_path: object) -> None:
    inbox, _ = await conversation(stack)
    store = SqliteStore()
    follower = RpcFollower(Indexer(store), stack.rpc)
    stored = await follower.catch_up()
    assert stored == stack.store.count() == 4
    assert await follower.catch_up() == 0  # idempotent: nothing new
    assert store.slot() >= stack.store.slot() - 1
    # the inbox program's instructions and events, from getBlock's logs, as from the feed
    followed = store.inbox_activity(inbox)
    assert [r.instruction for r in followed] == [
        "send_message", "send_message", "create_thread", "create_inbox"
    ]  # fmt: skip
    assert followed == stack.store.inbox_activity(inbox)
    assert followed[0].detail["events"][0]["name"] == "MessageSent"


async def test_pagination_neither_skips_nor_repeats(stack: Stack) -> None:
    alice = stack.client()
    view = await alice.create_inbox(0)
    for _ in range(7):
        await stack.client(1).create_thread(alice.me, "x")
    await stack.reader.wait_for_slot((await stack.rpc.get_slot()).value - 1)
    pages = [
        a
        async for a in stack.reader.accounts_by_owner(
            PROGRAM_ID, filters=[memcmp(OFFSET_INBOX, bytes(view.address))], page_size=3
        )
    ]
    assert len(pages) == 14 and len({a.hash for a in pages}) == 14
    assert [a.leaf_index for a in pages] == sorted(a.leaf_index for a in pages)


def test_tampered_leaf_hash_is_refused() -> None:
    # a real compress transaction, then one byte of the leaf hash in insert_into_queues flipped
    svm = build_light_svm()
    payer = Keypair()
    svm.airdrop(payer.pubkey(), 10**10)
    ix = invoke_compress_sol(payer.pubkey(), 10**9, STATE_TREES_V1[0].tree)
    tx = VersionedTransaction(
        MessageV0.try_compile(payer.pubkey(), [ix], [], svm.latest_blockhash()), [payer]
    )
    meta = svm.send_transaction(tx)
    flat = flatten_instructions(
        tx.message.account_keys, tx.message.instructions, meta.inner_instructions()
    )  # type: ignore[union-attr]
    assert len(outputs_of(flat)) == 1
    insert = next(i for i in flat if i.program_id == ACCOUNT_COMPRESSION_PROGRAM_ID)
    data = bytearray(insert.data)
    data[60] ^= 1  # inside leaves[0].leaf
    tampered = [
        FlatInstruction(i.program_id, i.accounts, bytes(data), i.stack_height) if i is insert else i
        for i in flat
    ]
    with pytest.raises(IngestError, match="hash"):
        outputs_of(tampered)
    store = SqliteStore()
    with pytest.raises(IngestError):
        Indexer(store).ingest_flat(tx.signatures[0], 1, None, tampered)
    assert store.count() == 0


async def test_server_errors(stack: Stack) -> None:
    url = stack.photon.url
    async with httpx.AsyncClient() as http:

        async def call(body: object) -> dict[str, object]:
            return (
                await http.post(url, content=body if isinstance(body, bytes) else json.dumps(body))
            ).json()  # type: ignore[no-any-return]

        assert (await call(b"{not json"))["error"]["code"] == -32700  # type: ignore[index]
        assert (await call({"jsonrpc": "2.0", "id": 1, "method": "nope"}))["error"][
            "code"
        ] == -32601  # type: ignore[index]
        bad = await call(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "getCompressedAccountsByOwner",
                "params": {"owner": str(PROGRAM_ID), "limit": 5000},
            }
        )
        assert bad["error"]["code"] == -32602  # type: ignore[index]
        extra = await call(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "getCompressedAccount",
                "params": {"hash": str(PROGRAM_ID), "x": 1},
            }
        )
        assert extra["error"]["code"] == -32602  # type: ignore[index]
        none = await call(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "getCompressedAccount",
                "params": {"hash": str(PROGRAM_ID)},
            }
        )
        assert none["result"]["value"] is None  # type: ignore[index]
        proof = await call(
            {"jsonrpc": "2.0", "id": 1, "method": "getValidityProof", "params": {"hashes": []}}
        )
        assert proof["error"]["code"] == -32000 and "prover" in proof["error"]["message"]  # type: ignore[index]
        batch = (
            await http.post(
                url, json=[{"jsonrpc": "2.0", "id": 1, "method": "getIndexerSlot"}, {"bad": 1}]
            )
        ).json()
        assert isinstance(batch[0]["result"], int) and batch[1]["error"]["code"] == -32600
        huge = await http.post(url, content=b" " * (2 * 1024 * 1024))
        assert huge.status_code == 413
        assert (await http.get(url + "/getIndexerHealth")).text == "ok"
    with pytest.raises(PhotonError):
        await stack.reader.call("getValidityProof", {"hashes": []})


async def test_idempotent_apply(stack: Stack) -> None:
    await conversation(stack)
    before = stack.store.count()
    for record in list(stack.net.bank._history.values()):
        if record.err is None:
            stack.indexer.ingest_litesvm(
                record.signature, record.slot, record.transaction, record.meta
            )
    assert stack.store.count() == before


async def test_health_compares_with_the_rpc(stack: Stack) -> None:
    for _ in range(25):
        stack.net.produce_block()
    await stack.reader.wait_for_slot((await stack.rpc.get_slot()).value)
    assert await stack.reader.call("getIndexerHealth") == "ok"  # the attached feed keeps up
    stale = SqliteStore()  # an indexer that has seen nothing, next to the same RPC
    async with (
        PhotonServer(stale, port=0, rpc_url=stack.net.rpc_url) as server,
        httpx.AsyncClient() as http,
    ):
        body = {"jsonrpc": "2.0", "id": 1, "method": "getIndexerHealth"}
        answer = (await http.post(server.url, json=body)).json()
        assert answer["error"]["code"] == -32000
        assert answer["error"]["message"].startswith("Node is behind ")
        assert int(answer["error"]["message"].split()[3]) > 20
        probe = await http.get(server.url + "/getIndexerHealth")
        assert probe.status_code == 503 and probe.text.startswith("Node is behind")
        stale.advance((await stack.rpc.get_slot()).value)
        assert (await http.post(server.url, json=body)).json()["result"] == "ok"


async def test_address_lookups_use_an_index() -> None:
    """Accounts with addresses: our protocol writes none, and creating one needs a validity
    proof, so these rows go straight into the store (it trusts its caller; the indexer checks
    hashes). By-address reads and signatures come back, newest first, through an index."""
    from solders.signature import Signature

    from solinbox.indexer.store import IndexedTransaction
    from solinbox.light.events import NewCompressedAccount, TreeType

    store = SqliteStore()
    tree = STATE_TREES_V1[0].tree
    address, other = bytes([0]) + bytes(range(1, 32)), bytes([0]) + bytes(31)
    sigs = [Signature.new_unique() for _ in range(3)]
    for n, (sig, addr) in enumerate(zip(sigs, [address, other, address], strict=True)):
        out = NewCompressedAccount(PROGRAM_ID, n, addr, None, None, None, bytes([n + 1]) * 32,
                                   n, tree, tree, TreeType.STATE_V1, n + 1, 0)  # fmt: skip
        store.apply_block(10 + n, [IndexedTransaction(sig, 10 + n, None, (out,))])
    plan = store._db.execute(
        "EXPLAIN QUERY PLAN SELECT slot FROM accounts WHERE address = ? ORDER BY slot DESC",
        (address,),
    ).fetchall()
    assert "accounts_by_address" in str(plan)
    async with PhotonServer(store, port=0) as server, httpx.AsyncClient() as http:

        async def call(method: str, params: dict[str, object]) -> dict[str, object]:
            body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
            answer: dict[str, object] = (await http.post(server.url, json=body)).json()["result"]
            return answer

        found = await call("getCompressedAccount", {"address": str(Pubkey(address))})
        assert found["value"]["lamports"] == 2  # type: ignore[index]  # the newest version
        listed = await call("getCompressionSignaturesForAddress", {"address": str(Pubkey(address))})
        assert [i["signature"] for i in listed["value"]["items"]] == [str(sigs[2]), str(sigs[0])]  # type: ignore[index]
        page = await call(
            "getCompressionSignaturesForAddress", {"address": str(Pubkey(address)), "limit": 1}
        )
        rest = await call(
            "getCompressionSignaturesForAddress",
            {"address": str(Pubkey(address)), "cursor": page["value"]["cursor"]},  # type: ignore[index]
        )
        assert [i["signature"] for i in rest["value"]["items"]] == [str(sigs[0])]  # type: ignore[index]
