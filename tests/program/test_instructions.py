"""Happy paths of every instruction against the real inbox.so and the real Light programs."""

from __future__ import annotations

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.light import STATE_TREES_V2
from solinbox.program import instructions as ix
from solinbox.program.accounts import ThreadPage
from solinbox.program.constants import (
    EscrowState,
    InboxKind,
    MessageType,
    PaymentMode,
    Side,
    TokenProgramKind,
)
from solinbox.program.pda import (
    TOKEN_2022_PROGRAM_ID,
    TOKEN_PROGRAM_ID,
    block_marker,
    inbox_address,
    thread_page,
    vault_address,
)
from solinbox.program.records import Message, Reaction, ThreadHeader
from solinbox.testing import LAMPORTS_PER_SOL, LocalChain

FEE = 5000


def open_inbox(chain: LocalChain, owner: Keypair, inbox_id: int = 0, **kw: object) -> Pubkey:
    chain.send(ix.create_inbox(owner.pubkey(), inbox_id, **kw), owner)  # type: ignore[arg-type]
    return inbox_address(owner.pubkey(), inbox_id)[0]


def test_create_inboxes_standard_and_ephemeral(chain: LocalChain) -> None:
    alice = chain.wallet()
    sent = chain.send(
        ix.create_inbox(alice.pubkey(), 0, name="Alice", uri="https://alice.example/inbox.json"),
        alice,
    )
    ephemeral_until = chain.now() + 3600
    chain.send(
        ix.create_inbox(alice.pubkey(), 1, kind=InboxKind.EPHEMERAL, expires_at=ephemeral_until),
        alice,
    )
    chain.send(ix.create_inbox(alice.pubkey(), 7), alice)
    std = chain.inbox(inbox_address(alice.pubkey(), 0)[0])
    assert (std.kind, std.owner, std.id, std.name, std.uri) == (
        InboxKind.STANDARD, alice.pubkey(), 0, "Alice", "https://alice.example/inbox.json"
    )  # fmt: skip
    assert std.thread_count == 0 and std.payment_rule is None and std.created_at == chain.now()
    eph = chain.inbox(inbox_address(alice.pubkey(), 1)[0])
    assert (
        eph.kind == InboxKind.EPHEMERAL and eph.expires_at == ephemeral_until and eph.name is None
    )
    assert chain.data(inbox_address(alice.pubkey(), 1)[0]) is not None
    assert len(chain.data(inbox_address(alice.pubkey(), 1)[0]) or b"") == 132
    assert len(chain.data(inbox_address(alice.pubkey(), 0)[0]) or b"") == 366
    (event,) = sent.events()
    assert event.name == "InboxCreated" and event["owner"] == alice.pubkey() and event["id"] == 0


def test_metadata_and_payment_rule_updates(chain: LocalChain) -> None:
    alice = chain.wallet()
    inbox = open_inbox(chain, alice, name="a")
    chain.send(ix.set_inbox_metadata(alice.pubkey(), inbox, "Alice's desk", "ipfs://meta"), alice)
    assert (chain.inbox(inbox).name, chain.inbox(inbox).uri) == ("Alice's desk", "ipfs://meta")
    rule = ix.PaymentRuleInput(amount=2_500_000, escrow=True, refund_after_secs=86_400)
    chain.send(ix.set_payment_rule(alice.pubkey(), inbox, rule), alice)
    got = chain.inbox(inbox).payment_rule
    assert got is not None and (got.amount, got.escrow, got.refund_after_secs, got.is_sol) == (
        2_500_000,
        True,
        86_400,
        True,
    )
    mint = chain.create_mint(6, token_program=TOKEN_2022_PROGRAM_ID)
    chain.send(
        ix.set_payment_rule(alice.pubkey(), inbox, ix.PaymentRuleInput(amount=7, mint=mint)), alice
    )
    got = chain.inbox(inbox).payment_rule
    assert got is not None and got.mint == mint and got.token_program == TokenProgramKind.TOKEN_2022
    assert got.decimals == 6 and not got.escrow
    chain.send(ix.set_payment_rule(alice.pubkey(), inbox, None), alice)
    assert chain.inbox(inbox).payment_rule is None


def test_free_thread_writes_header_and_first_message(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    inbox = open_inbox(chain, alice)
    sent = chain.send(
        ix.create_thread(bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"gm alice")), bob
    )
    header, first = sent.records()
    assert isinstance(header, ThreadHeader) and isinstance(first, Message)
    assert (header.inbox, header.thread_id, header.sender, header.recipient) == (
        inbox,
        1,
        bob.pubkey(),
        alice.pubkey(),
    )
    assert header.payment.mode == PaymentMode.NONE and header.created_at == chain.now()
    assert (first.seq, first.sender_side, first.sender, first.content) == (
        1,
        Side.SENDER,
        bob.pubkey(),
        b"gm alice",
    )
    slot = chain.thread(inbox, 1)
    assert (slot.sender, slot.message_count, slot.read_by_sender, slot.read_by_owner) == (
        bob.pubkey(),
        1,
        1,
        0,
    )
    assert slot.unread(Side.OWNER) == 1 and chain.inbox(inbox).thread_count == 1
    page = chain.page(inbox, 1)
    assert page.payer == bob.pubkey() and page.used == 1
    # Every output is a real Light leaf in smt1 whose hash was recomputed (Sent.outputs verifies).
    outs = sent.outputs()
    assert [o.leaf_index for o in outs] == [outs[0].leaf_index, outs[0].leaf_index + 1]


def test_direct_sol_rule_pays_the_owner_exactly(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    inbox = open_inbox(chain, alice, payment_rule=ix.PaymentRuleInput(amount=12_345))
    before = chain.balance(alice.pubkey())
    chain.send(
        ix.create_thread(
            bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"paid"), payment_amount=12_345
        ),
        bob,
    )
    assert chain.balance(alice.pubkey()) - before == 12_345
    assert chain.thread(inbox, 1).escrow_state == EscrowState.NONE


def test_sol_escrow_claim_after_approval(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    rule = ix.PaymentRuleInput(amount=LAMPORTS_PER_SOL // 10, escrow=True, refund_after_secs=600)
    inbox = open_inbox(chain, alice, payment_rule=rule)
    page_key = thread_page(inbox, 0)[0]
    chain.send(
        ix.create_thread(
            bob.pubkey(),
            inbox,
            alice.pubkey(),
            1,
            ix.MessageInput(b"hi"),
            payment_amount=rule.amount,
        ),
        bob,
    )
    page_rent = chain.svm.minimum_balance_for_rent_exemption(ThreadPage.LEN)
    assert chain.balance(page_key) == page_rent + rule.amount
    slot = chain.thread(inbox, 1)
    assert (slot.escrow_state, slot.escrow_amount, slot.refund_at) == (
        EscrowState.HELD,
        rule.amount,
        chain.now() + 600,
    )
    assert chain.inbox(inbox).open_escrows == 1
    sent = chain.send(ix.approve_escrow(bob.pubkey(), inbox, 1), bob)
    assert sent.events()[0].name == "EscrowApproved"
    before = chain.balance(alice.pubkey())
    sent = chain.send(ix.claim_escrow(alice.pubkey(), inbox, 1), alice)
    assert chain.balance(alice.pubkey()) - before == rule.amount - FEE
    assert chain.balance(page_key) == page_rent
    assert chain.thread(inbox, 1).escrow_state == EscrowState.CLAIMED
    assert chain.inbox(inbox).open_escrows == 0
    assert sent.events()[0]["amount"] == rule.amount


def test_escrow_claimable_once_owner_replied_and_refund_after_deadline(chain: LocalChain) -> None:
    alice, bob, carol = chain.wallet(), chain.wallet(), chain.wallet()
    rule = ix.PaymentRuleInput(amount=50_000, escrow=True, refund_after_secs=60)
    inbox = open_inbox(chain, alice, payment_rule=rule)
    chain.send(
        ix.create_thread(
            bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"q1"), payment_amount=50_000
        ),
        bob,
    )
    chain.send(
        ix.create_thread(
            carol.pubkey(), inbox, alice.pubkey(), 2, ix.MessageInput(b"q2"), payment_amount=50_000
        ),
        carol,
    )
    chain.send(
        ix.send_message(alice.pubkey(), inbox, 1, ix.MessageInput(b"answer"), reply_to=1), alice
    )
    assert chain.thread(inbox, 1).owner_replied
    chain.send(ix.claim_escrow(alice.pubkey(), inbox, 1), alice)
    chain.advance(61)
    before = chain.balance(carol.pubkey())
    sent = chain.send(ix.refund_escrow(carol.pubkey(), inbox, 2), carol)
    assert chain.balance(carol.pubkey()) - before == 50_000 - FEE
    assert chain.thread(inbox, 2).escrow_state == EscrowState.REFUNDED
    assert chain.inbox(inbox).open_escrows == 0
    assert sent.events()[0].name == "EscrowRefunded"


@pytest.mark.parametrize(
    "token_program", [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID], ids=["spl", "token2022"]
)
def test_token_escrow_and_token_payments(chain: LocalChain, token_program: Pubkey) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    mint = chain.create_mint(6, token_program=token_program)
    rule = ix.PaymentRuleInput(amount=3_000_000, mint=mint, escrow=True, refund_after_secs=3600)
    inbox = open_inbox(chain, alice, payment_rule=rule)
    bob_tokens = chain.create_token_account(
        bob.pubkey(), mint, 10_000_000, token_program=token_program
    )
    alice_tokens = chain.create_token_account(alice.pubkey(), mint, 0, token_program=token_program)
    vault = chain.create_token_account(inbox, mint, 0, token_program=token_program,
                                       address=vault_address(inbox, mint, token_program))  # fmt: skip
    pay = ix.TokenAccounts(mint, bob_tokens, vault, token_program)
    sent = chain.send(
        ix.create_thread(
            bob.pubkey(),
            inbox,
            alice.pubkey(),
            1,
            ix.MessageInput(b"$"),
            payment_amount=3_000_000,
            token=pay,
        ),
        bob,
    )
    header = sent.records()[0]
    assert isinstance(header, ThreadHeader)
    assert (
        header.payment.mode == PaymentMode.ESCROW
        and header.payment.mint == mint
        and header.payment.amount == 3_000_000
    )
    assert (chain.token_balance(bob_tokens), chain.token_balance(vault)) == (7_000_000, 3_000_000)
    # a tip attached to a message goes straight to the other side
    tip = ix.TokenAccounts(mint, bob_tokens, alice_tokens, token_program)
    sent = chain.send(
        ix.send_message(
            bob.pubkey(), inbox, 1, ix.MessageInput(b"tip"), payment_amount=1_000, token=tip
        ),
        bob,
    )
    (msg,) = sent.records()
    assert (
        isinstance(msg, Message)
        and msg.payment.amount == 1_000
        and msg.payment.mode == PaymentMode.DIRECT
    )
    chain.send(ix.approve_escrow(bob.pubkey(), inbox, 1), bob)
    claim = ix.TokenAccounts(mint, vault, alice_tokens, token_program)
    chain.send(ix.claim_escrow(alice.pubkey(), inbox, 1, token=claim), alice)
    assert chain.token_balance(vault) == 0
    assert chain.token_balance(alice_tokens) == 3_001_000
    assert chain.token_balance(bob_tokens) == 6_999_000


def test_messages_both_sides_with_sol_tip_and_reply(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    inbox = open_inbox(chain, alice)
    chain.send(
        ix.create_thread(bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"one")), bob
    )
    before = chain.balance(bob.pubkey())
    sent = chain.send(
        ix.send_message(alice.pubkey(), inbox, 1, ix.MessageInput(b"https://x.example", MessageType.URL),
                        reply_to=1, payment_amount=777, recipient=bob.pubkey()),
        alice,
    )  # fmt: skip
    assert chain.balance(bob.pubkey()) - before == 777
    (msg,) = sent.records()
    assert isinstance(msg, Message)
    assert (msg.seq, msg.sender_side, msg.reply_to, msg.message_type) == (
        2,
        Side.OWNER,
        1,
        MessageType.URL,
    )
    assert msg.payment.amount == 777 and msg.payment.token_program == TokenProgramKind.SOL
    sent = chain.send(
        ix.send_message(
            bob.pubkey(),
            inbox,
            1,
            ix.MessageInput(b"\x00" * 16, MessageType.OTHER, 42, encrypted=True),
        ),
        bob,
    )
    (msg,) = sent.records()
    assert isinstance(msg, Message) and msg.seq == 3 and msg.encrypted and msg.other_type == 42
    assert sent.events()[0].name == "MessageSent" and sent.events()[0]["seq"] == 3
    slot = chain.thread(inbox, 1)
    assert (slot.message_count, slot.read_by_sender, slot.read_by_owner) == (3, 3, 2)


def test_mark_read_is_monotonic_and_archive_is_per_side(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    inbox = open_inbox(chain, alice)
    chain.send(ix.create_thread(bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"1")), bob)
    chain.send(ix.send_message(bob.pubkey(), inbox, 1, ix.MessageInput(b"2")), bob)
    chain.send(ix.mark_read(alice.pubkey(), inbox, 1, 2), alice)
    sent = chain.send(ix.mark_read(alice.pubkey(), inbox, 1, 1), alice)
    assert chain.thread(inbox, 1).read_by_owner == 2
    assert sent.events()[0]["seq"] == 2
    chain.send(ix.set_archived(alice.pubkey(), inbox, 1, True), alice)
    slot = chain.thread(inbox, 1)
    assert slot.archived_by_owner and not slot.archived_by_sender
    chain.send(ix.set_archived(bob.pubkey(), inbox, 1, True), bob)
    chain.send(ix.set_archived(alice.pubkey(), inbox, 1, False), alice)
    slot = chain.thread(inbox, 1)
    assert slot.archived_by_sender and not slot.archived_by_owner


def test_block_and_unblock(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    inbox = open_inbox(chain, alice)
    marker = block_marker(inbox, bob.pubkey())[0]
    before = chain.balance(alice.pubkey())
    chain.send(ix.block_sender(alice.pubkey(), inbox, bob.pubkey()), alice)
    rent = chain.balance(marker)
    assert chain.block_marker(marker) is not None
    assert before - chain.balance(alice.pubkey()) == rent + FEE
    chain.send(ix.unblock_sender(alice.pubkey(), inbox, bob.pubkey()), alice)
    assert chain.block_marker(marker) is None
    assert before - chain.balance(alice.pubkey()) == 2 * FEE
    chain.send(
        ix.create_thread(bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"back")), bob
    )


def test_reactions(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    inbox = open_inbox(chain, alice)
    chain.send(
        ix.create_thread(bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"pic")), bob
    )
    (added,) = chain.send(ix.react(alice.pubkey(), inbox, 1, 1, 7), alice).records()
    (removed,) = chain.send(ix.react(alice.pubkey(), inbox, 1, 1, 7, added=False), alice).records()
    assert isinstance(added, Reaction) and isinstance(removed, Reaction)
    assert (added.seq, added.side, added.reactor, added.reaction, added.added) == (
        1,
        Side.OWNER,
        alice.pubkey(),
        7,
        True,
    )
    assert not removed.added


def test_second_page_and_ephemeral_close_refunds_page_payers(chain: LocalChain) -> None:
    alice = chain.wallet()
    senders = [chain.wallet(1) for _ in range(33)]
    inbox = open_inbox(chain, alice, kind=InboxKind.EPHEMERAL)
    for i, s in enumerate(senders, start=1):
        chain.send(ix.create_thread(s.pubkey(), inbox, alice.pubkey(), i, ix.MessageInput(b"x")), s)
    pages = [thread_page(inbox, 0)[0], thread_page(inbox, 1)[0]]
    assert chain.page(inbox, 1).payer == senders[0].pubkey()
    assert chain.page(inbox, 33).payer == senders[32].pubkey() and chain.page(inbox, 33).used == 1
    payer_balances = [chain.balance(senders[0].pubkey()), chain.balance(senders[32].pubkey())]
    page_rents = [chain.balance(p) for p in pages]
    inbox_rent = chain.balance(inbox)
    owner_before = chain.balance(alice.pubkey())
    sent = chain.send(
        ix.close_inbox(
            alice.pubkey(),
            inbox,
            [(pages[0], senders[0].pubkey()), (pages[1], senders[32].pubkey())],
        ),
        alice,
    )
    assert sent.events()[0].name == "InboxClosed"
    assert chain.balance(senders[0].pubkey()) == payer_balances[0] + page_rents[0]
    assert chain.balance(senders[32].pubkey()) == payer_balances[1] + page_rents[1]
    assert chain.balance(alice.pubkey()) == owner_before + inbox_rent - FEE
    assert chain.data(inbox) is None and all(chain.data(p) is None for p in pages)
    # the same inbox id can be opened again and starts from thread 1
    chain.send(ix.create_inbox(alice.pubkey(), 0, kind=InboxKind.EPHEMERAL), alice)
    chain.send(
        ix.create_thread(senders[1].pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"again")),
        senders[1],
    )
    assert chain.inbox(inbox).thread_count == 1


def test_v2_output_queue(chain: LocalChain) -> None:
    alice, bob = chain.wallet(), chain.wallet()
    inbox = open_inbox(chain, alice)
    queue = STATE_TREES_V2[0].output_queue
    sent = chain.send(
        ix.create_thread(
            bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"v2"), output_tree=queue
        ),
        bob,
    )
    outs = sent.outputs()
    assert {o.queue for o in outs} == {queue} and {o.tree for o in outs} == {STATE_TREES_V2[0].tree}
    assert [type(r) for r in sent.records()] == [ThreadHeader, Message]
    sent = chain.send(
        ix.send_message(alice.pubkey(), inbox, 1, ix.MessageInput(b"v2 reply"), output_tree=queue),
        alice,
    )
    (reply,) = sent.records()
    assert isinstance(reply, Message) and reply.seq == 2


def test_full_conversation_records_equal_what_was_sent(chain: LocalChain) -> None:
    """create inbox → paid escrowed thread → replies both sides → read marks → reaction → claim."""
    alice, bob = chain.wallet(), chain.wallet()
    rule = ix.PaymentRuleInput(amount=1_000_000, escrow=True, refund_after_secs=7 * 86_400)
    inbox = open_inbox(chain, alice, name="alice", payment_rule=rule)
    script: list[tuple[Keypair, bytes, int]] = [
        (bob, b"Hi Alice, can you review my PR?", 0),
        (alice, b"Sure, send the link.", 1),
        (bob, b"https://example.org/pr/42", 2),
        (alice, b"Approved \xe2\x9c\x85", 3),
    ]
    records: list[object] = []
    first = chain.send(
        ix.create_thread(
            bob.pubkey(),
            inbox,
            alice.pubkey(),
            1,
            ix.MessageInput(script[0][1]),
            payment_amount=rule.amount,
        ),
        bob,
    )
    records += first.records()
    for who, text, reply_to in script[1:]:
        records += chain.send(
            ix.send_message(who.pubkey(), inbox, 1, ix.MessageInput(text), reply_to=reply_to), who
        ).records()
    chain.send(ix.mark_read(bob.pubkey(), inbox, 1, 4), bob)
    chain.send(ix.mark_read(alice.pubkey(), inbox, 1, 4), alice)
    records += chain.send(ix.react(bob.pubkey(), inbox, 1, 4, 8), bob).records()
    before = chain.balance(alice.pubkey())
    chain.send(ix.claim_escrow(alice.pubkey(), inbox, 1), alice)
    assert chain.balance(alice.pubkey()) - before == rule.amount - FEE

    header, *messages, reaction = records
    assert isinstance(header, ThreadHeader) and header.payment.amount == rule.amount
    assert [m.content for m in messages if isinstance(m, Message)] == [t for _, t, _ in script]
    assert [(m.seq, m.sender, m.reply_to) for m in messages if isinstance(m, Message)] == [
        (i + 1, who.pubkey(), reply) for i, (who, _, reply) in enumerate(script)
    ]
    assert isinstance(reaction, Reaction) and (reaction.seq, reaction.reaction) == (4, 8)
    slot = chain.thread(inbox, 1)
    assert (slot.message_count, slot.read_by_sender, slot.read_by_owner) == (4, 4, 4)
    assert slot.escrow_state == EscrowState.CLAIMED and slot.owner_replied
