"""The ``solinbox localnet`` and ``solinbox deploy`` subcommands.

``solinbox.cli`` registers them with :func:`add_localnet_parser` and :func:`add_deploy_parser`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import signal
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from solders.account import Account
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError

__all__ = ["add_deploy_parser", "add_localnet_parser", "load_account_dir"]

_REPO = Path(__file__).resolve().parents[3]
_INBOX_KEYPAIR = _REPO / "programs" / "inbox" / "keys" / "inbox-keypair.json"
_INBOX_ID = Pubkey.from_string("iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei")


class CliInputError(SolinboxError):
    """A command-line argument or an input file is unusable."""


def _read_keypair(path: Path) -> Keypair:
    try:
        return Keypair.from_bytes(bytes(json.loads(Path(path).expanduser().read_text())))
    except (OSError, ValueError, TypeError) as exc:
        raise CliInputError(f"cannot read the keypair {path}: {exc}") from exc


def _write_keypair(path: Path, keypair: Keypair) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(list(bytes(keypair))))
    path.chmod(0o600)


def load_account_dir(directory: Path) -> dict[Pubkey, Account]:
    """Read every ``*.json`` account file (``solana account --output json`` format) in ``directory``.

    Raises:
        CliInputError: A file is not such an account.
    """
    accounts: dict[Pubkey, Account] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            document = json.loads(path.read_text())
            raw = document["account"]
            data, encoding = raw["data"]
            if encoding != "base64":
                raise ValueError(f"unsupported data encoding {encoding!r}")
            accounts[Pubkey.from_string(document["pubkey"])] = Account(
                int(raw["lamports"]), base64.b64decode(data), Pubkey.from_string(raw["owner"]),
                bool(raw["executable"]), int(raw.get("rentEpoch", 0)),
            )  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CliInputError(f"{path}: not a Solana account JSON file: {exc}") from exc
    return accounts


# --------------------------------------------------------------------------------------- localnet


def _inbox_so(console: Console) -> Path:
    so = _REPO / "target" / "deploy" / "inbox.so"
    if not so.is_file():
        from solinbox.build import build_program

        with console.status("building the inbox program"):
            so = build_program("inbox").so_path
    return so


def _cmd_localnet(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.localnet.bank import Bank
    from solinbox.localnet.server import Localnet

    started = time.monotonic()
    programs: dict[Pubkey, Path] = {}
    if not args.no_inbox:
        programs[_INBOX_ID] = _inbox_so(console)
    for program_id, path in args.program or []:
        try:
            programs[Pubkey.from_string(program_id)] = Path(path)
        except ValueError as exc:
            raise CliInputError(f"--program: bad program id {program_id!r}") from exc
        if not Path(path).is_file():
            raise CliInputError(f"--program: no such file {path}")
    ledger = Path(args.ledger) if args.ledger else None
    if ledger is not None and not args.reset and Bank.has_state(ledger):
        bank = Bank.load(ledger, programs=programs)
    else:
        accounts = load_account_dir(Path(args.account_dir)) if args.account_dir else {}
        bank = Bank.create(programs=programs, accounts=accounts, finality_depth=args.finality_depth)
    slot_interval = args.slot_ms / 1000 if args.slot_ms > 0 else None
    net = Localnet(
        bank,
        rpc_port=args.rpc_port,
        ws_port=args.ws_port,
        slot_interval=slot_interval,
        state_dir=ledger,
    )

    async def run() -> dict[str, Any]:
        await net.start()
        info = {
            "rpc_url": net.rpc_url,
            "ws_url": net.ws_url,
            "faucet": str(bank.faucet.pubkey()),
            "programs": {str(k): str(v) for k, v in programs.items()},
            "slot": bank.slot,
            "ledger": str(ledger) if ledger else None,
            "startup_seconds": round(time.monotonic() - started, 3),
        }
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            console.print(
                f"[green]localnet[/] JSON-RPC {net.rpc_url}  PubSub {net.ws_url}  "
                f"(ready in {info['startup_seconds']:.2f}s, slot {bank.slot})"
            )
            for key, path in programs.items():
                console.print(f"  program {key}  {path}")
            console.print(
                f"  faucet {bank.faucet.pubkey()}  ledger {ledger or '(not saved)'}  Ctrl-C to stop"
            )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # platforms without Unix signals raise here; Ctrl-C then ends the process as usual
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await net.stop()
        return info

    return asyncio.run(run())


def add_localnet_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``solinbox localnet`` on an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "localnet", help="run a Solana JSON-RPC validator over LiteSVM with our program and Light"
    )
    p.add_argument(
        "--rpc-port", type=int, default=8899, help="HTTP JSON-RPC port on 127.0.0.1 (default 8899)"
    )
    p.add_argument(
        "--ws-port",
        type=int,
        default=8900,
        help="WebSocket PubSub port on 127.0.0.1 (default 8900)",
    )
    p.add_argument(
        "--slot-ms", type=int, default=400, help="milliseconds per block; 0: no clock (default 400)"
    )
    p.add_argument(
        "--finality-depth",
        type=int,
        default=32,
        help="blocks from confirmed to finalized (default 32)",
    )
    p.add_argument(
        "--ledger", help="directory to save the state to on exit and resume it from on start"
    )
    p.add_argument("--reset", action="store_true", help="ignore a saved state in --ledger")
    p.add_argument(
        "--program", nargs=2, action="append", metavar=("ID", "PATH"), help="load an extra program"
    )
    p.add_argument("--account-dir", help="load every account JSON file of this directory")
    p.add_argument("--no-inbox", action="store_true", help="do not load target/deploy/inbox.so")
    p.add_argument("--json", action="store_true", help="print the endpoints as one JSON line")
    p.set_defaults(func=_cmd_localnet)
    return p


# ----------------------------------------------------------------------------------------- deploy


def _program_keypair_path(so: Path) -> Path:
    if so.name == "inbox.so" and _INBOX_KEYPAIR.is_file():
        return _INBOX_KEYPAIR
    return so.with_name(f"{so.stem}-keypair.json")


def _cmd_deploy(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from solana.rpc.async_api import AsyncClient

    from solinbox.deploy import deploy_program

    so_path = Path(args.so)
    try:
        so = so_path.read_bytes()
    except OSError as exc:
        raise CliInputError(f"cannot read {so_path}: {exc}") from exc
    payer = _read_keypair(Path(args.keypair))
    program: Keypair | None = None
    program_id: Pubkey | None = None
    if args.program_id and not Path(args.program_id).expanduser().is_file():
        try:
            program_id = Pubkey.from_string(args.program_id)
        except ValueError as exc:
            raise CliInputError(
                f"--program-id: neither a keypair file nor an address: {args.program_id}"
            ) from exc
    else:
        path = (
            Path(args.program_id).expanduser()
            if args.program_id
            else _program_keypair_path(so_path)
        )
        if not path.is_file():
            _write_keypair(path, Keypair())
        program = _read_keypair(path)
    buffer_path = (
        Path(args.buffer)
        if args.buffer
        else so_path.with_name(f"{so_path.stem}-buffer-keypair.json")
    )
    resumed = buffer_path.is_file()
    if not resumed:
        _write_keypair(buffer_path, Keypair())
    buffer = _read_keypair(buffer_path)

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


def add_deploy_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``solinbox deploy`` on an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "deploy", help="deploy or upgrade a program through the upgradeable loader over JSON-RPC"
    )
    p.add_argument(
        "so",
        nargs="?",
        default=str(_REPO / "target" / "deploy" / "inbox.so"),
        help="the .so (default: inbox)",
    )
    p.add_argument(
        "-u", "--url", default="http://127.0.0.1:8899", help="RPC URL (default: the localnet)"
    )
    p.add_argument(
        "-k", "--keypair", default="~/.config/solana/id.json", help="payer and upgrade authority"
    )
    p.add_argument(
        "--program-id",
        help="program keypair file (deploy) or address (upgrade); default: <so>-keypair.json",
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
    return p
