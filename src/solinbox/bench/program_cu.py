"""Compute units of every inbox instruction, into a V1 state tree and a V2 output queue.

For each instruction: the transaction's total, the inbox program's invocation (which includes
its CPIs), the Light CPI's cost and the program's own share = the inbox invocation minus the
Light CPI. The Light CPI's cost is what the Light system program consumes plus what the runtime
charges the caller for the CPI itself: 1,000 CU per invoke and 1 CU per 250 bytes of account
data passed — for a V1 state tree (1,364,288 bytes) that alone is 5,457 CU.
Run with ``scripts/bench-program`` (``--json`` for machines).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.light.ids import STATE_TREES_V1, STATE_TREES_V2
from solinbox.program import instructions as ix
from solinbox.program.constants import InboxKind
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import TOKEN_PROGRAM_ID, inbox_address, thread_page, vault_address
from solinbox.testing import LocalChain, Sent

__all__ = ["CuRow", "measure", "program_share"]

_CONSUMED = re.compile(r"^Program (\S+) consumed (\d+) of")
#: What the runtime charges a caller per CPI, and per byte of account data passed.
CPI_BASE_COST = 1_000
CPI_BYTES_PER_UNIT = 250


@dataclass(frozen=True, slots=True)
class CuRow:
    """One measurement."""

    instruction: str
    tree: str
    total: int
    program: int
    light: int
    own: int


def program_share(sent: Sent, tree_bytes: int = 0) -> tuple[int, int]:
    """``(inbox invocation CU, Light CPI CU inside it)`` from the logs.

    ``tree_bytes`` is the output tree's account size, to add the CPI's serialization charge.
    """
    inbox = light = 0
    invokes = sum(
        1
        for line in sent.logs
        if line.startswith("Program SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7 invoke")
    )
    for line in sent.logs:
        m = _CONSUMED.match(line)
        if not m:
            continue
        if m.group(1) == str(PROGRAM_ID):
            inbox += int(m.group(2))
        elif m.group(1) == "SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7":
            light += int(m.group(2))
    light += invokes * (CPI_BASE_COST + tree_bytes // CPI_BYTES_PER_UNIT)
    return inbox, light


def measure(so: Path, tree_kind: str) -> list[CuRow]:
    """Run a scripted session and measure each instruction (``tree_kind``: "v1" or "v2")."""
    tree: Pubkey = STATE_TREES_V1[0].tree if tree_kind == "v1" else STATE_TREES_V2[0].output_queue
    chain = LocalChain(so)
    rows: list[CuRow] = []
    tree_bytes = len(chain.data(tree) or b"")

    def run(name: str, make: Callable[[], object], signer: Keypair) -> Sent:
        sent = chain.send(make(), signer)  # type: ignore[arg-type]
        program, light = program_share(sent, tree_bytes)
        rows.append(CuRow(name, tree_kind, sent.compute_units, program, light, program - light))
        return sent

    # fixed keys: PDA bump searches (and so the figures) are the same on every run
    alice, bob, carol = (chain.wallet(seed=bytes([n]) * 32) for n in (1, 2, 3))
    a, b, c = alice.pubkey(), bob.pubkey(), carol.pubkey()
    rule = ix.PaymentRuleInput(amount=100_000, escrow=True, refund_after_secs=60)
    run(
        "create_inbox (standard, SOL escrow rule)",
        lambda: ix.create_inbox(a, 0, name="alice", payment_rule=rule),
        alice,
    )
    inbox = inbox_address(a, 0)[0]
    run(
        "create_thread (new page, SOL escrow)",
        lambda: ix.create_thread(
            b,
            inbox,
            a,
            1,
            ix.MessageInput(b"hello " * 10),
            payment_amount=100_000,
            output_tree=tree,
        ),
        bob,
    )
    run(
        "create_thread (existing page, SOL escrow)",
        lambda: ix.create_thread(
            c,
            inbox,
            a,
            2,
            ix.MessageInput(b"hello " * 10),
            payment_amount=100_000,
            output_tree=tree,
        ),
        carol,
    )
    run(
        "send_message (60 B)",
        lambda: ix.send_message(
            a, inbox, 1, ix.MessageInput(b"reply " * 10), reply_to=1, output_tree=tree
        ),
        alice,
    )
    run(
        "send_message (600 B)",
        lambda: ix.send_message(b, inbox, 1, ix.MessageInput(b"x" * 600), output_tree=tree),
        bob,
    )
    run(
        "send_message (SOL tip)",
        lambda: ix.send_message(
            b, inbox, 1, ix.MessageInput(b"tip"), payment_amount=5000, recipient=a, output_tree=tree
        ),
        bob,
    )
    run("mark_read", lambda: ix.mark_read(a, inbox, 1, 3), alice)
    run("set_archived", lambda: ix.set_archived(a, inbox, 1, True), alice)
    run("react", lambda: ix.react(a, inbox, 1, 2, 0, output_tree=tree), alice)
    run("approve_escrow", lambda: ix.approve_escrow(b, inbox, 1), bob)
    run("claim_escrow (SOL)", lambda: ix.claim_escrow(a, inbox, 1), alice)
    chain.advance(61)
    run("refund_escrow (SOL)", lambda: ix.refund_escrow(c, inbox, 2), carol)
    run("block_sender", lambda: ix.block_sender(a, inbox, c), alice)
    run("unblock_sender", lambda: ix.unblock_sender(a, inbox, c), alice)
    run("set_inbox_metadata", lambda: ix.set_inbox_metadata(a, inbox, "alice", "https://a"), alice)
    run(
        "set_payment_rule",
        lambda: ix.set_payment_rule(a, inbox, ix.PaymentRuleInput(amount=1)),
        alice,
    )

    mint = chain.create_mint(6, address=Keypair.from_seed(bytes([4]) * 32).pubkey())
    trule = ix.PaymentRuleInput(amount=1_000_000, mint=mint, escrow=True, refund_after_secs=60)
    run(
        "create_inbox (token escrow rule)", lambda: ix.create_inbox(a, 1, payment_rule=trule), alice
    )
    tinbox = inbox_address(a, 1)[0]
    src = chain.create_token_account(
        b, mint, 10_000_000, address=Keypair.from_seed(bytes([5]) * 32).pubkey()
    )
    vault = chain.create_token_account(tinbox, mint, 0, address=vault_address(tinbox, mint))
    dst = chain.create_token_account(
        a, mint, 0, address=Keypair.from_seed(bytes([6]) * 32).pubkey()
    )
    run(
        "create_thread (new page, token escrow)",
        lambda: ix.create_thread(
            b,
            tinbox,
            a,
            1,
            ix.MessageInput(b"hi"),
            payment_amount=1_000_000,
            token=ix.TokenAccounts(mint, src, vault, TOKEN_PROGRAM_ID),
            output_tree=tree,
        ),
        bob,
    )
    run("approve_escrow", lambda: ix.approve_escrow(b, tinbox, 1), bob)
    run(
        "claim_escrow (token)",
        lambda: ix.claim_escrow(
            a, tinbox, 1, token=ix.TokenAccounts(mint, vault, dst, TOKEN_PROGRAM_ID)
        ),
        alice,
    )

    run("create_inbox (ephemeral)", lambda: ix.create_inbox(a, 2, kind=InboxKind.EPHEMERAL), alice)
    einbox = inbox_address(a, 2)[0]
    run(
        "create_thread (ephemeral, free)",
        lambda: ix.create_thread(b, einbox, a, 1, ix.MessageInput(b"yo"), output_tree=tree),
        bob,
    )
    run(
        "close_inbox (ephemeral, 1 page)",
        lambda: ix.close_inbox(a, einbox, [(thread_page(einbox, 0)[0], b)]),
        alice,
    )
    return rows


def rows_as_dicts(rows: list[CuRow]) -> list[dict[str, object]]:
    """JSON-friendly rows."""
    return [asdict(r) for r in rows]
