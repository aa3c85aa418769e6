"""The main job (``solinbox demo`` / ``scripts/run``).

For now it shows the foundation working end to end: build the inbox program with our own
pipeline, start a LiteSVM with the real Light Protocol programs and trees, deploy the program
through the BPF upgradeable loader, call it, and write compressed accounts into a V1 state tree
and a V2 output queue, checking every leaf hash by recomputing it in Python. Later stages grow
it into the full scripted conversation (localnet + indexer + client).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import MessageV0
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata, TransactionMetadata

from solinbox.build import build_program
from solinbox.build.cargo import repo_root
from solinbox.light import STATE_TREES_V1, STATE_TREES_V2, invoke_compress_sol, outputs_from_litesvm
from solinbox.light.package import fetch_light_package
from solinbox.localnet.genesis import build_light_svm, light_accounts
from solinbox.localnet.svm import deploy_upgradeable

__all__ = ["run_demo"]

LAMPORTS_PER_SOL = 1_000_000_000


def _program_keypair(root: Path) -> Keypair:
    raw = json.loads((root / "programs/inbox/keys/inbox-keypair.json").read_text())
    return Keypair.from_bytes(bytes(raw))


def _send(
    svm: LiteSVM, ix: Instruction, payer: Keypair
) -> tuple[VersionedTransaction, TransactionMetadata | FailedTransactionMetadata]:
    msg = MessageV0.try_compile(payer.pubkey(), [ix], [], svm.latest_blockhash())
    tx = VersionedTransaction(msg, [payer])
    result = svm.send_transaction(tx)
    svm.expire_blockhash()
    return tx, result


def run_demo(console: Console, *, quiet: bool = False) -> dict[str, Any]:
    """Run the demo, printing tables to ``console`` (unless ``quiet``); return a summary."""
    say = (lambda *a, **k: None) if quiet else console.print
    root = repo_root()
    summary: dict[str, Any] = {}

    with console.status("building programs/inbox (cargo → libLLVM → sBPF v0)", spinner="dots"):
        built = build_program("inbox", workspace=root)
    say(
        f"[green]✓[/] built {built.so_path.name}: {built.size:,} bytes, sha256 {built.sha256[:16]}…"
    )
    summary["build"] = {"size": built.size, "sha256": built.sha256, "seconds": built.seconds}

    with console.status("verifying the pinned Light Protocol programs", spinner="dots"):
        package = fetch_light_package(quiet=True)
        svm = build_light_svm(package=package)
    accounts = light_accounts(package)
    say(f"[green]✓[/] LiteSVM with Light {package.version}: 5 programs, {len(accounts)} accounts")
    summary["light"] = {"version": package.version, "accounts": len(accounts)}

    payer = Keypair()
    svm.airdrop(payer.pubkey(), 100 * LAMPORTS_PER_SOL)
    program = _program_keypair(root)
    so = built.so_path.read_bytes()
    with Progress(
        TextColumn("deploying through the upgradeable loader"),
        BarColumn(),
        DownloadColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("deploy", total=len(so))
        deploy_upgradeable(
            svm,
            payer,
            program,
            so,
            on_progress=lambda done, _t: progress.update(task, completed=done),
        )
    say(f"[green]✓[/] deployed inbox at {program.pubkey()}")
    summary["program_id"] = str(program.pubkey())

    calls = Table(title="calling the inbox program", title_justify="left")
    calls.add_column("instruction data")
    calls.add_column("result")
    calls.add_column("CU", justify="right")
    results = []
    for label, data in (
        ("(empty)", b""),
        ("unknown discriminator", bytes(8)),
        ("create_inbox discriminator", bytes([217, 134, 249, 100, 35, 95, 26, 130])),
    ):
        _, res = _send(svm, Instruction(program.pubkey(), data, []), payer)
        outcome = str(res.err()) if isinstance(res, FailedTransactionMetadata) else "ok"
        cu = (
            res.meta() if isinstance(res, FailedTransactionMetadata) else res
        ).compute_units_consumed()
        calls.add_row(label, outcome, str(cu))
        results.append({"call": label, "result": outcome, "cu": cu})
    say(calls)
    summary["calls"] = results

    leaves = Table(title="compressing 1 SOL into each kind of tree", title_justify="left")
    for col in ("tree", "kind", "leaf index", "leaf hash", "recomputed", "CU"):
        leaves.add_column(col)
    outputs = []
    for kind, tree in (
        ("V1 state tree", STATE_TREES_V1[0].tree),
        ("V2 output queue", STATE_TREES_V2[0].output_queue),
    ):
        tx, res = _send(svm, invoke_compress_sol(payer.pubkey(), LAMPORTS_PER_SOL, tree), payer)
        if isinstance(res, FailedTransactionMetadata):
            raise RuntimeError(f"compress into {tree} failed: {res.err()}")
        for out in outputs_from_litesvm(tx, res):
            ok = out.compute_hash() == out.hash
            leaves.add_row(str(out.queue)[:8] + "…", kind, str(out.leaf_index), out.hash.hex()[:16] + "…",
                           "[green]match[/]" if ok else "[red]MISMATCH[/]", str(res.compute_units_consumed()))  # fmt: skip
            outputs.append(
                {
                    "tree": str(out.tree),
                    "leaf_index": out.leaf_index,
                    "hash": out.hash.hex(),
                    "verified": ok,
                }
            )
    say(leaves)
    summary["compressed"] = outputs
    return summary
