"""``solinbox deploy``: deploy or upgrade a program through the upgradeable loader over JSON-RPC.

Works against any cluster URL; a half-written buffer is resumed (its keypair is kept until the
deploy completes). Without a ``.so`` argument it deploys the packaged inbox program.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solinbox.cli._common import CliInputError, read_keypair, write_keypair

if TYPE_CHECKING:
    from rich.console import Console
    from solders.keypair import Keypair
    from solders.pubkey import Pubkey

__all__ = ["register"]


def _cmd_deploy(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    import asyncio

    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from solana.rpc.async_api import AsyncClient
    from solders.keypair import Keypair
    from solders.pubkey import Pubkey

    from solinbox.deploy import deploy_program
    from solinbox.program.binary import packaged_program, resolve_program

    binary = resolve_program(args.so, origin="argument") if args.so else packaged_program()
    so_path = binary.path
    so = binary.read()
    packaged = binary.origin == "packaged"
    payer = read_keypair(args.keypair)
    program: Keypair | None = None
    program_id: Pubkey | None = None
    if args.program_id and not Path(args.program_id).expanduser().is_file():
        try:
            program_id = Pubkey.from_string(args.program_id)
        except ValueError as exc:
            raise CliInputError(
                f"--program-id: neither a keypair file nor an address: {args.program_id}"
            ) from exc
    elif args.program_id:
        program = read_keypair(args.program_id)
    elif packaged:
        from solinbox.program.ids import PROGRAM_ID

        raise CliInputError(
            f"the packaged inbox program runs only at its own address {PROGRAM_ID}.\n"
            "  pass --program-id with that address's keypair to deploy it, or --program-id "
            f"{PROGRAM_ID} to upgrade a deployment you are the upgrade authority of"
        )
    else:
        # like `solana program deploy`: target/deploy/<name>-keypair.json, created on first deploy
        path = so_path.with_name(f"{so_path.stem}-keypair.json")
        if not path.is_file():
            write_keypair(path, Keypair())
        program = read_keypair(path)
    buffer_path = (
        Path(args.buffer).expanduser()
        if args.buffer
        else (Path.cwd() if packaged else so_path.parent) / f"{so_path.stem}-buffer-keypair.json"
    )
    resumed = buffer_path.is_file()
    if not resumed:
        write_keypair(buffer_path, Keypair())
    buffer = read_keypair(buffer_path)

    async def run() -> Any:
        async with AsyncClient(args.url, commitment=args.commitment) as client:
            if args.airdrop:
                sig = (
                    await client.request_airdrop(payer.pubkey(), int(args.airdrop * 10**9))
                ).value
                await client.confirm_transaction(sig, args.commitment, sleep_seconds=0.2)
            columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                       TransferSpeedColumn(), TimeRemainingColumn())  # fmt: skip
            with Progress(*columns, console=console, disable=args.json) as progress:
                task = progress.add_task(f"writing {so_path.name}", total=len(so))
                return await deploy_program(
                    client, payer, so, program=program, program_id=program_id, buffer=buffer,
                    max_data_len=args.max_len, commitment=args.commitment,
                    compute_unit_price=args.priority_fee,
                    on_progress=lambda done, _total: progress.update(task, completed=done),
                )  # fmt: skip

    result = asyncio.run(run())
    buffer_path.unlink(missing_ok=True)  # the buffer is consumed by the deploy
    info = {
        "program_id": str(result.program_id),
        "signature": str(result.signature),
        "upgraded": result.upgraded,
        "resumed": resumed,
        "chunks_written": result.chunks_written,
        "chunks_skipped": result.chunks_skipped,
        "seconds": round(result.seconds, 2),
    }
    if not args.json:
        verb = "upgraded" if result.upgraded else "deployed"
        console.print(
            f"[green]{verb}[/] {so_path.name} at {result.program_id} in {result.seconds:.1f}s"
        )
    return info


def register(sub: Any) -> None:
    """Add ``deploy`` to the ``solinbox`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "deploy", help="deploy or upgrade a program through the upgradeable loader over JSON-RPC"
    )
    p.add_argument(
        "so",
        nargs="?",
        help="the program .so (default: the packaged inbox program)",
    )
    p.add_argument(
        "-u", "--url", default="http://127.0.0.1:8899", help="RPC URL (default: the localnet)"
    )
    p.add_argument(
        "-k", "--keypair", default="~/.config/solana/id.json", help="payer and upgrade authority"
    )
    p.add_argument(
        "--program-id",
        help="program keypair file (deploy) or address (upgrade); default: <so>-keypair.json "
        "next to SO, created on first deploy",
    )
    p.add_argument(
        "--buffer", help="buffer keypair file; reused to resume (default: <so>-buffer-keypair.json)"
    )
    p.add_argument("--max-len", type=int, help="maximum program size for later upgrades")
    p.add_argument(
        "--commitment", default="confirmed", choices=("processed", "confirmed", "finalized")
    )
    p.add_argument(
        "--priority-fee", type=int, help="compute-unit price in micro-lamports, every transaction"
    )
    p.add_argument(
        "--airdrop", type=float, help="request this many SOL for the payer first (localnet, devnet)"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_cmd_deploy)
