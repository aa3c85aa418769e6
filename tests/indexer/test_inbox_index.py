"""The indexer's own view of the inbox program: record-prefix indexes and inbox activity.

A history with every instruction runs in LiteSVM (real program, real Light), goes through the
real ingest path, and then:

* memcmp queries on the record prefix, answered from the ``records`` indexes, return exactly
  what a scan of the data returns (including accounts too short to hold the prefix), and
  SQLite's plan really uses those indexes;
* an old database without the table is re-indexed on open;
* every instruction comes back from ``getInboxActivity`` with its inbox, thread, signer,
  arguments and events, page by page, and a replayed transaction is stored once.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from solinbox.indexer import Indexer, PhotonServer, SqliteStore
from solinbox.indexer.store import IndexedTransaction
from solinbox.light import STATE_TREES_V1
from solinbox.light.events import NewCompressedAccount, TreeType
from solinbox.photon import PhotonMethodNotFound, PhotonReader
from solinbox.program import instructions as ix
from solinbox.program.constants import InboxKind, RecordKind
from solinbox.program.idl import instruction_discriminators
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import inbox_address, thread_page_for
from solinbox.program.records import (
    OFFSET_INBOX,
    OFFSET_KIND,
    OFFSET_THREAD_ID,
    THREAD_FROM_OFFSET,
    THREAD_TO_OFFSET,
)
from solinbox.testing import LocalChain
from solinbox.testing.chain import Sent

from ._openapi import validating_hook


@dataclass
class History:
    sent: list[Sent]
    owners: list[Keypair]
    senders: list[Keypair]
    inboxes: list[Pubkey]  # owner i, inbox id j -> inboxes[2 * i + j]
    escrow_inbox: Pubkey
    closed_inbox: Pubkey


@pytest.fixture(scope="module")
def history(inbox_so: Path) -> History:
    chain = LocalChain(inbox_so)
    owners = [chain.wallet(50) for _ in range(3)]
    senders = [chain.wallet(50) for _ in range(4)]
    sent: list[Sent] = []
    inboxes = []
    for owner in owners:
        for inbox_id in (0, 1):
            sent.append(chain.send(ix.create_inbox(owner.pubkey(), inbox_id), owner))
            inboxes.append(inbox_address(owner.pubkey(), inbox_id)[0])
    rng = random.Random(7)
    threads: dict[Pubkey, int] = {}
    for n in range(18):
        inbox = inboxes[n % len(inboxes)]
        owner = owners[(n % len(inboxes)) // 2]
        sender = senders[rng.randrange(len(senders))]
        tid = threads.get(inbox, 0) + 1
        threads[inbox] = tid
        msg = ix.MessageInput(b"hello %d" % n)
        sent.append(
            chain.send(ix.create_thread(sender.pubkey(), inbox, owner.pubkey(), tid, msg), sender)
        )
        for k in range(n % 3):
            who = owner if k % 2 == 0 else sender
            reply = ix.MessageInput(b"reply %d.%d" % (n, k))
            sent.append(chain.send(ix.send_message(who.pubkey(), inbox, tid, reply), who))
    # the remaining instructions, on owner 0's inbox 0 and an escrow inbox of owner 1
    alice, bob, carol = owners[0], senders[0], senders[1]
    inbox = inboxes[0]
    sent.append(chain.send(ix.mark_read(alice.pubkey(), inbox, 1, 1), alice))
    sent.append(chain.send(ix.set_archived(alice.pubkey(), inbox, 1, True), alice))
    sent.append(chain.send(ix.react(alice.pubkey(), inbox, 1, 1, 2), alice))
    sent.append(chain.send(ix.block_sender(alice.pubkey(), inbox, carol.pubkey()), alice))
    sent.append(chain.send(ix.unblock_sender(alice.pubkey(), inbox, carol.pubkey()), alice))
    sent.append(
        chain.send(
            ix.set_inbox_metadata(alice.pubkey(), inbox, "alice", "https://a.example"), alice
        )
    )
    sent.append(
        chain.send(ix.set_payment_rule(alice.pubkey(), inbox, ix.PaymentRuleInput(1000)), alice)
    )
    escrow_owner = owners[1]
    rule = ix.PaymentRuleInput(50_000, escrow=True, refund_after_secs=60)
    sent.append(
        chain.send(ix.create_inbox(escrow_owner.pubkey(), 7, payment_rule=rule), escrow_owner)
    )
    escrow_inbox = inbox_address(escrow_owner.pubkey(), 7)[0]
    for tid, who in ((1, bob), (2, carol)):
        first = ix.create_thread(who.pubkey(), escrow_inbox, escrow_owner.pubkey(), tid,
                                 ix.MessageInput(b"paid"), payment_amount=50_000)  # fmt: skip
        sent.append(chain.send(first, who))
    sent.append(chain.send(ix.approve_escrow(bob.pubkey(), escrow_inbox, 1), bob))
    sent.append(chain.send(ix.claim_escrow(escrow_owner.pubkey(), escrow_inbox, 1), escrow_owner))
    chain.advance(120)
    sent.append(chain.send(ix.refund_escrow(carol.pubkey(), escrow_inbox, 2), carol))
    owner2 = owners[2]
    sent.append(chain.send(ix.create_inbox(owner2.pubkey(), 9, kind=InboxKind.EPHEMERAL), owner2))
    closed = inbox_address(owner2.pubkey(), 9)[0]
    sent.append(chain.send(ix.close_inbox(owner2.pubkey(), closed, []), owner2))
    return History(sent, owners, senders, inboxes, escrow_inbox, closed)


def ingest(store: SqliteStore, history: History) -> Indexer:
    indexer = Indexer(store)
    for slot, s in enumerate(history.sent, start=1):
        indexer.ingest_litesvm(s.transaction.signatures[0], slot, s.transaction, s.meta)
    return indexer


def junk_outputs() -> IndexedTransaction:
    """Accounts of the program too short to hold the record prefix (the store trusts its caller;
    the indexer would have checked their hashes)."""
    tree = STATE_TREES_V1[0].tree
    outputs = tuple(
        NewCompressedAccount(
            PROGRAM_ID,
            0,
            None,
            b"\x01" * 8,
            data,
            bytes(32),
            bytes([9, n]) * 16,
            10_000 + n,
            tree,
            tree,
            TreeType.STATE_V1,
            n,
            0,
        )
        for n, data in enumerate([b"\x02", b"\x02\x01" + b"\x05" * 20, bytes([2, 1]) + bytes(40)])
    )
    return IndexedTransaction(Signature.new_unique(), 999, None, outputs)


@pytest.fixture(scope="module")
def store(history: History, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path_factory.mktemp("idx") / "index.sqlite")
    ingest(s, history)
    s.apply(junk_outputs())
    yield s
    s.close()


def scan(store: SqliteStore, filters: list[tuple[int, bytes]]) -> list[bytes]:
    """What a memcmp scan returns: every account of the program, filtered in Python."""
    everything = store.accounts_by_owner(PROGRAM_ID, limit=1000)
    return [
        a.hash
        for a in everything
        if all((a.data or b"")[o : o + len(raw)] == raw for o, raw in filters)
    ]


def paged(store: SqliteStore, filters: list[tuple[int, bytes]], limit: int = 4) -> list[bytes]:
    out: list[bytes] = []
    cursor = None
    while True:
        page = store.accounts_by_owner(PROGRAM_ID, filters, cursor, limit)
        out += [a.hash for a in page]
        if len(page) < limit:
            return out
        cursor = page[-1].hash


def filter_sets(history: History) -> list[list[tuple[int, bytes]]]:
    inbox, other = bytes(history.inboxes[0]), bytes(history.inboxes[3])
    bob = bytes(history.senders[0].pubkey())
    alice = bytes(history.owners[0].pubkey())
    header, message = bytes([RecordKind.THREAD_HEADER]), bytes([RecordKind.MESSAGE])
    tid = (1).to_bytes(8, "little")
    return [
        [(OFFSET_KIND, header)],
        [(OFFSET_KIND, message), (OFFSET_INBOX, inbox)],
        [(OFFSET_KIND, message), (OFFSET_INBOX, inbox), (OFFSET_THREAD_ID, tid)],
        [(OFFSET_INBOX, other), (OFFSET_THREAD_ID, tid)],
        [(OFFSET_KIND, header), (THREAD_FROM_OFFSET, bob)],
        [(OFFSET_KIND, header), (THREAD_TO_OFFSET, alice)],
        [(THREAD_TO_OFFSET, alice), (1, b"\x01")],  # + an unmapped filter (the version byte)
        [(OFFSET_INBOX, inbox[:31])],  # a shorter prefix: not a column, scanned
        [(OFFSET_INBOX + 1, inbox[1:9])],  # another offset: scanned
        [(OFFSET_KIND, b"\x02"), (OFFSET_KIND, b"\x01")],  # contradictory
        [(OFFSET_KIND, b"\x02"), (OFFSET_INBOX, b"\x05" * 20 + bytes(12))],  # the junk: no match
        [(OFFSET_KIND, b"\x02"), (OFFSET_INBOX, bytes(32))],  # junk 3 holds zeros there: matches
        [(OFFSET_THREAD_ID, bytes(8)), (THREAD_FROM_OFFSET, bytes(32))],  # junk 3 is too short
    ]


def test_record_filters_answer_like_a_scan(store: SqliteStore, history: History) -> None:
    assert store.count() == sum(len(s.outputs()) for s in history.sent) + 3
    nonempty = 0
    for filters in filter_sets(history):
        expected = scan(store, filters)
        assert paged(store, filters) == expected, filters
        assert [a.hash for a in store.accounts_by_owner(PROGRAM_ID, filters)] == expected
        nonempty += bool(expected)
    assert nonempty >= 9  # the sets do select things
    assert len(scan(store, filter_sets(history)[11])) == 1  # the junk account with zeros


def test_record_queries_use_the_indexes(store: SqliteStore, history: History) -> None:
    sets = filter_sets(history)
    plans = {i: store.explain_accounts_by_owner(PROGRAM_ID, sets[i]) for i in (1, 2, 4, 5)}
    assert "records_by_inbox" in plans[1], plans[1]
    assert "records_by_thread" in plans[2], plans[2]
    assert "records_by_from" in plans[4], plans[4]
    assert "records_by_to" in plans[5], plans[5]
    assert all("TEMP B-TREE" not in p for p in plans.values()), plans  # no sort: index order
    other = store.explain_accounts_by_owner(Keypair().pubkey(), sets[1])
    assert "records" not in other  # another owner's data is never read through `records`


def test_old_database_is_reindexed_on_open(history: History, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    s = SqliteStore(path)
    ingest(s, history)
    before = {tuple(f): paged(s, f) for f in map(tuple, filter_sets(history))}  # type: ignore[arg-type]
    s.close()
    with sqlite3.connect(path) as db:  # what a database written before `records` existed lacks
        db.execute("DELETE FROM records")
        db.execute("DELETE FROM meta")
    s = SqliteStore(path)
    with sqlite3.connect(path) as db:
        program_accounts = db.execute(
            "SELECT COUNT(*) FROM accounts WHERE owner = ?", (bytes(PROGRAM_ID),)
        ).fetchone()[0]
        assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == program_accounts > 0
    assert {tuple(f): paged(s, list(f)) for f in before} == before  # type: ignore[arg-type]
    s.close()
    other = SqliteStore(path, program_id=Keypair().pubkey())  # another deployment's view
    other.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0


def test_every_instruction_is_recorded(store: SqliteStore, history: History) -> None:
    inbox = history.inboxes[0]
    alice, bob, carol = history.owners[0], history.senders[0], history.senders[1]
    rows = store.inbox_activity(inbox)
    names = [r.instruction for r in rows]
    assert names[:7] == ["set_payment_rule", "set_inbox_metadata", "unblock_sender",
                         "block_sender", "react", "set_archived", "mark_read"]  # fmt: skip
    assert names[-1] == "create_inbox"
    by_name = {r.instruction: r for r in rows}
    react = by_name["react"]
    assert react.thread_id == 1 and react.signer == alice.pubkey() and react.detail["events"] == []
    assert react.detail["args"] == {"thread_id": 1, "seq": 1, "reaction": 2, "added": True}
    blocked = by_name["block_sender"].detail
    assert blocked["args"] == {"sender": str(carol.pubkey())}
    assert blocked["events"] == [
        {"name": "SenderBlocked", "data": {"inbox": str(inbox), "sender": str(carol.pubkey())}}
    ]
    threads = [r for r in rows if r.instruction == "create_thread"]
    assert [r.thread_id for r in threads] == [3, 2, 1]
    assert threads[-1].detail["args"]["content_len"] == len(b"hello 0")
    assert threads[-1].detail["events"][0]["name"] == "ThreadCreated"
    # one thread only, newest first, and the escrow inbox's story
    one = store.inbox_activity(inbox, thread_id=1)
    assert {r.thread_id for r in one} == {1} and one[-1].instruction == "create_thread"
    escrow = [r.instruction for r in store.inbox_activity(history.escrow_inbox)]
    assert escrow == ["refund_escrow", "claim_escrow", "approve_escrow", "create_thread",
                      "create_thread", "create_inbox"]  # fmt: skip
    claim = store.inbox_activity(history.escrow_inbox)[1]
    assert claim.detail["events"][0]["name"] == "EscrowClaimed"
    assert claim.detail["events"][0]["data"]["amount"] == 50_000 and claim.thread_id == 1
    closed = [r.instruction for r in store.inbox_activity(history.closed_inbox)]
    assert closed == ["close_inbox", "create_inbox"]
    seen = {
        r.instruction
        for i in [*history.inboxes, history.escrow_inbox, history.closed_inbox]
        for r in store.inbox_activity(i)
    }
    assert seen == set(instruction_discriminators())
    assert bob.pubkey() in {r.signer for r in store.inbox_activity(history.escrow_inbox)}


def test_replayed_transactions_are_stored_once(history: History) -> None:
    s = SqliteStore()
    indexer = ingest(s, history)
    first = s.inbox_activity(history.inboxes[0])
    again = history.sent[-1]
    assert (
        indexer.ingest_litesvm(again.transaction.signatures[0], 1, again.transaction, again.meta)
        == 0
    )
    ingest(s, history)
    assert s.inbox_activity(history.inboxes[0]) == first
    # a transaction without compressed outputs (close_inbox) is kept for its activity only
    assert s.signatures(limit=1000) and all(
        sig.signature != history.sent[-1].transaction.signatures[0] for sig in s.signatures()
    )


async def test_get_inbox_activity_over_http(store: SqliteStore, history: History) -> None:
    inbox = history.inboxes[0]
    expected = store.inbox_activity(inbox)
    hook = {"response": [validating_hook]}
    async with (
        PhotonServer(store, port=0) as server,
        PhotonReader(server.url, http=httpx.AsyncClient(event_hooks=hook)) as reader,
    ):
        items = [i async for i in reader.inbox_activity(inbox, page_size=3)]
        assert [(i.signature, i.position) for i in items] == [
            (str(r.signature), r.position) for r in expected
        ]
        assert [i.instruction for i in items] == [r.instruction for r in expected]
        mark = next(i for i in items if i.instruction == "mark_read")
        assert mark.event("ReadMarked") == {
            "inbox": str(inbox),
            "thread_id": 1,
            "side": 1,  # the owner
            "seq": 1,
        }
        one = [i async for i in reader.inbox_activity(inbox, thread_id=2, page_size=1)]
        assert one and {i.thread_id for i in one} == {2}
        assert [i async for i in reader.inbox_activity(Keypair().pubkey())] == []
        async with httpx.AsyncClient() as http:
            for params, code in [
                ({"inbox": str(inbox), "cursor": "abc"}, -32602),
                ({"inbox": str(inbox), "threadId": -1}, -32602),
                ({"inbox": str(inbox), "limit": 1001}, -32602),
                ({"inbox": "not-a-key"}, -32000),
                ({"inbox": str(inbox), "extra": 1}, -32602),
            ]:
                body = {"jsonrpc": "2.0", "id": 1, "method": "getInboxActivity", "params": params}
                answer = (await http.post(server.url, json=body)).json()
                assert answer["error"]["code"] == code, params


async def test_reader_says_when_an_endpoint_lacks_the_extension() -> None:
    # a remote Photon cannot run here: its "Method not found" answer is faked at the transport
    def photon(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1,
                                         "error": {"code": -32601, "message": "Method not found"}})  # fmt: skip

    http = httpx.AsyncClient(transport=httpx.MockTransport(photon))
    async with PhotonReader("http://photon.invalid", http=http) as reader:
        with pytest.raises(PhotonMethodNotFound):
            _ = [i async for i in reader.inbox_activity(Keypair().pubkey())]
    await http.aclose()


def test_thread_page_address_is_where_activity_points(history: History) -> None:
    # sanity for the decoder: the accounts it names are the ones the builders put there
    inbox = history.inboxes[0]
    mark = next(s for s in history.sent if s.events() and s.events()[0].name == "ReadMarked")
    from solinbox.program.decode import decode_instruction

    program_ix = next(
        i for i in mark.transaction.message.instructions
        if mark.transaction.message.account_keys[i.program_id_index] == PROGRAM_ID
    )  # fmt: skip
    keys = mark.transaction.message.account_keys
    decoded = decode_instruction(bytes(program_ix.data), [keys[i] for i in program_ix.accounts])
    assert decoded.name == "mark_read"
    assert decoded.accounts["inbox"] == inbox
    assert decoded.accounts["thread_page"] == thread_page_for(inbox, 1)
