"""Adversarial suite: every attack is rejected with its intended error and nothing changes.

Each case builds a small world on a fresh chain, then sends one hostile transaction. The helper
:func:`reject` snapshots every account involved (lamports, owner, data: inboxes, pages, block
markers, token accounts, the Light output tree) before and asserts the transaction failed with the
intended code and that every snapshot is byte-identical afterwards; only the fee payer's
lamports move, by exactly the signature fee.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest
from solders.compute_budget import set_compute_unit_limit
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from solinbox.program import errors
from solinbox.program import instructions as ix
from solinbox.program.constants import InboxKind
from solinbox.program.pda import (
    PROGRAM_ID,
    TOKEN_2022_PROGRAM_ID,
    TOKEN_PROGRAM_ID,
    block_marker,
    inbox_address,
    thread_page,
    vault_address,
)
from solinbox.testing import LocalChain
from solinbox.testing.chain import TransactionFailed

FEE = 5000
PACKET_DATA_SIZE = 1232
TREE = ix.DEFAULT_OUTPUT_TREE
SYSTEM = Pubkey.from_string("11111111111111111111111111111111")
PANIC_MARKERS = ("panicked", "ProgramFailedToComplete")
TOKEN_MINT_MISMATCH = 3
TOKEN_OWNER_MISMATCH = 4


@dataclass
class World:
    """Alice's escrow inbox with Bob's thread 1; Carol is a third party."""

    chain: LocalChain
    alice: Keypair
    bob: Keypair
    carol: Keypair
    payer: Keypair
    inbox: Pubkey
    page: Pubkey
    extra: list[Pubkey] = field(default_factory=list)

    def keys(self) -> list[Pubkey]:
        return [
            self.alice.pubkey(),
            self.bob.pubkey(),
            self.carol.pubkey(),
            self.inbox,
            self.page,
            TREE,
            *self.extra,
        ]


RULE = ix.PaymentRuleInput(amount=50_000, escrow=True, refund_after_secs=60)


def world(chain: LocalChain, rule: ix.PaymentRuleInput | None = RULE) -> World:
    alice, bob, carol, payer = (chain.wallet() for _ in range(4))
    chain.send(ix.create_inbox(alice.pubkey(), 0, payment_rule=rule), alice)
    inbox = inbox_address(alice.pubkey(), 0)[0]
    amount = rule.amount if rule else 0
    chain.send(
        ix.create_thread(
            bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"hi"), payment_amount=amount
        ),
        bob,
    )
    return World(chain, alice, bob, carol, payer, inbox, thread_page(inbox, 0)[0])


def snapshot(chain: LocalChain, keys: Sequence[Pubkey]) -> dict[Pubkey, object]:
    out: dict[Pubkey, object] = {}
    for key in keys:
        acc = chain.svm.get_account(key)
        out[key] = None if acc is None else (acc.lamports, bytes(acc.data), acc.owner)
    return out


def reject(
    w: World,
    ixs: Instruction | Sequence[Instruction],
    signers: Sequence[Keypair],
    code: int | None,
    *,
    watch: Sequence[Pubkey] = (),
    runtime: str | None = None,
) -> TransactionFailed:
    """Send with ``w.payer`` paying; assert failure with ``code`` and no state change."""
    ixs = [ixs] if isinstance(ixs, Instruction) else list(ixs)
    keys = list(dict.fromkeys([*w.keys(), *watch]))
    for i in ixs:
        keys += [m.pubkey for m in i.accounts if m.pubkey not in keys]
    keys = [k for k in dict.fromkeys(keys) if k != w.payer.pubkey()]
    before = snapshot(w.chain, keys)
    fee_before = w.chain.balance(w.payer.pubkey())
    all_signers = [w.payer, *[s for s in signers if s.pubkey() != w.payer.pubkey()]]
    with pytest.raises(TransactionFailed) as info:
        w.chain.send(ixs, all_signers)
    failure = info.value
    text = str(failure.err) + "\n".join(failure.logs)
    assert not any(marker in text for marker in PANIC_MARKERS), text
    if runtime is not None:
        assert runtime in text, text
    assert failure.code == code, f"expected {code}, got {failure.code}: {failure}"
    after = snapshot(w.chain, keys)
    for key in keys:
        assert after[key] == before[key], f"account {key} changed"
    assert w.chain.balance(w.payer.pubkey()) == fee_before - FEE * len(all_signers)
    return failure


def unsign(instruction: Instruction, key: Pubkey) -> Instruction:
    """The instruction with ``key``'s signer flag removed (the program's own check must fire)."""
    metas = [
        AccountMeta(m.pubkey, False, m.is_writable) if m.pubkey == key else m
        for m in instruction.accounts
    ]
    return Instruction(instruction.program_id, instruction.data, metas)


def replace(instruction: Instruction, index: int, meta: AccountMeta) -> Instruction:
    metas = list(instruction.accounts)
    metas[index] = meta
    return Instruction(instruction.program_id, instruction.data, metas)


def with_data(instruction: Instruction, data: bytes) -> Instruction:
    return Instruction(instruction.program_id, data, list(instruction.accounts))


def clone_account(chain: LocalChain, source: Pubkey, owner: Pubkey) -> Pubkey:
    """A new address holding ``source``'s data, owned by ``owner``."""
    key = Keypair().pubkey()
    chain._set(key, chain.data(source) or b"", owner)
    return key


def msg(content: bytes = b"x") -> ix.MessageInput:
    return ix.MessageInput(content)


def raw_message(message_type: int, flags: int, content: bytes) -> bytes:
    return struct.pack("<BHBI", message_type, 0, flags, len(content)) + content


# ---------------------------------------------------------------------------------------------
# Missing signer (each instruction family): the signer flag is removed from the AccountMeta, the
# transaction is otherwise valid (the fee payer signs), so the program's own check fires.
# ---------------------------------------------------------------------------------------------
SIGNER_CASES: dict[str, Callable[[World], tuple[Instruction, Pubkey]]] = {
    "create_inbox": lambda w: (ix.create_inbox(w.carol.pubkey(), 3), w.carol.pubkey()),
    "set_inbox_metadata": lambda w: (
        ix.set_inbox_metadata(w.alice.pubkey(), w.inbox, "n", "u"),
        w.alice.pubkey(),
    ),
    "set_payment_rule": lambda w: (
        ix.set_payment_rule(w.alice.pubkey(), w.inbox, None),
        w.alice.pubkey(),
    ),
    "create_thread": lambda w: (
        ix.create_thread(
            w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=RULE.amount
        ),
        w.carol.pubkey(),
    ),
    "send_message": lambda w: (ix.send_message(w.bob.pubkey(), w.inbox, 1, msg()), w.bob.pubkey()),
    "mark_read": lambda w: (ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), w.alice.pubkey()),
    "set_archived": lambda w: (
        ix.set_archived(w.alice.pubkey(), w.inbox, 1, True),
        w.alice.pubkey(),
    ),
    "block_sender": lambda w: (
        ix.block_sender(w.alice.pubkey(), w.inbox, w.carol.pubkey()),
        w.alice.pubkey(),
    ),
    "approve_escrow": lambda w: (ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), w.bob.pubkey()),
    "claim_escrow": lambda w: (ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), w.alice.pubkey()),
    "refund_escrow": lambda w: (ix.refund_escrow(w.bob.pubkey(), w.inbox, 1), w.bob.pubkey()),
    "react": lambda w: (ix.react(w.alice.pubkey(), w.inbox, 1, 1, 0), w.alice.pubkey()),
}


@pytest.mark.parametrize("name", sorted(SIGNER_CASES))
def test_missing_signer_flag(chain: LocalChain, name: str) -> None:
    w = world(chain)
    instruction, key = SIGNER_CASES[name](w)
    if name == "refund_escrow":
        chain.advance(61)
    reject(w, unsign(instruction, key), [], errors.MissingSigner.code)


def test_missing_signature_is_rejected_by_the_runtime(chain: LocalChain) -> None:
    # The meta says "signer" but the signature is absent: the runtime refuses to compile / verify
    # the transaction before the program runs, so there is no custom code.
    w = world(chain)
    with pytest.raises(Exception, match=r"(?i)signer|signature|keypair"):
        chain.send(ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), [w.payer])
    assert chain.thread(w.inbox, 1).read_by_owner == 0


def test_writable_flag_removed_from_page(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1)
    reject(
        w,
        replace(i, 2, AccountMeta(w.page, False, False)),
        [w.alice],
        errors.AccountNotWritable.code,
    )


# ---------------------------------------------------------------------------------------------
# Wrong signer: a signer that is not allowed to act.
# ---------------------------------------------------------------------------------------------
THIRD_PARTY: dict[str, Callable[[World], tuple[Instruction, Keypair]]] = {
    "metadata_by_stranger": lambda w: (
        ix.set_inbox_metadata(w.carol.pubkey(), w.inbox, "pwned", ""),
        w.carol,
    ),
    "payment_rule_by_stranger": lambda w: (
        ix.set_payment_rule(w.carol.pubkey(), w.inbox, None),
        w.carol,
    ),
    "post_into_thread": lambda w: (ix.send_message(w.carol.pubkey(), w.inbox, 1, msg()), w.carol),
    "mark_read_by_stranger": lambda w: (ix.mark_read(w.carol.pubkey(), w.inbox, 1, 1), w.carol),
    "archive_by_stranger": lambda w: (ix.set_archived(w.carol.pubkey(), w.inbox, 1, True), w.carol),
    "react_by_stranger": lambda w: (ix.react(w.carol.pubkey(), w.inbox, 1, 1, 0), w.carol),
    "approve_by_stranger": lambda w: (ix.approve_escrow(w.carol.pubkey(), w.inbox, 1), w.carol),
    "approve_by_owner": lambda w: (ix.approve_escrow(w.alice.pubkey(), w.inbox, 1), w.alice),
    "claim_by_sender": lambda w: (ix.claim_escrow(w.bob.pubkey(), w.inbox, 1), w.bob),
    "claim_by_stranger": lambda w: (ix.claim_escrow(w.carol.pubkey(), w.inbox, 1), w.carol),
    "refund_by_stranger": lambda w: (ix.refund_escrow(w.carol.pubkey(), w.inbox, 1), w.carol),
    "refund_by_owner": lambda w: (ix.refund_escrow(w.alice.pubkey(), w.inbox, 1), w.alice),
    "block_by_stranger": lambda w: (
        ix.block_sender(w.carol.pubkey(), w.inbox, w.bob.pubkey()),
        w.carol,
    ),
}


@pytest.mark.parametrize("name", sorted(THIRD_PARTY))
def test_third_party_is_unauthorized(chain: LocalChain, name: str) -> None:
    w = world(chain)
    if name.startswith("claim"):  # released, so only the signer check can refuse it
        chain.send(ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), w.bob)
    chain.advance(61)
    instruction, signer = THIRD_PARTY[name](w)
    reject(w, instruction, [signer], errors.Unauthorized.code)


# ---------------------------------------------------------------------------------------------
# Accounts owned by another program, fake PDAs, another inbox's page.
# ---------------------------------------------------------------------------------------------
def test_inbox_owned_by_another_program(chain: LocalChain) -> None:
    w = world(chain)
    fake = clone_account(chain, w.inbox, SYSTEM)
    i = ix.set_inbox_metadata(w.alice.pubkey(), w.inbox, "n", "")
    reject(
        w, replace(i, 1, AccountMeta(fake, False, True)), [w.alice], errors.InvalidAccountOwner.code
    )


def test_page_owned_by_another_program(chain: LocalChain) -> None:
    w = world(chain)
    fake = clone_account(chain, w.page, TOKEN_PROGRAM_ID)
    i = ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1)
    reject(
        w, replace(i, 2, AccountMeta(fake, False, True)), [w.alice], errors.InvalidAccountOwner.code
    )


def test_block_marker_owned_by_another_program(chain: LocalChain) -> None:
    # The canonical marker address holding marker-sized data owned by the token program: unblock
    # must refuse to close an account it does not own.
    w = world(chain)
    marker = block_marker(w.inbox, w.carol.pubkey())[0]
    chain._set(marker, bytes(80), TOKEN_PROGRAM_ID)
    i = ix.unblock_sender(w.alice.pubkey(), w.inbox, w.carol.pubkey())
    reject(w, i, [w.alice], errors.InvalidAccountOwner.code)


def test_fake_inbox_with_right_owner_wrong_address(chain: LocalChain) -> None:
    # An exact copy of Alice's inbox, owned by the program, at an address that is not its PDA.
    w = world(chain)
    fake = clone_account(chain, w.inbox, PROGRAM_ID)
    i = ix.set_inbox_metadata(w.alice.pubkey(), fake, "n", "")
    reject(w, i, [w.alice], errors.InvalidPda.code, watch=[fake])


def test_page_of_another_inbox(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(ix.create_inbox(w.carol.pubkey(), 0), w.carol)
    other = inbox_address(w.carol.pubkey(), 0)[0]
    chain.send(ix.create_thread(w.bob.pubkey(), other, w.carol.pubkey(), 1, msg()), w.bob)
    other_page = thread_page(other, 0)[0]
    i = ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1)
    reject(
        w, replace(i, 2, AccountMeta(other_page, False, True)), [w.alice], errors.InvalidPda.code
    )


def test_fake_page_copy_with_program_owner(chain: LocalChain) -> None:
    # A byte copy of page 0 (program-owned) at the address of no page.
    w = world(chain)
    fake = clone_account(chain, w.page, PROGRAM_ID)
    i = ix.approve_escrow(w.bob.pubkey(), w.inbox, 1)
    reject(w, replace(i, 2, AccountMeta(fake, False, True)), [w.bob], errors.InvalidPda.code)


def test_page_of_another_index(chain: LocalChain) -> None:
    # Page 1's PDA address holding page 0's bytes: the page index stored does not match.
    w = world(chain)
    page1 = thread_page(w.inbox, 1)[0]
    chain._set(page1, chain.data(w.page) or b"", PROGRAM_ID)
    i = ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1)
    reject(w, replace(i, 2, AccountMeta(page1, False, True)), [w.alice], errors.InvalidPda.code)


def test_block_marker_of_another_sender(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(ix.block_sender(w.alice.pubkey(), w.inbox, w.carol.pubkey()), w.alice)
    # Carol is blocked, but presents Bob's (absent) marker.
    i = ix.create_thread(
        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=RULE.amount
    )
    reject(
        w,
        replace(i, 3, AccountMeta(block_marker(w.inbox, w.bob.pubkey())[0], False, False)),
        [w.carol],
        errors.InvalidPda.code,
    )


def test_block_marker_unrelated_address(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.create_thread(
        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=RULE.amount
    )
    reject(
        w,
        replace(i, 3, AccountMeta(Keypair().pubkey(), False, False)),
        [w.carol],
        errors.InvalidPda.code,
    )


def test_unblock_marker_that_does_not_exist(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.unblock_sender(w.alice.pubkey(), w.inbox, w.carol.pubkey())
    reject(w, i, [w.alice], errors.InvalidAccountOwner.code)


# ---------------------------------------------------------------------------------------------
# Protocol rules.
# ---------------------------------------------------------------------------------------------
def test_blocked_sender(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(ix.block_sender(w.alice.pubkey(), w.inbox, w.carol.pubkey()), w.alice)
    i = ix.create_thread(
        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=RULE.amount
    )
    reject(
        w,
        i,
        [w.carol],
        errors.SenderBlocked.code,
        watch=[block_marker(w.inbox, w.carol.pubkey())[0]],
    )


def test_expired_ephemeral_inbox(chain: LocalChain) -> None:
    w = world(chain)
    until = chain.now() + 100
    chain.send(
        ix.create_inbox(w.alice.pubkey(), 5, kind=InboxKind.EPHEMERAL, expires_at=until), w.alice
    )
    eph = inbox_address(w.alice.pubkey(), 5)[0]
    chain.advance(101)
    i = ix.create_thread(w.carol.pubkey(), eph, w.alice.pubkey(), 1, msg())
    reject(w, i, [w.carol], errors.InboxExpired.code, watch=[eph])


def test_closed_ephemeral_inbox(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(
        ix.create_inbox(w.alice.pubkey(), 5, kind=InboxKind.EPHEMERAL, expires_at=chain.now() + 99),
        w.alice,
    )
    eph = inbox_address(w.alice.pubkey(), 5)[0]
    chain.send(ix.close_inbox(w.alice.pubkey(), eph, []), w.alice)
    i = ix.create_thread(w.carol.pubkey(), eph, w.alice.pubkey(), 1, msg())
    reject(w, i, [w.carol], errors.InvalidAccountOwner.code, watch=[eph])


@pytest.mark.parametrize("expected", [1, 3, 2**64 - 1], ids=["duplicate", "ahead", "max"])
def test_stale_or_duplicate_expected_thread_id(chain: LocalChain, expected: int) -> None:
    w = world(chain)
    i = ix.create_thread(
        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=RULE.amount,
        expected_thread_id=expected,
    )  # fmt: skip
    reject(w, i, [w.carol], errors.ThreadIdMismatch.code)


def test_self_thread(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.create_thread(
        w.alice.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=RULE.amount
    )
    reject(w, i, [w.alice], errors.SelfThread.code)


def test_double_claim(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), w.bob)
    chain.send(ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), w.alice)
    reject(w, ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), [w.alice], errors.EscrowNotHeld.code)


def test_claim_before_release_and_without_reply(chain: LocalChain) -> None:
    w = world(chain)
    reject(
        w, ix.claim_escrow(w.alice.pubkey(), w.inbox, 1), [w.alice], errors.EscrowNotClaimable.code
    )


def test_refund_before_deadline(chain: LocalChain) -> None:
    w = world(chain)
    chain.advance(59)
    reject(w, ix.refund_escrow(w.bob.pubkey(), w.inbox, 1), [w.bob], errors.RefundTooEarly.code)


def test_refund_after_reply(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(ix.send_message(w.alice.pubkey(), w.inbox, 1, msg(b"answer")), w.alice)
    chain.advance(61)
    reject(w, ix.refund_escrow(w.bob.pubkey(), w.inbox, 1), [w.bob], errors.OwnerReplied.code)


def test_refund_after_approval(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), w.bob)
    chain.advance(61)
    reject(w, ix.refund_escrow(w.bob.pubkey(), w.inbox, 1), [w.bob], errors.EscrowNotHeld.code)


def test_approve_twice(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), w.bob)
    reject(w, ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), [w.bob], errors.EscrowNotHeld.code)


def test_sol_payment_below_rule(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.create_thread(
        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=RULE.amount - 1
    )
    reject(w, i, [w.carol], errors.PaymentTooLow.code)


def test_thread_not_found(chain: LocalChain) -> None:
    w = world(chain)
    reject(w, ix.mark_read(w.alice.pubkey(), w.inbox, 2, 1), [w.alice], errors.ThreadNotFound.code)


# ---------------------------------------------------------------------------------------------
# Token payments.
# ---------------------------------------------------------------------------------------------
@dataclass
class TokenWorld:
    w: World
    mint: Pubkey
    bob_tokens: Pubkey
    carol_tokens: Pubkey
    vault: Pubkey
    program: Pubkey


def token_world(chain: LocalChain, program: Pubkey = TOKEN_PROGRAM_ID) -> TokenWorld:
    mint = chain.create_mint(6, token_program=program)
    rule = ix.PaymentRuleInput(amount=1_000, mint=mint, escrow=True, refund_after_secs=60)
    alice, bob, carol, payer = (chain.wallet() for _ in range(4))
    chain.send(ix.create_inbox(alice.pubkey(), 0, payment_rule=rule), alice)
    inbox = inbox_address(alice.pubkey(), 0)[0]
    vault = chain.create_token_account(
        inbox, mint, 0, token_program=program, address=vault_address(inbox, mint, program)
    )
    bob_tokens = chain.create_token_account(bob.pubkey(), mint, 10_000, token_program=program)
    carol_tokens = chain.create_token_account(carol.pubkey(), mint, 10_000, token_program=program)
    chain.send(
        ix.create_thread(
            bob.pubkey(), inbox, alice.pubkey(), 1, msg(), payment_amount=1_000,
            token=ix.TokenAccounts(mint, bob_tokens, vault, program),
        ),
        bob,
    )  # fmt: skip
    w = World(chain, alice, bob, carol, payer, inbox, thread_page(inbox, 0)[0])
    w.extra = [mint, bob_tokens, carol_tokens, vault]
    return TokenWorld(w, mint, bob_tokens, carol_tokens, vault, program)


def carol_thread(t: TokenWorld, amount: int, token: ix.TokenAccounts) -> Instruction:
    w = t.w
    return ix.create_thread(
        w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=amount, token=token
    )


def test_token_payment_below_rule(chain: LocalChain) -> None:
    t = token_world(chain)
    tok = ix.TokenAccounts(t.mint, t.carol_tokens, t.vault, t.program)
    reject(t.w, carol_thread(t, 999, tok), [t.w.carol], errors.PaymentTooLow.code)


def test_token_wrong_mint(chain: LocalChain) -> None:
    t = token_world(chain)
    other = chain.create_mint(6)
    src = chain.create_token_account(t.w.carol.pubkey(), other, 10_000)
    dst = chain.create_token_account(t.w.inbox, other, 0)
    tok = ix.TokenAccounts(other, src, dst, t.program)
    reject(t.w, carol_thread(t, 1_000, tok), [t.w.carol], errors.PaymentMintMismatch.code)


def test_token_source_of_another_owner(chain: LocalChain) -> None:
    t = token_world(chain)
    tok = ix.TokenAccounts(t.mint, t.bob_tokens, t.vault, t.program)
    # The program leaves the source to transfer_checked (the signer must be its owner):
    # SPL Token's OwnerMismatch = custom 4.
    reject(t.w, carol_thread(t, 1_000, tok), [t.w.carol], TOKEN_OWNER_MISMATCH)


def test_token_source_of_another_mint(chain: LocalChain) -> None:
    t = token_world(chain)
    other = chain.create_mint(6)
    src = chain.create_token_account(t.w.carol.pubkey(), other, 10_000)
    tok = ix.TokenAccounts(t.mint, src, t.vault, t.program)
    # transfer_checked compares the source's mint: SPL Token's MintMismatch = custom 3.
    reject(t.w, carol_thread(t, 1_000, tok), [t.w.carol], TOKEN_MINT_MISMATCH, watch=[src])


def test_token_destination_of_another_mint(chain: LocalChain) -> None:
    t = token_world(chain)
    other = chain.create_mint(6)
    dst = chain.create_token_account(t.w.alice.pubkey(), other, 0)
    tip = ix.TokenAccounts(t.mint, t.bob_tokens, dst, t.program)
    i = ix.send_message(t.w.bob.pubkey(), t.w.inbox, 1, msg(), payment_amount=5, token=tip)
    reject(t.w, i, [t.w.bob], errors.InvalidTokenAccount.code, watch=[dst])


def test_token_tip_to_account_not_owned_by_the_recipient(chain: LocalChain) -> None:
    t = token_world(chain)
    tip = ix.TokenAccounts(t.mint, t.bob_tokens, t.carol_tokens, t.program)
    i = ix.send_message(t.w.bob.pubkey(), t.w.inbox, 1, msg(), payment_amount=5, token=tip)
    reject(t.w, i, [t.w.bob], errors.InvalidTokenAccount.code)


def test_token_vault_not_owned_by_inbox(chain: LocalChain) -> None:
    t = token_world(chain)
    fake_vault = chain.create_token_account(t.w.carol.pubkey(), t.mint, 0)
    tok = ix.TokenAccounts(t.mint, t.carol_tokens, fake_vault, t.program)
    reject(
        t.w,
        carol_thread(t, 1_000, tok),
        [t.w.carol],
        errors.InvalidTokenAccount.code,
        watch=[fake_vault],
    )


def test_token_claim_to_foreign_vault(chain: LocalChain) -> None:
    # Claim with a source that is not the inbox's vault (Carol's account).
    t = token_world(chain)
    chain.send(ix.approve_escrow(t.w.bob.pubkey(), t.w.inbox, 1), t.w.bob)
    alice_tokens = chain.create_token_account(t.w.alice.pubkey(), t.mint, 0)
    tok = ix.TokenAccounts(t.mint, t.carol_tokens, alice_tokens, t.program)
    reject(
        t.w, ix.claim_escrow(t.w.alice.pubkey(), t.w.inbox, 1, token=tok), [t.w.alice],
        errors.InvalidTokenAccount.code, watch=[alice_tokens],
    )  # fmt: skip


def test_wrong_token_program(chain: LocalChain) -> None:
    t = token_world(chain)
    tok = ix.TokenAccounts(t.mint, t.carol_tokens, t.vault, SYSTEM)
    reject(t.w, carol_thread(t, 1_000, tok), [t.w.carol], errors.InvalidTokenProgram.code)


def test_token_2022_mint_with_spl_token_program(chain: LocalChain) -> None:
    # A real token program, but not the one that owns the mint: the mint check fires.
    t = token_world(chain, TOKEN_2022_PROGRAM_ID)
    tok = ix.TokenAccounts(t.mint, t.carol_tokens, t.vault, TOKEN_PROGRAM_ID)
    reject(t.w, carol_thread(t, 1_000, tok), [t.w.carol], errors.InvalidTokenAccount.code)


def test_token_payment_above_balance_fails_in_token_program(chain: LocalChain) -> None:
    t = token_world(chain)
    tok = ix.TokenAccounts(t.mint, t.carol_tokens, t.vault, t.program)
    # SPL Token's InsufficientFunds = custom 1, raised inside the CPI.
    reject(t.w, carol_thread(t, 10_001, tok), [t.w.carol], 1)


def test_sol_payment_above_balance_fails_in_system_program(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.send_message(
        w.bob.pubkey(), w.inbox, 1, msg(), payment_amount=10**12, recipient=w.alice.pubkey()
    )
    # system program: ResultWithNegativeLamports / insufficient lamports = custom 1.
    reject(w, i, [w.bob], 1)


# ---------------------------------------------------------------------------------------------
# Arithmetic overflow, sizes.
# ---------------------------------------------------------------------------------------------
def test_refund_deadline_overflow(chain: LocalChain) -> None:
    rule = ix.PaymentRuleInput(amount=10, escrow=True, refund_after_secs=2**64 - 1)
    w = world(chain, None)
    chain.send(ix.set_payment_rule(w.alice.pubkey(), w.inbox, rule), w.alice)
    i = ix.create_thread(w.carol.pubkey(), w.inbox, w.alice.pubkey(), 2, msg(), payment_amount=10)
    reject(w, i, [w.carol], errors.ArithmeticOverflow.code)


def test_content_one_byte_too_long(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.send_message(w.bob.pubkey(), w.inbox, 1, msg())
    data = bytes(i.data[:28]) + raw_message(0, 0, bytes(1025))
    reject(w, with_data(i, data), [w.bob], errors.ContentTooLong.code)


def test_content_at_the_transaction_size_limit(chain: LocalChain) -> None:
    # As LocalChain.send builds it (one signer, a compute-unit limit instruction), a reply of
    # 681 bytes makes a transaction of exactly 1,232 bytes and executes; 682 bytes is 1,233 bytes,
    # which a cluster refuses before any program runs (LiteSVM does not check the packet size,
    # so the program's own 1,024-byte bound is the one that fires in-process, tested above).
    w = world(chain)

    def size(n: int) -> int:
        i = ix.send_message(w.bob.pubkey(), w.inbox, 1, msg(bytes(n)))
        m = MessageV0.try_compile(
            w.bob.pubkey(), [set_compute_unit_limit(400_000), i], [], chain.svm.latest_blockhash()
        )
        return len(bytes(VersionedTransaction(m, [w.bob])))

    assert (size(681), size(682)) == (PACKET_DATA_SIZE, PACKET_DATA_SIZE + 1)
    before = chain.thread(w.inbox, 1).message_count
    sent = chain.send(ix.send_message(w.bob.pubkey(), w.inbox, 1, msg(b"m" * 681)), w.bob)
    assert len(bytes(sent.transaction)) == PACKET_DATA_SIZE
    assert sent.records()[0].content == b"m" * 681
    assert chain.thread(w.inbox, 1).message_count == before + 1


def test_metadata_too_long(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.set_inbox_metadata(w.alice.pubkey(), w.inbox, "n" * 33, "")
    reject(w, i, [w.alice], errors.MetadataTooLong.code)


def test_metadata_on_ephemeral(chain: LocalChain) -> None:
    w = world(chain)
    chain.send(
        ix.create_inbox(w.alice.pubkey(), 5, kind=InboxKind.EPHEMERAL, expires_at=chain.now() + 99),
        w.alice,
    )
    eph = inbox_address(w.alice.pubkey(), 5)[0]
    reject(
        w,
        ix.set_inbox_metadata(w.alice.pubkey(), eph, "n", ""),
        [w.alice],
        errors.InvalidInboxKind.code,
        watch=[eph],
    )


@pytest.mark.parametrize(
    "rule",
    [
        ix.PaymentRuleInput(amount=5, escrow=True, refund_after_secs=0),
        ix.PaymentRuleInput(amount=5, escrow=False, refund_after_secs=10),
        ix.PaymentRuleInput(amount=0),
    ],
    ids=["escrow-no-deadline", "direct-with-deadline", "zero-amount"],
)
def test_invalid_payment_rule(chain: LocalChain, rule: ix.PaymentRuleInput) -> None:
    w = world(chain)
    reject(
        w,
        ix.set_payment_rule(w.alice.pubkey(), w.inbox, rule),
        [w.alice],
        errors.InvalidPaymentRule.code,
    )


# ---------------------------------------------------------------------------------------------
# Instruction data.
# ---------------------------------------------------------------------------------------------
DATA_BUILDERS: dict[str, Callable[[World], tuple[Instruction, Keypair]]] = {
    "mark_read": lambda w: (ix.mark_read(w.alice.pubkey(), w.inbox, 1, 1), w.alice),
    "set_archived": lambda w: (ix.set_archived(w.alice.pubkey(), w.inbox, 1, True), w.alice),
    "approve_escrow": lambda w: (ix.approve_escrow(w.bob.pubkey(), w.inbox, 1), w.bob),
    "block_sender": lambda w: (
        ix.block_sender(w.alice.pubkey(), w.inbox, w.carol.pubkey()),
        w.alice,
    ),
    "send_message": lambda w: (ix.send_message(w.bob.pubkey(), w.inbox, 1, msg(b"abc")), w.bob),
    "set_inbox_metadata": lambda w: (
        ix.set_inbox_metadata(w.alice.pubkey(), w.inbox, "a", "b"),
        w.alice,
    ),
}


@pytest.mark.parametrize("name", sorted(DATA_BUILDERS))
@pytest.mark.parametrize("mutation", ["truncated", "trailing"])
def test_malformed_instruction_data(chain: LocalChain, name: str, mutation: str) -> None:
    w = world(chain)
    i, signer = DATA_BUILDERS[name](w)
    data = bytes(i.data)
    data = data[:-1] if mutation == "truncated" else data + b"\x00"
    reject(w, with_data(i, data), [signer], errors.InvalidInstructionData.code)


@pytest.mark.parametrize(
    "data", [bytes(8), b"\xff" * 40, b"global:m" + bytes(12)], ids=["zeros", "garbage", "ascii"]
)
def test_unknown_instruction(chain: LocalChain, data: bytes) -> None:
    w = world(chain)
    i, signer = DATA_BUILDERS["mark_read"](w)
    reject(w, with_data(i, data), [signer], errors.UnknownInstruction.code)


@pytest.mark.parametrize("data", [b"", b"\x01\x02\x03"], ids=["empty", "short"])
def test_data_shorter_than_a_discriminator(chain: LocalChain, data: bytes) -> None:
    # Fewer than 8 bytes cannot hold a discriminator: the program reports malformed data.
    w = world(chain)
    i, signer = DATA_BUILDERS["mark_read"](w)
    reject(w, with_data(i, data), [signer], errors.InvalidInstructionData.code)


def test_invalid_message_type(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.send_message(w.bob.pubkey(), w.inbox, 1, msg())
    reject(
        w,
        with_data(i, bytes(i.data[:28]) + raw_message(200, 0, b"x")),
        [w.bob],
        errors.InvalidMessageType.code,
    )


def test_invalid_message_flags(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.send_message(w.bob.pubkey(), w.inbox, 1, msg())
    reject(
        w,
        with_data(i, bytes(i.data[:28]) + raw_message(0, 0x80, b"x")),
        [w.bob],
        errors.InvalidMessageType.code,
    )


def test_invalid_reaction(chain: LocalChain) -> None:
    w = world(chain)
    reject(w, ix.react(w.alice.pubkey(), w.inbox, 1, 1, 10), [w.alice], errors.InvalidReaction.code)


@pytest.mark.parametrize("seq", [0, 2], ids=["zero", "beyond"])
def test_invalid_sequence(chain: LocalChain, seq: int) -> None:
    w = world(chain)
    reject(
        w, ix.mark_read(w.alice.pubkey(), w.inbox, 1, seq), [w.alice], errors.InvalidSequence.code
    )


def test_react_to_missing_message(chain: LocalChain) -> None:
    w = world(chain)
    reject(w, ix.react(w.alice.pubkey(), w.inbox, 1, 5, 0), [w.alice], errors.InvalidSequence.code)


# ---------------------------------------------------------------------------------------------
# Light accounts.
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "position",
    [0, 1, 2, 3, 4],
    ids=["system", "cpi-authority", "registered", "compression-authority", "compression-program"],
)
def test_fake_light_account(chain: LocalChain, position: int) -> None:
    w = world(chain)
    i = ix.send_message(w.bob.pubkey(), w.inbox, 1, msg())
    base = len(i.accounts) - 6
    bogus = AccountMeta(Keypair().pubkey(), False, False)
    reject(w, replace(i, base + position, bogus), [w.bob], errors.InvalidLightAccount.code)


def test_output_tree_not_owned_by_account_compression(chain: LocalChain) -> None:
    w = world(chain)
    fake = clone_account(chain, TREE, SYSTEM)
    i = ix.send_message(w.bob.pubkey(), w.inbox, 1, msg(), output_tree=fake)
    reject(w, i, [w.bob], errors.InvalidOutputTree.code)


# ---------------------------------------------------------------------------------------------
# close_inbox.
# ---------------------------------------------------------------------------------------------
def test_close_standard_inbox(chain: LocalChain) -> None:
    w = world(chain, None)
    reject(
        w,
        ix.close_inbox(w.alice.pubkey(), w.inbox, [(w.page, w.bob.pubkey())]),
        [w.alice],
        errors.InvalidInboxKind.code,
    )


def ephemeral(w: World, rule: ix.PaymentRuleInput | None = None, threads: int = 1) -> Pubkey:
    c = w.chain
    c.send(
        ix.create_inbox(
            w.alice.pubkey(),
            9,
            kind=InboxKind.EPHEMERAL,
            expires_at=c.now() + 999,
            payment_rule=rule,
        ),
        w.alice,
    )
    eph = inbox_address(w.alice.pubkey(), 9)[0]
    amount = rule.amount if rule else 0
    for n in range(1, threads + 1):
        c.send(
            ix.create_thread(
                w.bob.pubkey(), eph, w.alice.pubkey(), n, msg(), payment_amount=amount
            ),
            w.bob,
        )
    w.extra += [eph, thread_page(eph, 0)[0], thread_page(eph, 1)[0]]
    return eph


def test_close_with_escrow_outstanding(chain: LocalChain) -> None:
    w = world(chain, None)
    eph = ephemeral(w, RULE)
    reject(
        w,
        ix.close_inbox(w.alice.pubkey(), eph, [(thread_page(eph, 0)[0], w.bob.pubkey())]),
        [w.alice],
        errors.EscrowOutstanding.code,
    )


def test_close_with_pages_missing(chain: LocalChain) -> None:
    w = world(chain, None)
    eph = ephemeral(w)
    reject(w, ix.close_inbox(w.alice.pubkey(), eph, []), [w.alice], errors.PagesIncomplete.code)


def test_close_with_wrong_page_payer(chain: LocalChain) -> None:
    w = world(chain, None)
    eph = ephemeral(w)
    reject(
        w,
        ix.close_inbox(w.alice.pubkey(), eph, [(thread_page(eph, 0)[0], w.carol.pubkey())]),
        [w.alice],
        errors.Unauthorized.code,
    )


def test_close_with_another_inboxs_page(chain: LocalChain) -> None:
    # close_inbox reports a page that is not page i of this inbox as an incomplete page list.
    w = world(chain, None)
    eph = ephemeral(w)
    pages = [(w.page, w.bob.pubkey())]
    reject(w, ix.close_inbox(w.alice.pubkey(), eph, pages), [w.alice], errors.PagesIncomplete.code)


def test_close_with_pages_in_the_wrong_order(chain: LocalChain) -> None:
    w = world(chain, None)
    eph = ephemeral(w, threads=33)
    p0, p1 = thread_page(eph, 0)[0], thread_page(eph, 1)[0]
    pages = [(p1, w.bob.pubkey()), (p0, w.bob.pubkey())]
    reject(w, ix.close_inbox(w.alice.pubkey(), eph, pages), [w.alice], errors.PagesIncomplete.code)


def test_close_with_a_page_twice(chain: LocalChain) -> None:
    # The first occurrence closes page 0 (now system-owned, empty), so the second fails its
    # owner check; the transaction is atomic, so page 0 is intact afterwards.
    w = world(chain, None)
    eph = ephemeral(w, threads=33)
    p0 = thread_page(eph, 0)[0]
    pages = [(p0, w.bob.pubkey()), (p0, w.bob.pubkey())]
    reject(
        w, ix.close_inbox(w.alice.pubkey(), eph, pages), [w.alice], errors.InvalidAccountOwner.code
    )


def test_close_by_stranger(chain: LocalChain) -> None:
    w = world(chain, None)
    eph = ephemeral(w)
    reject(
        w,
        ix.close_inbox(w.carol.pubkey(), eph, [(thread_page(eph, 0)[0], w.bob.pubkey())]),
        [w.carol],
        errors.Unauthorized.code,
    )


def test_create_inbox_twice(chain: LocalChain) -> None:
    w = world(chain)
    reject(
        w, ix.create_inbox(w.alice.pubkey(), 0), [w.alice], errors.AccountAlreadyInitialized.code
    )


def test_ephemeral_expiry_in_the_past(chain: LocalChain) -> None:
    w = world(chain)
    i = ix.create_inbox(w.alice.pubkey(), 4, kind=InboxKind.EPHEMERAL, expires_at=chain.now() - 1)
    reject(w, i, [w.alice], errors.InvalidExpiry.code)
