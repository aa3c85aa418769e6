"""The client over real HTTP against the localnet: writes, regular reads, typed errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from solinbox.client import InboxClient
from solinbox.program import errors
from solinbox.program import instructions as ix
from solinbox.program.constants import EscrowState, InboxKind

MakeClient = Callable[..., Awaitable[InboxClient]]


async def test_paid_thread_conversation_over_rpc(make_client: MakeClient) -> None:
    alice, bob = await make_client(), await make_client()
    rule = ix.PaymentRuleInput(amount=1_000_000, escrow=True, refund_after_secs=600)
    view = await alice.create_inbox(0, payment_rule=rule, metadata=("Alice", "https://a"))
    assert view.state.payment_rule is not None and view.state.name == "Alice"
    await alice.create_inbox(1, kind=InboxKind.EPHEMERAL)
    assert [v.state.id for v in await alice.inboxes()] == [0, 1]

    thread = await bob.create_thread(alice.me, "hello over RPC")
    assert thread.id == 1
    slot = await thread.load()
    assert (
        slot.sender == bob.me
        and slot.escrow_state == EscrowState.HELD
        and slot.escrow_amount == 1_000_000
    )

    mine = alice.thread(thread.inbox, thread.id)
    result = await mine.send_message("sealed reply", reply_to=1, encrypt=True)
    assert result.compute_units is not None and result.compute_units > 50_000
    assert any("Program log" in line or "invoke" in line for line in result.logs)
    await mine.mark_read()
    await mine.claim_escrow()
    slot = await mine.load()
    assert (slot.message_count, slot.read_by_owner, slot.escrow_state) == (
        2,
        2,
        EscrowState.CLAIMED,
    )


async def test_program_errors_are_typed(make_client: MakeClient) -> None:
    alice, bob = await make_client(), await make_client()
    await alice.create_inbox(0)
    await alice.block(bob.me)
    with pytest.raises(errors.SenderBlocked) as exc:
        await bob.create_thread(alice.me, "let me in")
    assert exc.value.code == 6017 and any("failed" in line for line in exc.value.logs)
    with pytest.raises(errors.SelfThread):
        await alice.create_thread(alice.me, "note to self")


async def test_lookup_table_makes_room_for_larger_bodies(make_client: MakeClient) -> None:
    alice, bob = await make_client(), await make_client()
    await alice.create_inbox(0)
    # measured limits (docs/protocol.md): create_thread 620 B without a table, 803 B with one
    with pytest.raises(Exception, match="too large|exceeds|size"):
        await bob.create_thread(alice.me, b"x" * 700)
    await bob.use_lookup_table()
    thread = await bob.create_thread(alice.me, b"x" * 800)
    assert (await thread.load()).message_count == 1
    result = await bob.thread(thread.inbox, thread.id).send_message(b"y" * 860)
    assert result.compute_units is not None


async def test_load_threads_newest_first_with_filters(make_client: MakeClient, net: object) -> None:
    alice = await make_client()
    view = await alice.create_inbox(0)
    senders = [await make_client(1) for _ in range(35)]  # two pages
    for i, s in enumerate(senders):
        await s.create_thread(alice.me, f"msg {i}")
    page = await alice.load_threads(view.address, limit=5)
    assert [t.thread_id for t in page] == [35, 34, 33, 32, 31]
    assert [t.thread_id for t in await alice.load_threads(view.address, limit=3, offset=33)] == [
        2,
        1,
    ]
    await alice.thread(view.address, 35).mark_read()
    await alice.thread(view.address, 34).archive()
    unread = await alice.load_threads(view.address, limit=100, unread_only=True)
    assert 35 not in [t.thread_id for t in unread] and 34 not in [t.thread_id for t in unread]
    assert len(unread) == 33
    archived = await alice.load_threads(view.address, archived=True)
    assert [t.thread_id for t in archived] == [34]
    # a sender's view applies the sender side's flags: the owner's archive does not hide 34
    theirs = await senders[0].load_threads(view.address, limit=100)
    assert len(theirs) == 35 and 34 in [t.thread_id for t in theirs]
