"""The main job (``solinbox demo`` / ``scripts/run``): a local inbox, end to end.

It loads the inbox program (the packaged build, or the one passed with ``--program-so``), starts
the localnet (JSON-RPC over LiteSVM
with the real Light programs) and the indexer (SQLite, Photon API) on free loopback ports, and
runs a scripted conversation with the client over HTTP: Alice opens an inbox whose payment rule
holds 0.01 SOL in escrow; Bob pays it to open a thread; they exchange encrypted replies; read
receipts, a reaction; Alice claims the escrow. Then it prints Alice's inbox, its history and
Bob's activity, read back through the Photon API, as tables (``--json`` for a machine-readable
summary).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solders.keypair import Keypair

from solinbox.client import InboxClient
from solinbox.indexer import Indexer, PhotonServer, SqliteStore
from solinbox.light.package import fetch_light_package
from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet
from solinbox.photon import PhotonReader
from solinbox.program import instructions as ix
from solinbox.program.binary import ProgramBinary, resolve_program
from solinbox.program.constants import REACTIONS, Side
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.records import Reaction

__all__ = ["run_demo"]

LAMPORTS_PER_SOL = 1_000_000_000


def run_demo(
    console: Console, *, program: ProgramBinary | None = None, quiet: bool = False
) -> dict[str, Any]:
    """Run the demo, printing to ``console`` (unless ``quiet``); return a JSON-able summary.

    Args:
        console: Where to print.
        program: The inbox program to load (default: :func:`resolve_program`, i.e. the
            packaged one unless ``$SOLINBOX_PROGRAM_SO`` names another).
        quiet: Print nothing.
    """
    say = (lambda *a, **k: None) if quiet else console.print
    binary = program or resolve_program()
    fetch_light_package(quiet=True, progress=not quiet)
    say(f"[green]✓[/] inbox program: {binary.describe()}")
    with tempfile.TemporaryDirectory(prefix="solinbox-demo-") as tmp:
        summary = asyncio.run(_conversation(binary.path, Path(tmp), console, say))
    summary["program"] = {"origin": binary.origin, "path": str(binary.path),
                          "size": binary.size, "sha256": binary.sha256}  # fmt: skip
    return summary


async def _conversation(so: Path, tmp: Path, console: Console, say: Any) -> dict[str, Any]:
    bank = Bank.create(programs={PROGRAM_ID: so}, finality_depth=1)
    store = SqliteStore(tmp / "index.sqlite")
    Indexer(store).attach(bank)
    async with (
        Localnet(bank, rpc_port=0, ws_port=0, slot_interval=0.05) as net,
        PhotonServer(store, port=0, rpc_url=net.rpc_url) as photon,
        AsyncClient(net.rpc_url, commitment=Confirmed) as rpc,
        PhotonReader(photon.url) as reader,
    ):
        say(
            f"[green]✓[/] localnet on {net.rpc_url} (PubSub {net.ws_url}); indexer + Photon API on {photon.url}"
        )

        def wallet(sol: float) -> InboxClient:
            kp = Keypair()
            bank.airdrop(kp.pubkey(), int(sol * LAMPORTS_PER_SOL))
            net.produce_block()
            return InboxClient(rpc, kp, photon=reader)

        alice, bob = wallet(2), wallet(2)
        names = {alice.me: "Alice", bob.me: "Bob"}
        fee = LAMPORTS_PER_SOL // 100
        steps: list[tuple[str, int | None]] = []
        with console.status("running the conversation", spinner="dots"):
            rule = ix.PaymentRuleInput(amount=fee, escrow=True, refund_after_secs=7 * 86_400)
            view = await alice.create_inbox(
                0, payment_rule=rule, metadata=("Alice", "https://alice.example")
            )
            steps.append(("Alice creates inbox 0 (0.01 SOL, escrowed)", None))
            thread = await bob.create_thread(
                alice.me, "Hi Alice! Could you review my grant proposal?"
            )
            steps.append(("Bob pays 0.01 SOL into escrow and opens thread 1", None))
            mine, his = alice.thread(thread.inbox, thread.id), bob.thread(thread.inbox, thread.id)
            for who, handle, text, reply_to in (
                ("Alice", mine, "Happy to. Send it over.", 1),
                ("Bob", his, "ipfs://bafy.../proposal.pdf", 2),
                ("Alice", mine, "Looks great - approved.", 3),
            ):
                result = await handle.send_message(text, reply_to=reply_to, encrypt=True)
                steps.append((f"{who} replies (sealed to the other side)", result.compute_units))
            await his.mark_read()
            steps.append(("Bob marks the thread read", None))
            await his.react(4, REACTIONS.index("🎉"))
            steps.append(("Bob reacts 🎉 to message 4", None))
            before = await rpc.get_balance(alice.me)
            claim = await mine.claim_escrow()
            after = await rpc.get_balance(alice.me)
            steps.append(("Alice claims the escrow", claim.compute_units))

        log = Table(
            title="what happened (over JSON-RPC, read back through the Photon API)",
            title_justify="left",
        )
        log.add_column("step")
        log.add_column("CU", justify="right")
        for label, cu in steps:
            log.add_row(label, f"{cu:,}" if cu else "")
        say(log)

        messages = await mine.load_messages(10, direction="forward", decrypt=True)
        reactions = [r for r in await alice.records() if isinstance(r, Reaction)]
        slot = await mine.load()
        state = (await alice.inbox_at(view.address)).state
        inbox_table = Table(title=f"Alice's inbox {view.address}", title_justify="left")
        for col in ("thread", "from", "messages", "unread (Alice)", "escrow"):
            inbox_table.add_column(col)
        for slot_row in await alice.load_threads(view.address, archived=None):
            inbox_table.add_row(str(slot_row.thread_id), names.get(slot_row.sender, str(slot_row.sender)), str(slot_row.message_count),
                                str(slot_row.unread(Side.OWNER)), f"{slot_row.escrow_state.name.lower()} ({slot_row.escrow_amount / LAMPORTS_PER_SOL} SOL)")  # fmt: skip
        say(inbox_table)

        thread_table = Table(title="thread 1 (decrypted by Alice)", title_justify="left")
        for col in ("seq", "from", "reply to", "sealed", "message"):
            thread_table.add_column(col)
        for m in messages:
            extra = "".join(
                f"  {REACTIONS[r.reaction]}" for r in reactions if r.seq == m.seq and r.added
            )
            thread_table.add_row(str(m.seq), names[m.sender], str(m.reply_to or ""), "yes" if m.encrypted else "no",
                                 m.content.decode() + extra)  # fmt: skip
        say(thread_table)

        history = await bob.activity().load_threads_across_history(10, include_last_message=True)
        activity_table = Table(
            title="Bob's activity (every inbox, from the indexer)", title_justify="left"
        )
        for col in ("inbox owner", "thread", "unread (Bob)", "last message seq"):
            activity_table.add_column(col)
        for t in history:
            activity_table.add_row(names.get(t.header.recipient, str(t.header.recipient)), str(t.header.thread_id),
                                   str(t.unread), str(t.last_message.seq if t.last_message else ""))  # fmt: skip
        say(activity_table)

        recent = await alice.history(view.address, limit=20)
        history_table = Table(
            title="Alice's inbox history (decoded by the indexer)",
            title_justify="left",
        )
        for col in ("slot", "instruction", "by", "thread", "events"):
            history_table.add_column(col)
        for item in recent:
            signer = names.get(item.signer, str(item.signer)) if item.signer else ""
            history_table.add_row(str(item.slot), item.instruction or "?", signer, str(item.thread_id or ""),
                                  ", ".join(e["name"] for e in item.events))  # fmt: skip
        say(history_table)

        return {
            "program_id": str(PROGRAM_ID),
            "history": [item.instruction for item in recent],
            "inbox": str(view.address),
            "threads": state.thread_count,
            "thread": {"id": thread.id, "from": str(bob.me), "to": str(alice.me)},
            "messages": [
                {
                    "seq": m.seq,
                    "sender": str(m.sender),
                    "encrypted": m.encrypted,
                    "content": m.content.decode(),
                }
                for m in messages
            ],
            "reactions": [{"seq": r.seq, "reaction": REACTIONS[r.reaction]} for r in reactions],
            "escrow": {
                "state": slot.escrow_state.name,
                "claimed": after.value - before.value + 5000,
            },
            "unread": {"alice": slot.unread(Side.OWNER), "bob": slot.unread(Side.SENDER)},
            "activity": [
                {
                    "recipient": str(t.header.recipient),
                    "thread": t.header.thread_id,
                    "unread": t.unread,
                }
                for t in history
            ],
            "indexed_accounts": store.count(),
        }
