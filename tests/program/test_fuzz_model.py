"""Property / fuzz test: random instruction inputs and sequences against the real program.

A Python model of the protocol predicts whether each generated instruction succeeds; after
every step the test checks: the prediction (any disagreement fails with the seed and step),
funds conserved exactly (every tracked account's lamports + the fees paid is constant), counters
monotonic (thread_count, message_count, read marks), escrow states only move along allowed
edges, ``open_escrows`` = the number of Held/Released slots, the touched thread's slot equals the
model's, every successful Light write's records decode and match what was sent, and no step ever
panics the program. The byte-level part mutates valid instruction data (bit flips, byte
replacements, truncation, extension, random bytes) of every instruction; the model decodes the
mutated bytes itself, so a mutation succeeds only when it is a valid input.
"""

from __future__ import annotations

import random
import struct
import time
from dataclasses import dataclass, field

import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.program import instructions as ix
from solinbox.program.constants import EscrowState, InboxKind, Side
from solinbox.program.discriminators import instruction_discriminator
from solinbox.program.pda import block_marker, inbox_address, thread_page
from solinbox.program.records import Message, Reaction, ThreadHeader
from solinbox.testing import LocalChain
from solinbox.testing.chain import TransactionFailed

SEED = 20261123
STEPS = 10_500
FEE = 5000
TREE = ix.DEFAULT_OUTPUT_TREE
MAX_CONTENT = 1024
U64 = 2**64 - 1
PANIC_MARKERS = ("panicked", "ProgramFailedToComplete")
ALLOWED_EDGES = {
    (EscrowState.HELD, EscrowState.RELEASED),
    (EscrowState.HELD, EscrowState.CLAIMED),
    (EscrowState.HELD, EscrowState.REFUNDED),
    (EscrowState.RELEASED, EscrowState.CLAIMED),
}
NAMES = (
    "mark_read", "set_archived", "approve_escrow", "claim_escrow", "refund_escrow",
    "block_sender", "unblock_sender", "react", "send_message", "create_thread",
)  # fmt: skip
DISCS = {instruction_discriminator(n): n for n in NAMES}


class ParseError(Exception):
    """The bytes are not a valid encoding of the instruction's arguments."""


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ParseError
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def int(self, fmt: str) -> int:
        raw = self.take(struct.calcsize(fmt))
        return int(struct.unpack("<" + fmt, raw)[0])

    def bool(self) -> bool:
        v = self.int("B")
        if v > 1:
            raise ParseError
        return bool(v)

    def finish(self) -> None:
        if self.pos != len(self.data):
            raise ParseError


def parse(name: str, data: bytes) -> dict[str, object]:
    """Decode ``data`` (after the discriminator) the way the program does; ParseError if invalid."""
    r = Reader(data)
    a: dict[str, object] = {}
    if name in ("block_sender", "unblock_sender"):
        a["sender"] = Pubkey.from_bytes(r.take(32))
    elif name == "create_thread":
        a["expected"], a["amount"] = r.int("Q"), r.int("Q")
    else:
        a["tid"] = r.int("Q")
    if name == "mark_read":
        a["seq"] = r.int("I")
    elif name == "set_archived":
        a["archived"] = r.bool()
    elif name == "react":
        a["seq"], a["reaction"], a["added"] = r.int("I"), r.int("B"), r.bool()
    elif name == "send_message":
        a["reply_to"], a["amount"] = r.int("I"), r.int("Q")
    if name in ("send_message", "create_thread"):
        a["mtype"], a["other"], a["flags"] = r.int("B"), r.int("H"), r.int("B")
        a["content"] = r.take(r.int("I"))
    r.finish()
    return a


def message_valid(a: dict[str, object]) -> bool:
    mtype, other, flags, content = a["mtype"], a["other"], a["flags"], a["content"]
    assert isinstance(mtype, int) and isinstance(other, int) and isinstance(flags, int)
    assert isinstance(content, bytes)
    type_ok = mtype <= 5 and (mtype == 5 or other == 0)
    return type_ok and flags & ~1 == 0 and len(content) <= MAX_CONTENT


@dataclass
class Slot:
    sender: Pubkey
    message_count: int = 1
    read_sender: int = 1
    read_owner: int = 0
    arch_sender: bool = False
    arch_owner: bool = False
    replied: bool = False
    escrow: EscrowState = EscrowState.NONE
    amount: int = 0
    refund_at: int = 0


@dataclass
class InboxModel:
    key: Pubkey
    owner: Keypair
    kind: InboxKind
    expires_at: int
    rule: ix.PaymentRuleInput | None
    threads: list[Slot] = field(default_factory=list)
    blocked: set[Pubkey] = field(default_factory=set)

    def open_escrows(self) -> int:
        return sum(s.escrow in (EscrowState.HELD, EscrowState.RELEASED) for s in self.threads)


@dataclass
class Attempt:
    """One generated transaction: the instruction, its signer, how to judge it."""

    name: str
    instruction: Instruction
    signer: Keypair
    inbox: InboxModel
    page_index: int  # the page account passed (-1: none)
    extra: dict[str, object] = field(default_factory=dict)


class Fuzzer:
    def __init__(self, chain: LocalChain, seed: int) -> None:
        self.chain, self.rng, self.seed = chain, random.Random(seed), seed
        self.wallets = [chain.wallet(100, seed=bytes([i + 1]) * 32) for i in range(4)]
        a, b = self.wallets[0], self.wallets[1]
        now = chain.now()
        specs = [
            (a, 0, InboxKind.STANDARD, 0, ix.PaymentRuleInput(10_000, escrow=True, refund_after_secs=30)),
            (a, 1, InboxKind.STANDARD, 0, None),
            (a, 2, InboxKind.EPHEMERAL, now + 2_500, None),
            (b, 0, InboxKind.STANDARD, 0, ix.PaymentRuleInput(7_000)),
        ]  # fmt: skip
        self.inboxes: list[InboxModel] = []
        for owner, iid, kind, expires, rule in specs:
            chain.send(
                ix.create_inbox(
                    owner.pubkey(), iid, kind=kind, expires_at=expires, payment_rule=rule
                ),
                owner,
            )
            key = inbox_address(owner.pubkey(), iid)[0]
            self.inboxes.append(InboxModel(key, owner, kind, expires, rule))
        self.tracked: list[Pubkey] = [w.pubkey() for w in self.wallets] + [TREE]
        for m in self.inboxes:
            self.tracked.append(m.key)
            self.tracked += [thread_page(m.key, p)[0] for p in range(16)]
            self.tracked += [block_marker(m.key, w.pubkey())[0] for w in self.wallets]
        self.fees = 0
        self.total = self.lamports()
        self.successes = 0
        self.failures = 0
        self.mutations = 0
        self.light_writes = 0
        self.succeeded: set[str] = set()

    # -- observation ------------------------------------------------------------------------
    def lamports(self) -> int:
        return sum(self.chain.balance(k) for k in self.tracked)

    def chain_slots(self, m: InboxModel) -> list[object]:
        return [self.chain.thread(m.key, t) for t in range(1, len(m.threads) + 1)]

    # -- generation -------------------------------------------------------------------------
    def pick_tid(self, m: InboxModel) -> int:
        r = self.rng.random()
        n = len(m.threads)
        if r < 0.8 and n:
            return self.rng.randint(1, n)
        if r < 0.9:
            return self.rng.choice([0, n + 1, n + 2, 33, U64])
        return self.rng.randint(0, 70)

    def pick_signer(self, m: InboxModel, tid: int, bias: str) -> Keypair:
        if self.rng.random() < 0.75 and 1 <= tid <= len(m.threads):
            slot = m.threads[tid - 1]
            if bias == "owner":
                return m.owner
            if bias == "sender":
                return next(w for w in self.wallets if w.pubkey() == slot.sender)
            return self.rng.choice(
                [m.owner, *[w for w in self.wallets if w.pubkey() == slot.sender]]
            )
        return self.rng.choice(self.wallets)

    def page_for(self, m: InboxModel, tid: int) -> int:
        return (tid - 1) // 32 if 1 <= tid <= 32 * 15 else self.rng.randint(0, 2)

    def content(self) -> bytes:
        n = self.rng.choice([0, 1, 5, 40, self.rng.randint(0, 300)])
        return self.rng.randbytes(n)

    def generate(self, name: str) -> Attempt:
        rng, m = self.rng, self.rng.choice(self.inboxes)
        tid = self.pick_tid(m)
        page_index = self.page_for(m, tid)
        n = len(m.threads)
        mc = m.threads[tid - 1].message_count if 1 <= tid <= n else 1
        wanted, tid = tid, tid if 1 <= tid <= 32 * 15 else page_index * 32 + 1
        if name == "mark_read":
            signer = self.pick_signer(m, tid, "any")
            seq = rng.choice([rng.randint(1, mc), rng.randint(0, mc + 2), 0, 2**32 - 1])
            i = ix.mark_read(signer.pubkey(), m.key, tid, seq)
        elif name == "set_archived":
            signer = self.pick_signer(m, tid, "any")
            i = ix.set_archived(signer.pubkey(), m.key, tid, rng.random() < 0.5)
        elif name == "approve_escrow":
            signer = self.pick_signer(m, tid, "sender")
            i = ix.approve_escrow(signer.pubkey(), m.key, tid)
        elif name == "claim_escrow":
            signer = self.pick_signer(m, tid, "owner")
            i = ix.claim_escrow(signer.pubkey(), m.key, tid)
        elif name == "refund_escrow":
            signer = self.pick_signer(m, tid, "sender")
            i = ix.refund_escrow(signer.pubkey(), m.key, tid)
        elif name in ("block_sender", "unblock_sender"):
            signer = m.owner if rng.random() < 0.85 else rng.choice(self.wallets)
            target = rng.choice(self.wallets).pubkey()
            build = ix.block_sender if name == "block_sender" else ix.unblock_sender
            i = build(signer.pubkey(), m.key, target)
            page_index = -1
        elif name == "react":
            signer = self.pick_signer(m, tid, "any")
            seq = rng.choice([rng.randint(1, mc), 0, mc + 1])
            reaction = rng.choice([rng.randint(0, 9), rng.randint(0, 12)])
            i = ix.react(signer.pubkey(), m.key, tid, seq, reaction, added=rng.random() < 0.8)
        elif name == "send_message":
            signer = self.pick_signer(m, tid, "any")
            reply_to = rng.choice([0, 0, rng.randint(0, mc + 1)])
            amount, recipient = 0, None
            if rng.random() < 0.2 and 1 <= tid <= n:
                amount = rng.randint(1, 5_000)
                slot = m.threads[tid - 1]
                other = m.owner.pubkey() if signer.pubkey() != m.owner.pubkey() else slot.sender
                recipient = other if rng.random() < 0.85 else rng.choice(self.wallets).pubkey()
            i = ix.send_message(
                signer.pubkey(), m.key, tid, ix.MessageInput(self.content()),
                reply_to=reply_to, payment_amount=amount, recipient=recipient,
            )  # fmt: skip
        else:  # create_thread
            signer = rng.choice(self.wallets)
            tid = n + 1 if rng.random() < 0.85 else rng.randint(1, n + 2)
            page_index = (tid - 1) // 32
            expected = rng.choice([tid, tid, 0, n + 1, rng.randint(0, n + 3)])
            need = m.rule.amount if m.rule else 0
            amount = rng.choice([need, need, need + rng.randint(0, 999), max(need - 1, 0), 0])
            i = ix.create_thread(
                signer.pubkey(), m.key, m.owner.pubkey(), tid, ix.MessageInput(self.content()),
                payment_amount=amount, expected_thread_id=expected,
            )  # fmt: skip
            if rng.random() < 0.05:  # a wrong owner wallet for the direct payment
                metas = list(i.accounts)
                metas[5] = ix._w(rng.choice(self.wallets).pubkey())
                i = Instruction(i.program_id, i.data, metas)
        if wanted != tid and name not in ("create_thread", "block_sender", "unblock_sender"):
            # The builders derive the page from the id; the id itself may be out of any page.
            data = bytes(i.data[:8]) + struct.pack("<Q", wanted) + bytes(i.data[16:])
            i = Instruction(i.program_id, data, list(i.accounts))
        return Attempt(name, i, signer, m, page_index)

    def mutate(self, data: bytes) -> bytes:
        rng, out = self.rng, bytearray(data)
        kind = rng.randrange(6)
        if kind == 0:
            for _ in range(rng.randint(1, 3)):
                pos = rng.randrange(len(out))
                out[pos] ^= 1 << rng.randrange(8)
        elif kind == 1 and len(out) > 8:
            out[rng.randrange(8, len(out))] = rng.randrange(256)
        elif kind == 2:
            del out[rng.randrange(len(out)) :]
        elif kind == 3:
            out += rng.randbytes(rng.randint(1, 4))
        elif kind == 4:
            out = bytearray(out[:8] + rng.randbytes(rng.randint(0, len(out) + 4)))
        else:
            out = bytearray(rng.randbytes(rng.randint(0, 64)))
        return bytes(out)

    # -- the model --------------------------------------------------------------------------
    def predict(self, at: Attempt) -> tuple[bool, dict[str, object]]:
        data = bytes(at.instruction.data)
        if len(data) < 8 or DISCS.get(data[:8]) != at.name:
            return False, {}
        try:
            a = parse(at.name, data[8:])
        except ParseError:
            return False, {}
        m, signer, now = at.inbox, at.signer.pubkey(), self.chain.now()
        name = at.name
        if name in ("send_message", "create_thread") and not message_valid(a):
            return False, a
        if name == "create_thread":
            return self.predict_create(at, a, now), a
        if name in ("block_sender", "unblock_sender"):
            target = a["sender"]
            assert isinstance(target, Pubkey)
            marker = at.instruction.accounts[2].pubkey
            if signer != m.owner.pubkey() or marker != block_marker(m.key, target)[0]:
                return False, a
            return (target not in m.blocked) == (name == "block_sender"), a
        if name == "claim_escrow" and signer != m.owner.pubkey():
            return False, a
        if name == "send_message" and m.expires_at and now >= m.expires_at:
            return False, a
        tid = a["tid"]
        assert isinstance(tid, int)
        if not 1 <= tid <= len(m.threads) or (tid - 1) // 32 != at.page_index:
            return False, a
        slot = m.threads[tid - 1]
        side = Side.SENDER if signer == slot.sender else Side.OWNER
        if signer not in (slot.sender, m.owner.pubkey()):
            return False, a
        if name in ("mark_read", "react"):
            seq = a["seq"]
            assert isinstance(seq, int)
            if not 1 <= seq <= slot.message_count:
                return False, a
            if name == "react":
                reaction = a["reaction"]
                assert isinstance(reaction, int)
                return reaction < 10, a
            return True, a
        if name == "set_archived":
            return True, a
        if name == "approve_escrow":
            return side == Side.SENDER and slot.escrow == EscrowState.HELD, a
        if name == "claim_escrow":
            if slot.escrow == EscrowState.RELEASED:
                return True, a
            return slot.escrow == EscrowState.HELD and slot.replied, a
        if name == "refund_escrow":
            ok = side == Side.SENDER and slot.escrow == EscrowState.HELD and not slot.replied
            return ok and now >= slot.refund_at, a
        # send_message
        reply_to, amount = a["reply_to"], a["amount"]
        assert isinstance(reply_to, int) and isinstance(amount, int)
        if reply_to > slot.message_count:
            return False, a
        if amount:
            other = m.owner.pubkey() if side == Side.SENDER else slot.sender
            recipient = at.instruction.accounts[4].pubkey
            if recipient != other or amount + FEE > self.chain.balance(signer):
                return False, a
        return True, a

    def predict_create(self, at: Attempt, a: dict[str, object], now: int) -> bool:
        m, signer = at.inbox, at.signer.pubkey()
        expected, amount = a["expected"], a["amount"]
        assert isinstance(expected, int) and isinstance(amount, int)
        tid = len(m.threads) + 1
        if m.expires_at and now >= m.expires_at:
            return False
        if signer == m.owner.pubkey() or signer in m.blocked:
            return False
        if expected not in (0, tid) or at.page_index != (tid - 1) // 32:
            return False
        if m.kind == InboxKind.EPHEMERAL and tid > 256:
            return False
        if m.rule and amount < m.rule.amount:
            return False
        if amount + 10**7 > self.chain.balance(signer):  # the payment (+ fee, page rent) exceeds it
            return False
        escrow = m.rule is not None and m.rule.escrow
        return not (amount and not escrow and at.instruction.accounts[5].pubkey != m.owner.pubkey())

    def apply(self, at: Attempt, a: dict[str, object], records: list[object]) -> None:
        m, signer, now, name = at.inbox, at.signer.pubkey(), self.chain.now(), at.name
        if name == "block_sender":
            m.blocked.add(a["sender"])  # type: ignore[arg-type]
            return
        if name == "unblock_sender":
            m.blocked.discard(a["sender"])  # type: ignore[arg-type]
            return
        if name == "create_thread":
            amount = a["amount"]
            assert isinstance(amount, int)
            slot = Slot(sender=signer)
            if m.rule and m.rule.escrow:
                slot.escrow, slot.amount = EscrowState.HELD, amount
                slot.refund_at = now + m.rule.refund_after_secs
            m.threads.append(slot)
            header, first = records
            assert isinstance(header, ThreadHeader) and isinstance(first, Message)
            assert (header.inbox, header.thread_id, header.sender, header.recipient) == (
                m.key, len(m.threads), signer, m.owner.pubkey()
            )  # fmt: skip
            assert (first.seq, first.sender, first.content, first.message_type) == (
                1, signer, a["content"], a["mtype"]
            )  # fmt: skip
            return
        tid = a["tid"]
        assert isinstance(tid, int)
        slot = m.threads[tid - 1]
        side = Side.SENDER if signer == slot.sender else Side.OWNER
        if name == "mark_read":
            seq = a["seq"]
            assert isinstance(seq, int)
            if side == Side.SENDER:
                slot.read_sender = max(slot.read_sender, seq)
            else:
                slot.read_owner = max(slot.read_owner, seq)
        elif name == "set_archived":
            if side == Side.SENDER:
                slot.arch_sender = bool(a["archived"])
            else:
                slot.arch_owner = bool(a["archived"])
        elif name == "approve_escrow":
            slot.escrow = EscrowState.RELEASED
        elif name == "claim_escrow":
            slot.escrow = EscrowState.CLAIMED
        elif name == "refund_escrow":
            slot.escrow = EscrowState.REFUNDED
        elif name == "react":
            (reaction,) = records
            assert isinstance(reaction, Reaction)
            assert (reaction.thread_id, reaction.seq, reaction.side, reaction.reactor) == (
                tid, a["seq"], side, signer
            )  # fmt: skip
            assert (reaction.reaction, reaction.added) == (a["reaction"], a["added"])
        else:  # send_message
            slot.message_count += 1
            if side == Side.SENDER:
                slot.read_sender = slot.message_count
            else:
                slot.read_owner = slot.message_count
                slot.replied = True
            (message,) = records
            assert isinstance(message, Message)
            assert (message.thread_id, message.seq, message.sender, message.sender_side) == (
                tid, slot.message_count, signer, side
            )  # fmt: skip
            assert (message.content, message.reply_to, message.flags) == (
                a["content"], a["reply_to"], a["flags"]
            )  # fmt: skip

    # -- one step ---------------------------------------------------------------------------
    def step(self, n: int, at: Attempt) -> None:
        where = f"seed={self.seed} step={n} {at.name}"
        expected, args = self.predict(at)
        before = self.chain_slots(at.inbox) if at.inbox.threads else []
        count_before = self.chain.inbox(at.inbox.key).thread_count
        records: list[object] = []
        try:
            sent = self.chain.send(at.instruction, at.signer)
            ok, logs = True, sent.logs
            if at.name in ("create_thread", "send_message", "react"):
                records = list(sent.records())
                self.light_writes += 1
        except TransactionFailed as failure:
            ok, logs = False, failure.logs
            text = str(failure.err) + "\n".join(failure.logs)
            assert not any(p in text for p in PANIC_MARKERS), f"{where}: panic\n{text}"
        self.fees += FEE
        assert ok == expected, f"{where}: model predicted {expected}, chain {ok}\n" + "\n".join(
            logs[-8:]
        )
        if ok:
            self.successes += 1
            self.succeeded.add(at.name)
            self.apply(at, args, records)
        else:
            self.failures += 1
        self.check(where, at.inbox, before, count_before)

    def check(self, where: str, m: InboxModel, before: list[object], count_before: int) -> None:
        assert self.lamports() + self.fees == self.total, f"{where}: lamports not conserved"
        state = self.chain.inbox(m.key)
        assert state.thread_count == len(m.threads) >= count_before, where
        assert state.open_escrows == m.open_escrows(), where
        after = self.chain_slots(m)
        for i, (slot, model) in enumerate(zip(after, m.threads, strict=True)):
            got = (
                slot.sender, slot.message_count, slot.read_by_sender, slot.read_by_owner,  # type: ignore[attr-defined]
                slot.archived_by_sender, slot.archived_by_owner, slot.owner_replied,  # type: ignore[attr-defined]
                slot.escrow_state, slot.escrow_amount,  # type: ignore[attr-defined]
            )  # fmt: skip
            want = (
                model.sender, model.message_count, model.read_sender, model.read_owner,
                model.arch_sender, model.arch_owner, model.replied, model.escrow, model.amount,
            )  # fmt: skip
            assert got == want, f"{where}: thread {i + 1} {got} != model {want}"
            if i < len(before):
                old = before[i]
                assert slot.message_count >= old.message_count, where  # type: ignore[attr-defined]
                assert slot.read_by_sender >= old.read_by_sender, where  # type: ignore[attr-defined]
                assert slot.read_by_owner >= old.read_by_owner, where  # type: ignore[attr-defined]
                edge = (old.escrow_state, slot.escrow_state)  # type: ignore[attr-defined]
                assert edge[0] == edge[1] or edge in ALLOWED_EDGES, f"{where}: escrow {edge}"


CHEAP = ("mark_read", "set_archived", "approve_escrow", "claim_escrow", "refund_escrow")
WEIGHTS = {
    "mark_read": 20, "set_archived": 12, "approve_escrow": 8, "claim_escrow": 8,
    "refund_escrow": 8, "block_sender": 3, "unblock_sender": 3, "react": 2,
    "send_message": 5, "create_thread": 4,
}  # fmt: skip


@pytest.mark.slow
def test_fuzz_sequences_and_bytes(chain: LocalChain) -> None:
    started = time.monotonic()
    fz = Fuzzer(chain, SEED)
    rng = fz.rng
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    for n in range(STEPS):
        roll = rng.random()
        if roll < 0.03:
            chain.advance(rng.randint(1, 40))
            continue
        if roll < 0.30:
            # Byte-level: a mutated (or random) version of a valid instruction of any kind; Light
            # writers less often.
            name = rng.choice(names if rng.random() < 0.25 else (*CHEAP, "block_sender"))
            at = fz.generate(name)
            at.instruction = Instruction(
                at.instruction.program_id,
                fz.mutate(bytes(at.instruction.data)),
                list(at.instruction.accounts),
            )
            fz.mutations += 1
        else:
            at = fz.generate(rng.choices(names, weights)[0])
        fz.step(n, at)
    elapsed = time.monotonic() - started
    attempts = fz.successes + fz.failures
    print(
        f"fuzz: {attempts} transactions ({fz.successes} ok, {fz.failures} rejected, "
        f"{fz.mutations} byte mutations, {fz.light_writes} Light writes) in {elapsed:.1f}s"
    )
    assert attempts >= 10_000
    # The generator must exercise both outcomes broadly, and every model branch.
    assert fz.successes > 2_000 and fz.failures > 2_000 and fz.light_writes > 300
    assert set(WEIGHTS) <= fz.succeeded, f"never succeeded: {set(WEIGHTS) - fz.succeeded}"
