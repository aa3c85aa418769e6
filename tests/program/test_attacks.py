"""Adversarial cases against the real inbox.so and the real Light programs.

Every case must fail with the intended program error, and change nothing: every account
involved (inboxes, pages, block markers, wallets, token accounts, the Light output tree) is
byte-identical afterwards, except the fee payer, which loses exactly the 5,000-lamport fee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.light.ids import STATE_TREES_V1
from solinbox.program import errors
from solinbox.program import instructions as ix
from solinbox.program.constants import InboxKind
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import (
    TOKEN_PROGRAM_ID,
    block_marker,
    inbox_address,
    thread_page,
    vault_address,
)
from solinbox.testing import LocalChain, TransactionFailed

FEE = 5000
HOUR = 3600


@dataclass
class World:
    chain: LocalChain
    alice: Keypair  # owns inbox 0 (SOL escrow rule), inbox 1 (ephemeral, expires), inbox 2 (token escrow)
    bob: Keypair  # opened thread 1 in inbox 0 (escrow held), blocked in nothing
    carol: Keypair  # a third party; blocked in inbox 0
    inbox: Pubkey
    ephemeral: Pubkey
    token_inbox: Pubkey
    mint: Pubkey
    bob_tokens: Pubkey
    vault: Pubkey
    watched: list[Pubkey] = field(default_factory=list)


@pytest.fixture
def world(chain: LocalChain) -> World:
    alice, bob, carol = chain.wallet(), chain.wallet(), chain.wallet()
    a, b = alice.pubkey(), bob.pubkey()
    rule = ix.PaymentRuleInput(amount=10_000, escrow=True, refund_after_secs=HOUR)
    chain.send(ix.create_inbox(a, 0, payment_rule=rule, name="alice"), alice)
    chain.send(
        ix.create_inbox(a, 1, kind=InboxKind.EPHEMERAL, expires_at=chain.now() + HOUR), alice
    )
    mint = chain.create_mint(6)
    chain.send(
        ix.create_inbox(
            a,
            2,
            payment_rule=ix.PaymentRuleInput(
                amount=500, mint=mint, escrow=True, refund_after_secs=HOUR
            ),
        ),
        alice,
    )
    inbox, eph, tinbox = (inbox_address(a, i)[0] for i in (0, 1, 2))
    chain.send(ix.create_thread(b, inbox, a, 1, ix.MessageInput(b"hi"), payment_amount=10_000), bob)
    chain.send(ix.create_thread(b, eph, a, 1, ix.MessageInput(b"eph")), bob)
    chain.send(ix.block_sender(a, inbox, carol.pubkey()), alice)
    bob_tokens = chain.create_token_account(b, mint, 10_000)
    vault = chain.create_token_account(tinbox, mint, 0, address=vault_address(tinbox, mint))
    w = World(chain, alice, bob, carol, inbox, eph, tinbox, mint, bob_tokens, vault)
    w.watched = [a, b, carol.pubkey(), inbox, eph, tinbox, bob_tokens, vault,
                 thread_page(inbox, 0)[0], thread_page(eph, 0)[0], block_marker(inbox, carol.pubkey())[0],
                 STATE_TREES_V1[0].tree]  # fmt: skip
    return w


def snapshot(w: World) -> dict[Pubkey, tuple[int, bytes]]:
    out = {}
    for key in w.watched:
        acc = w.chain.svm.get_account(key)
        out[key] = (acc.lamports, bytes(acc.data)) if acc is not None else (0, b"")
    return out


def with_meta(instruction: Instruction, index: int, *, signer: bool | None = None, writable: bool | None = None,
              key: Pubkey | None = None) -> Instruction:  # fmt: skip
    metas = list(instruction.accounts)
    m = metas[index]
    metas[index] = AccountMeta(key or m.pubkey, m.is_signer if signer is None else signer,
                               m.is_writable if writable is None else writable)  # fmt: skip
    return Instruction(instruction.program_id, bytes(instruction.data), metas)


def with_data(instruction: Instruction, data: bytes) -> Instruction:
    return Instruction(instruction.program_id, data, list(instruction.accounts))


Case = Callable[[World], tuple[list[Instruction], list[Keypair]]]


def msg(text: bytes = b"x") -> ix.MessageInput:
    return ix.MessageInput(text)


# Each case: (id, build, expected error class)
CASES: list[tuple[str, Case, type[errors.ProgramError]]] = [
    # signers and writability
    (
        "create_inbox without owner signature",
        lambda w: ([with_meta(ix.create_inbox(w.carol.pubkey(), 5), 0, signer=False)], [w.bob]),
        errors.MissingSigner,
    ),
    (
        "create_thread without sender signature",
        lambda w: (
            [
                with_meta(
                    ix.create_thread(
                        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=10_000
                    ),
                    0,
                    signer=False,
                )
            ],
            [w.bob],
        ),
        errors.MissingSigner,
    ),
    (
        "send_message without poster signature",
        lambda w: (
            [with_meta(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()), 0, signer=False)],
            [w.bob],
        ),
        errors.MissingSigner,
    ),
    (
        "mark_read without signature",
        lambda w: (
            [with_meta(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), 0, signer=False)],
            [w.bob],
        ),
        errors.MissingSigner,
    ),
    (
        "claim without owner signature",
        lambda w: (
            [with_meta(ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), 0, signer=False)],
            [w.bob],
        ),
        errors.MissingSigner,
    ),
    # (the fee payer is always writable, so someone else pays)
    (
        "claim with a read-only owner",
        lambda w: (
            [with_meta(ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), 0, writable=False)],
            [w.bob, w.alice],
        ),
        errors.AccountNotWritable,
    ),
    (
        "page not writable",
        lambda w: (
            [with_meta(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), 2, writable=False)],
            [w.alice],
        ),
        errors.AccountNotWritable,
    ),
    # wrong owners and fake accounts
    (
        "inbox owned by the system program",
        lambda w: (
            [with_meta(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), 1, key=w.bob.pubkey())],
            [w.alice],
        ),
        errors.InvalidAccountOwner,
    ),
    (
        "page owned by another program",
        lambda w: (
            [with_meta(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), 2, key=w.bob_tokens)],
            [w.alice],
        ),
        errors.InvalidAccountOwner,
    ),
    (
        "another inbox's page",
        lambda w: (
            [
                with_meta(
                    ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1),
                    2,
                    key=thread_page(w.ephemeral, 0)[0],
                )
            ],
            [w.alice],
        ),
        errors.InvalidPda,
    ),
    (
        "an inbox account as the page",
        lambda w: (
            [with_meta(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), 2, key=w.token_inbox)],
            [w.alice],
        ),
        errors.InvalidAccountData,
    ),
    (
        "page account for the wrong thread index",
        lambda w: ([ix.mark_read(w.alice.pubkey(), w.inbox, 40, 1)], [w.alice]),
        errors.InvalidAccountOwner,
    ),
    (
        "block marker of another sender",
        lambda w: (
            [
                with_meta(
                    ix.create_thread(
                        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=10_000
                    ),
                    3,
                    key=block_marker(w.inbox, w.bob.pubkey())[0],
                )
            ],
            [w.carol],
        ),
        errors.InvalidPda,
    ),
    (
        "unrelated account as the block marker",
        lambda w: (
            [
                with_meta(
                    ix.create_thread(
                        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=10_000
                    ),
                    3,
                    key=Keypair().pubkey(),
                )
            ],
            [w.carol],
        ),
        errors.InvalidPda,
    ),
    # authorization
    (
        "blocked sender opens a thread",
        lambda w: (
            [
                ix.create_thread(
                    w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=10_000
                )
            ],
            [w.carol],
        ),
        errors.SenderBlocked,
    ),
    (
        "third party posts into a thread",
        lambda w: ([ix.send_message(w.carol.pubkey(), w.inbox, 1, msg())], [w.carol]),
        errors.Unauthorized,
    ),
    (
        "third party marks read",
        lambda w: ([ix.mark_read(w.carol.pubkey(), w.inbox, 1, 1)], [w.carol]),
        errors.Unauthorized,
    ),
    (
        "third party archives",
        lambda w: ([ix.set_archived(w.carol.pubkey(), w.inbox, 1, True)], [w.carol]),
        errors.Unauthorized,
    ),
    (
        "third party reacts",
        lambda w: ([ix.react(w.carol.pubkey(), w.inbox, 1, 1, 0)], [w.carol]),
        errors.Unauthorized,
    ),
    (
        "owner approves the sender's escrow",
        lambda w: ([ix.approve_escrow(w.alice.pubkey(), w.inbox, 1)], [w.alice]),
        errors.Unauthorized,
    ),
    (
        "sender claims the escrow",
        lambda w: ([ix.claim_escrow(w.bob.pubkey(), w.inbox, 1)], [w.bob]),
        errors.Unauthorized,
    ),
    (
        "third party refunds",
        lambda w: ([ix.refund_escrow(w.carol.pubkey(), w.inbox, 1)], [w.carol]),
        errors.Unauthorized,
    ),
    (
        "non-owner sets metadata",
        lambda w: ([ix.set_inbox_metadata(w.bob.pubkey(), w.inbox, "x", "y")], [w.bob]),
        errors.Unauthorized,
    ),
    (
        "non-owner sets the payment rule",
        lambda w: ([ix.set_payment_rule(w.bob.pubkey(), w.inbox, None)], [w.bob]),
        errors.Unauthorized,
    ),
    (
        "non-owner blocks a sender",
        lambda w: ([ix.block_sender(w.bob.pubkey(), w.inbox, w.carol.pubkey())], [w.bob]),
        errors.Unauthorized,
    ),
    (
        "owner opens a thread in their own inbox",
        lambda w: (
            [
                ix.create_thread(
                    w.alice.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=10_000
                )
            ],
            [w.alice],
        ),
        errors.SelfThread,
    ),
    # thread ids, sequences, content
    (
        "stale expected thread id",
        lambda w: (
            [
                ix.create_thread(
                    w.bob.pubkey(), w.inbox, w.alice.pubkey(), 1, msg(), payment_amount=10_000
                )
            ],
            [w.bob],
        ),
        errors.ThreadIdMismatch,
    ),
    (
        "thread that does not exist",
        lambda w: ([ix.mark_read(w.alice.pubkey(), w.inbox, 2, 1)], [w.alice]),
        errors.ThreadNotFound,
    ),
    (
        "read mark beyond the last message",
        lambda w: ([ix.mark_read(w.alice.pubkey(), w.inbox, 1, 2)], [w.alice]),
        errors.InvalidSequence,
    ),
    (
        "reply to a future message",
        lambda w: ([ix.send_message(w.alice.pubkey(), w.inbox, 1, msg(), reply_to=5)], [w.alice]),
        errors.InvalidSequence,
    ),
    (
        "reaction outside the set",
        lambda w: ([ix.react(w.alice.pubkey(), w.inbox, 1, 1, 10)], [w.alice]),
        errors.InvalidReaction,
    ),
    (
        "react to message 0",
        lambda w: ([ix.react(w.alice.pubkey(), w.inbox, 1, 0, 1)], [w.alice]),
        errors.InvalidSequence,
    ),
    (
        "invalid message type",
        lambda w: (
            [
                with_data(
                    ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()),
                    bytes(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()).data)[:28]
                    + b"\x09"
                    + bytes(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()).data)[29:],
                )
            ],
            [w.alice],
        ),
        errors.InvalidMessageType,
    ),
    # A 1,025-byte body cannot fit a transaction at all; a length prefix beyond the data is refused
    (
        "content length prefix beyond the data",
        lambda w: (
            [
                with_data(
                    ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()),
                    bytes(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()).data)[:32]
                    + (1025).to_bytes(4, "little")
                    + b"y" * 700,
                )
            ],
            [w.alice],
        ),
        errors.InvalidInstructionData,
    ),
    # payments and escrow
    (
        "payment below the rule",
        lambda w: (
            [
                ix.create_thread(
                    w.bob.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=9_999
                )
            ],
            [w.bob],
        ),
        errors.PaymentTooLow,
    ),
    (
        "token payment below the rule",
        lambda w: (
            [
                ix.create_thread(
                    w.bob.pubkey(),
                    w.token_inbox,
                    w.alice.pubkey(),
                    1,
                    msg(),
                    payment_amount=499,
                    token=ix.TokenAccounts(w.mint, w.bob_tokens, w.vault, TOKEN_PROGRAM_ID),
                )
            ],
            [w.bob],
        ),
        errors.PaymentTooLow,
    ),
    (
        "token payment with the wrong mint",
        lambda w: (
            [
                ix.create_thread(
                    w.bob.pubkey(),
                    w.token_inbox,
                    w.alice.pubkey(),
                    1,
                    msg(),
                    payment_amount=500,
                    token=ix.TokenAccounts(w.bob_tokens, w.bob_tokens, w.vault, TOKEN_PROGRAM_ID),
                )
            ],
            [w.bob],
        ),
        errors.PaymentMintMismatch,
    ),
    (
        "escrow into a vault the inbox does not own",
        lambda w: (
            [
                ix.create_thread(
                    w.bob.pubkey(),
                    w.token_inbox,
                    w.alice.pubkey(),
                    1,
                    msg(),
                    payment_amount=500,
                    token=ix.TokenAccounts(w.mint, w.bob_tokens, w.bob_tokens, TOKEN_PROGRAM_ID),
                )
            ],
            [w.bob],
        ),
        errors.InvalidTokenAccount,
    ),
    (
        "a fake token program",
        lambda w: (
            [
                ix.create_thread(
                    w.bob.pubkey(),
                    w.token_inbox,
                    w.alice.pubkey(),
                    1,
                    msg(),
                    payment_amount=500,
                    token=ix.TokenAccounts(w.mint, w.bob_tokens, w.vault, PROGRAM_ID),
                )
            ],
            [w.bob],
        ),
        errors.InvalidTokenProgram,
    ),
    (
        "claim before release and without a reply",
        lambda w: ([ix.claim_escrow(w.alice.pubkey(), w.inbox, 1)], [w.alice]),
        errors.EscrowNotClaimable,
    ),
    (
        "refund before the deadline",
        lambda w: ([ix.refund_escrow(w.bob.pubkey(), w.inbox, 1)], [w.bob]),
        errors.RefundTooEarly,
    ),
    (
        "approve a thread without escrow",
        lambda w: ([ix.approve_escrow(w.bob.pubkey(), w.ephemeral, 1)], [w.bob]),
        errors.EscrowNotHeld,
    ),
    (
        "escrow rule without a refund delay",
        lambda w: (
            [
                ix.set_payment_rule(
                    w.alice.pubkey(), w.inbox, ix.PaymentRuleInput(amount=1, escrow=True)
                )
            ],
            [w.alice],
        ),
        errors.InvalidPaymentRule,
    ),
    (
        "zero-amount payment rule",
        lambda w: (
            [ix.set_payment_rule(w.alice.pubkey(), w.inbox, ix.PaymentRuleInput(amount=0))],
            [w.alice],
        ),
        errors.InvalidPaymentRule,
    ),
    # inbox kinds and lifecycle
    (
        "metadata on an ephemeral inbox",
        lambda w: ([ix.set_inbox_metadata(w.alice.pubkey(), w.ephemeral, "n", "u")], [w.alice]),
        errors.InvalidInboxKind,
    ),
    (
        "metadata name too long",
        lambda w: ([ix.set_inbox_metadata(w.alice.pubkey(), w.inbox, "n" * 33, "u")], [w.alice]),
        errors.MetadataTooLong,
    ),
    (
        "close a standard inbox",
        lambda w: (
            [
                ix.close_inbox(
                    w.alice.pubkey(), w.inbox, [(thread_page(w.inbox, 0)[0], w.bob.pubkey())]
                )
            ],
            [w.alice],
        ),
        errors.InvalidInboxKind,
    ),
    (
        "close with its page missing",
        lambda w: ([ix.close_inbox(w.alice.pubkey(), w.ephemeral, [])], [w.alice]),
        errors.PagesIncomplete,
    ),
    (
        "close returning page rent to the wrong payer",
        lambda w: (
            [
                ix.close_inbox(
                    w.alice.pubkey(),
                    w.ephemeral,
                    [(thread_page(w.ephemeral, 0)[0], w.carol.pubkey())],
                )
            ],
            [w.alice],
        ),
        errors.Unauthorized,
    ),
    (
        "block an already blocked sender",
        lambda w: ([ix.block_sender(w.alice.pubkey(), w.inbox, w.carol.pubkey())], [w.alice]),
        errors.AccountAlreadyInitialized,
    ),
    (
        "unblock a sender that is not blocked",
        lambda w: ([ix.unblock_sender(w.alice.pubkey(), w.inbox, w.bob.pubkey())], [w.alice]),
        errors.InvalidAccountOwner,
    ),
    (
        "inbox id already taken",
        lambda w: ([ix.create_inbox(w.alice.pubkey(), 0)], [w.alice]),
        errors.AccountAlreadyInitialized,
    ),
    (
        "standard inbox with an expiry",
        lambda w: (
            [ix.create_inbox(w.alice.pubkey(), 9, expires_at=w.chain.now() + 10)],
            [w.alice],
        ),
        errors.InvalidExpiry,
    ),
    # Light accounts
    (
        "fake Light system program",
        lambda w: (
            [with_meta(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()), 9, key=PROGRAM_ID)],
            [w.alice],
        ),
        errors.InvalidLightAccount,
    ),
    (
        "fake cpi authority",
        lambda w: (
            [
                with_meta(
                    ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()), 10, key=w.bob.pubkey()
                )
            ],
            [w.alice],
        ),
        errors.InvalidLightAccount,
    ),
    (
        "fake registered program PDA",
        lambda w: (
            [
                with_meta(
                    ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()), 11, key=w.bob.pubkey()
                )
            ],
            [w.alice],
        ),
        errors.InvalidLightAccount,
    ),
    (
        "output tree not owned by account compression",
        lambda w: (
            [with_meta(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg()), 14, key=w.inbox)],
            [w.alice],
        ),
        errors.InvalidOutputTree,
    ),
    # malformed instruction data
    (
        "empty instruction data",
        lambda w: ([Instruction(PROGRAM_ID, b"", [])], [w.alice]),
        errors.InvalidInstructionData,
    ),
    (
        "unknown discriminator",
        lambda w: ([Instruction(PROGRAM_ID, bytes(8) + b"junk", [])], [w.alice]),
        errors.UnknownInstruction,
    ),
    (
        "truncated mark_read",
        lambda w: (
            [
                with_data(
                    ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1),
                    bytes(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1).data)[:-2],
                )
            ],
            [w.alice],
        ),
        errors.InvalidInstructionData,
    ),
    (
        "trailing bytes after approve_escrow",
        lambda w: (
            [
                with_data(
                    ix.approve_escrow(w.bob.pubkey(), w.inbox, 1),
                    bytes(ix.approve_escrow(w.bob.pubkey(), w.inbox, 1).data) + b"\x00",
                )
            ],
            [w.bob],
        ),
        errors.InvalidInstructionData,
    ),
    (
        "boolean that is not 0 or 1",
        lambda w: (
            [
                with_data(
                    ix.set_archived(w.alice.pubkey(), w.inbox, 1, True),
                    bytes(ix.set_archived(w.alice.pubkey(), w.inbox, 1, True).data)[:-1] + b"\x02",
                )
            ],
            [w.alice],
        ),
        errors.InvalidInstructionData,
    ),
    (
        "not enough accounts",
        lambda w: (
            [
                Instruction(
                    PROGRAM_ID,
                    bytes(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1).data),
                    [AccountMeta(w.alice.pubkey(), True, False)],
                )
            ],
            [w.alice],
        ),
        errors.NotEnoughAccounts,
    ),
]


@pytest.mark.parametrize(("name", "build", "expected"), CASES, ids=[c[0] for c in CASES])
def test_attack_is_rejected_and_changes_nothing(
    world: World, name: str, build: Case, expected: type[errors.ProgramError]
) -> None:
    instructions, signers = build(world)
    before = snapshot(world)
    with pytest.raises(TransactionFailed) as failure:
        world.chain.send(instructions, signers)
    assert failure.value.code == expected.code, f"{name}: {failure.value}"
    after = snapshot(world)
    payer = signers[0].pubkey()
    for key, (lamports, data) in before.items():
        expected_lamports = lamports - FEE * len(signers) if key == payer else lamports
        assert after[key] == (expected_lamports, data), f"{name}: {key} changed"


def test_case_count() -> None:
    assert len(CASES) >= 40


def test_expired_ephemeral_inbox_takes_nothing(world: World) -> None:
    world.chain.advance(HOUR + 1)
    before = snapshot(world)
    attempts = [
        (
            ix.create_thread(world.bob.pubkey(), world.ephemeral, world.alice.pubkey(), 2, msg()),
            world.bob,
        ),
        (ix.send_message(world.bob.pubkey(), world.ephemeral, 1, msg()), world.bob),
    ]
    for instruction, signer in attempts:
        with pytest.raises(TransactionFailed) as failure:
            world.chain.send(instruction, signer)
        assert failure.value.code == errors.InboxExpired.code
    after = snapshot(world)
    assert all(after[k][1] == v[1] for k, v in before.items())


def test_refund_after_reply_and_double_claim(world: World) -> None:
    w = world
    w.chain.send(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg(b"answer")), w.alice)
    w.chain.advance(HOUR + 1)
    with pytest.raises(TransactionFailed) as failure:
        w.chain.send(ix.refund_escrow(w.bob.pubkey(), w.inbox, 1), w.bob)
    assert failure.value.code == errors.OwnerReplied.code
    w.chain.send(ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), w.alice)
    before = snapshot(w)
    with pytest.raises(TransactionFailed) as failure:
        w.chain.send(ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), w.alice)
    assert failure.value.code == errors.EscrowNotHeld.code
    assert snapshot(w)[w.inbox] == before[w.inbox]


def test_refund_after_approval_and_closed_inbox(world: World) -> None:
    w = world
    w.chain.send(ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), w.bob)
    w.chain.advance(HOUR + 1)
    with pytest.raises(TransactionFailed) as failure:
        w.chain.send(ix.refund_escrow(w.bob.pubkey(), w.inbox, 1), w.bob)
    assert failure.value.code == errors.EscrowNotHeld.code
    w.chain.send(
        ix.close_inbox(
            w.alice.pubkey(), w.ephemeral, [(thread_page(w.ephemeral, 0)[0], w.bob.pubkey())]
        ),
        w.alice,
    )
    with pytest.raises(TransactionFailed) as failure:
        w.chain.send(ix.send_message(w.bob.pubkey(), w.ephemeral, 1, msg()), w.bob)
    assert failure.value.code == errors.InvalidAccountOwner.code


def test_overflowing_refund_deadline(world: World) -> None:
    w = world
    huge = ix.PaymentRuleInput(amount=1, escrow=True, refund_after_secs=2**64 - 1)
    w.chain.send(ix.set_payment_rule(w.alice.pubkey(), w.inbox, huge), w.alice)
    before = snapshot(w)
    with pytest.raises(TransactionFailed) as failure:
        w.chain.send(
            ix.create_thread(w.bob.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=1),
            w.bob,
        )
    assert failure.value.code == errors.ArithmeticOverflow.code
    assert snapshot(w)[w.inbox] == before[w.inbox]
