"""The main job (``solinbox demo`` / ``scripts/run``): a local inbox, end to end.

It builds the inbox program with our own pipeline, starts LiteSVM with the real Light Protocol
programs and trees, deploys the program through the BPF upgradeable loader, and runs a scripted
conversation between two wallets: Alice opens an inbox whose payment rule holds 0.01 SOL in
escrow; Bob pays it to open a thread; both reply; read marks, a reaction, and Alice claims the
escrow. Every message is a Light compressed account; the demo reads each one back from the
transaction, recomputes its Poseidon leaf hash, and prints the inbox and the thread as tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table
from solders.keypair import Keypair

from solinbox.build import build_program
from solinbox.build.cargo import repo_root
from solinbox.light.package import fetch_light_package
from solinbox.localnet.genesis import build_light_svm, light_accounts
from solinbox.localnet.svm import deploy_upgradeable
from solinbox.program import instructions as ix
from solinbox.program.constants import REACTIONS, EscrowState, Side
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import inbox_address
from solinbox.program.records import Message, Reaction, ThreadHeader
from solinbox.testing import LAMPORTS_PER_SOL, LocalChain, Sent

__all__ = ["run_demo"]


def _program_keypair(root: Path) -> Keypair:
    raw = json.loads((root / "programs/inbox/keys/inbox-keypair.json").read_text())
    return Keypair.from_bytes(bytes(raw))


def run_demo(console: Console, *, quiet: bool = False) -> dict[str, Any]:
    """Run the demo, printing to ``console`` (unless ``quiet``); return a JSON-able summary."""
    say = (lambda *a, **k: None) if quiet else console.print
    root = repo_root()
    summary: dict[str, Any] = {}

    with console.status("building programs/inbox (cargo → libLLVM → sBPF v0)", spinner="dots"):
        built = build_program("inbox", workspace=root)
    say(
        f"[green]✓[/] built {built.so_path.name}: {built.size:,} bytes, sha256 {built.sha256[:16]}…"
    )
    summary["build"] = {"size": built.size, "sha256": built.sha256}

    with console.status("loading the pinned Light Protocol programs", spinner="dots"):
        package = fetch_light_package(quiet=True)
        svm = build_light_svm(package=package)
    say(
        f"[green]✓[/] LiteSVM with Light {package.version}: 5 programs, {len(light_accounts(package))} accounts"
    )

    deployer = Keypair()
    svm.airdrop(deployer.pubkey(), 10 * LAMPORTS_PER_SOL)
    so = built.so_path.read_bytes()
    with Progress(TextColumn("deploying through the upgradeable loader"), BarColumn(), DownloadColumn(),
                  console=console, disable=quiet, transient=True) as progress:  # fmt: skip
        task = progress.add_task("deploy", total=len(so))
        program = _program_keypair(root)
        deploy_upgradeable(
            svm,
            deployer,
            program,
            so,
            on_progress=lambda done, _: progress.update(task, completed=done),
        )
    say(f"[green]✓[/] deployed the inbox program at {PROGRAM_ID}")
    summary["program_id"] = str(PROGRAM_ID)

    chain = LocalChain(svm=svm)
    alice, bob = chain.wallet(5), chain.wallet(5)
    a, b = alice.pubkey(), bob.pubkey()
    steps: list[tuple[str, Sent]] = []
    fee = LAMPORTS_PER_SOL // 100
    rule = ix.PaymentRuleInput(amount=fee, escrow=True, refund_after_secs=7 * 86_400)
    steps.append(
        (
            "Alice creates inbox 0 (0.01 SOL, escrowed)",
            chain.send(
                ix.create_inbox(a, 0, name="Alice", uri="https://alice.example", payment_rule=rule),
                alice,
            ),
        )
    )
    inbox = inbox_address(a, 0)[0]
    opening = chain.send(
        ix.create_thread(
            b,
            inbox,
            a,
            1,
            ix.MessageInput(b"Hi Alice! Could you review my grant proposal?"),
            payment_amount=fee,
        ),
        bob,
    )
    steps.append(("Bob pays and opens thread 1", opening))
    conversation = [
        (alice, b"Happy to. Send it over.", 1),
        (bob, b"ipfs://bafy.../proposal.pdf", 2),
        (alice, b"Looks great - approved.", 3),
    ]
    for who, text, reply_to in conversation:
        label = f"{'Alice' if who is alice else 'Bob'} replies"
        steps.append(
            (
                label,
                chain.send(
                    ix.send_message(
                        who.pubkey(), inbox, 1, ix.MessageInput(text), reply_to=reply_to
                    ),
                    who,
                ),
            )
        )
    steps.append(("Bob marks the thread read", chain.send(ix.mark_read(b, inbox, 1, 4), bob)))
    steps.append(
        (
            "Bob reacts 🎉 to message 4",
            chain.send(ix.react(b, inbox, 1, 4, REACTIONS.index("🎉")), bob),
        )
    )
    before = chain.balance(a)
    steps.append(("Alice claims the escrow", chain.send(ix.claim_escrow(a, inbox, 1), alice)))
    claimed = chain.balance(a) - before + 5000

    log = Table(title="what happened", title_justify="left")
    for col, just in (("step", "left"), ("CU", "right"), ("compressed records written", "left")):
        log.add_column(col, justify=just)  # type: ignore[arg-type]
    records: list[object] = []
    for label, sent in steps:
        outs = sent.outputs()
        recs = sent.records()
        records += recs
        where = ", ".join(
            f"{type(r).__name__} → leaf {o.leaf_index}" for r, o in zip(recs, outs, strict=False)
        )
        log.add_row(label, f"{sent.compute_units:,}", where or "—")
    say(log)

    state = chain.inbox(inbox)
    slot = chain.thread(inbox, 1)
    info = Table(title=f"inbox {inbox} (owner Alice)", title_justify="left", show_header=False)
    info.add_row("name / uri", f"{state.name} / {state.uri}")
    info.add_row("threads", str(state.thread_count))
    info.add_row(
        "escrow",
        f"{slot.escrow_state.name.lower()} ({slot.escrow_amount / LAMPORTS_PER_SOL} SOL, {claimed / LAMPORTS_PER_SOL} SOL to Alice)",
    )
    info.add_row("unread", f"Alice {slot.unread(Side.OWNER)}, Bob {slot.unread(Side.SENDER)}")
    say(info)

    thread = Table(title="thread 1, read back from the compressed records", title_justify="left")
    for col in ("seq", "from", "reply to", "message"):
        thread.add_column(col)
    names = {a: "Alice", b: "Bob"}
    messages = [r for r in records if isinstance(r, Message)]
    reactions = [r for r in records if isinstance(r, Reaction)]
    for m in messages:
        extra = "".join(
            f"  {REACTIONS[r.reaction]}" for r in reactions if r.seq == m.seq and r.added
        )
        thread.add_row(
            str(m.seq), names[m.sender], str(m.reply_to or ""), m.content.decode() + extra
        )
    say(thread)

    header = next(r for r in records if isinstance(r, ThreadHeader))
    summary.update(
        inbox=str(inbox),
        thread={
            "id": 1,
            "from": str(header.sender),
            "to": str(header.recipient),
            "paid": header.payment.amount,
        },
        messages=[
            {"seq": m.seq, "sender": str(m.sender), "content": m.content.decode()} for m in messages
        ],
        reactions=[{"seq": r.seq, "reaction": REACTIONS[r.reaction]} for r in reactions],
        escrow={"state": slot.escrow_state.name, "claimed": claimed},
        unread={"alice": slot.unread(Side.OWNER), "bob": slot.unread(Side.SENDER)},
        compute_units={label: sent.compute_units for label, sent in steps},
        verified_leaves=sum(len(sent.outputs()) for _, sent in steps),
    )
    assert slot.escrow_state == EscrowState.CLAIMED
    return summary
