"""``solinbox localnet``: a Solana JSON-RPC + PubSub validator over LiteSVM.

The inbox program loaded is the packaged one unless ``--program-so`` (or
``$SOLINBOX_PROGRAM_SO``) names another; the start-up lines say which (path and sha256). The
Light programs are fetched into the cache on first use.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solinbox.cli._common import CliInputError, add_program_so_option

if TYPE_CHECKING:
    from rich.console import Console
    from solders.pubkey import Pubkey

__all__ = ["register"]


def _cmd_localnet(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    import asyncio

    from solders.pubkey import Pubkey

    from solinbox.cli._common import read_keypair
    from solinbox.light.package import fetch_light_package
    from solinbox.localnet.bank import Bank
    from solinbox.localnet.genesis import load_account_dir, read_account_file
    from solinbox.localnet.ledger import Ledger
    from solinbox.localnet.server import Localnet
    from solinbox.program.binary import resolve_program
    from solinbox.program.ids import PROGRAM_ID

    started = time.monotonic()
    programs: dict[Pubkey, Path] = {}
    described: dict[str, dict[str, Any]] = {}
    if not args.no_inbox:
        inbox = resolve_program(args.program_so)
        programs[PROGRAM_ID] = inbox.path
        described[str(PROGRAM_ID)] = {"path": str(inbox.path), "sha256": inbox.sha256,
                                      "origin": inbox.origin}  # fmt: skip

    def address(value: str, flag: str) -> Pubkey:
        """An address, or the public key of a keypair file (as solana-test-validator takes)."""
        try:
            return Pubkey.from_string(value)
        except ValueError:
            if Path(value).expanduser().is_file():
                return read_keypair(value).pubkey()
            raise CliInputError(
                f"{flag}: {value!r} is neither an address nor a keypair file"
            ) from None

    for program_id, path in [*(args.program or []), *(args.bpf_program or [])]:
        key = address(program_id, "--bpf-program")
        extra = resolve_program(path, origin="--bpf-program")
        programs[key] = extra.path
        described[str(key)] = {
            "path": str(extra.path),
            "sha256": extra.sha256,
            "origin": extra.origin,
        }
    upgradeable = []
    for program_id, path, authority in args.upgradeable_program or []:
        key = address(program_id, "--upgradeable-program")
        extra = resolve_program(path, origin="--upgradeable-program")
        owner = None if authority.lower() == "none" else address(authority, "--upgradeable-program")
        upgradeable.append((key, extra.read(), owner))
        described[str(key)] = {"path": str(extra.path), "sha256": extra.sha256, "origin": extra.origin,
                               "upgrade_authority": str(owner) if owner else None}  # fmt: skip
    fetch_light_package(quiet=True, progress=not (args.json or args.quiet))
    ledger = Path(args.ledger) if args.ledger else None
    accounts = load_account_dir(Path(args.account_dir)) if args.account_dir else {}
    for key_text, file in args.account or []:
        key = address(key_text, "--account")
        accounts[key] = read_account_file(Path(file))[1]
    cloned = []
    if args.clone or args.clone_upgradeable_program:
        from solinbox.localnet.clone import clone_accounts

        if not args.url:
            raise CliInputError("--clone needs --url: the cluster to copy the accounts from")
        cloned = clone_accounts(
            _cluster_url(args.url),
            [address(a, "--clone") for a in args.clone or []],
            [
                address(a, "--clone-upgradeable-program")
                for a in args.clone_upgradeable_program or []
            ],
        )

    def genesis() -> Bank:
        bank = Bank.create(programs=programs, accounts=accounts, finality_depth=args.finality_depth,
                           slots_per_epoch=args.slots_per_epoch,
                           faucet_lamports=round(args.faucet_sol * 1_000_000_000))  # fmt: skip
        for key, account in cloned:
            bank.set_account(key, account)
        for key, so, owner in upgradeable:
            bank.add_upgradeable_program(key, so, owner)
        if args.warp_slot:
            bank.warp_to_slot(args.warp_slot)
        return bank

    replayed = 0
    if ledger is None:
        bank = genesis()
    else:
        if args.reset and ledger.exists():
            shutil.rmtree(ledger)
        journal = Ledger(ledger, snapshot_interval=args.snapshot_interval)
        bank = journal.open(genesis, programs=programs)
        replayed = journal.replayed
    store = None
    if args.photon:
        from solinbox.indexer import Indexer, SqliteStore

        # with --ledger the index lives beside it (and catches up after a crash); else in memory
        store = SqliteStore(ledger / "index.sqlite") if ledger is not None else SqliteStore()
        Indexer(store).attach(bank)
    slot_interval = args.slot_ms / 1000 if args.slot_ms > 0 else None
    net = Localnet(
        bank,
        bind_address=args.bind_address,
        rpc_port=args.rpc_port,
        ws_port=args.ws_port,
        slot_interval=slot_interval,
    )

    async def run() -> dict[str, Any]:
        from solinbox.localnet.server import LocalnetBindError

        try:
            await net.start()
        except (OSError, LocalnetBindError) as exc:
            raise CliInputError(
                f"{exc}\n  another validator may be running; stop it or pass --rpc-port / --ws-port"
            ) from exc
        photon = None
        if store is not None:
            from solinbox.indexer import PhotonServer

            photon = PhotonServer(store, port=args.photon_port, rpc_url=net.rpc_url)
            try:
                await photon.start()
            except OSError as exc:
                await net.stop()
                raise CliInputError(
                    f"cannot listen on 127.0.0.1:{args.photon_port}: {exc.strerror or exc}\n"
                    "  an indexer may be running; stop it or pass --photon-port"
                ) from exc
        info = {
            "rpc_url": net.rpc_url,
            "ws_url": net.ws_url,
            "faucet": str(bank.faucet.pubkey()),
            "programs": described,
            "slot": bank.slot,
            "ledger": str(ledger) if ledger else None,
            "replayed": replayed,
            "photon_url": photon.url if photon is not None else None,
            "startup_seconds": round(time.monotonic() - started, 3),
        }
        if args.json:
            print(json.dumps(info), flush=True)
        elif not args.quiet:
            console.print(
                f"[green]localnet[/] JSON-RPC {net.rpc_url}  PubSub {net.ws_url}  "
                f"(ready in {info['startup_seconds']:.2f}s, slot {bank.slot})"
            )
            if photon is not None:
                console.print(
                    f"  Photon API {photon.url} (this localnet's blocks, indexed as produced)"
                )
            for key, program in described.items():
                console.print(f"  program {key}  {program['origin']} {program['path']}  sha256 {program['sha256']}",
                              highlight=False)  # fmt: skip
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
        if photon is not None:
            await photon.stop()
        await net.stop()
        if store is not None:
            store.close()
        return info

    return asyncio.run(run())


_MONIKERS = {
    "localhost": "http://127.0.0.1:8899",
    "l": "http://127.0.0.1:8899",
    "devnet": "https://api.devnet.solana.com",
    "d": "https://api.devnet.solana.com",
    "testnet": "https://api.testnet.solana.com",
    "t": "https://api.testnet.solana.com",
    "mainnet-beta": "https://api.mainnet-beta.solana.com",
    "m": "https://api.mainnet-beta.solana.com",
}


def _cluster_url(value: str) -> str:
    """A URL, or the Solana CLI's cluster moniker for one."""
    return _MONIKERS.get(value, value)


def register(sub: Any) -> None:
    """Add ``localnet`` to the ``solinbox`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "localnet",
        help="run a local Solana validator (JSON-RPC + PubSub over LiteSVM) with the inbox "
        "program and Light",
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
        "--ledger",
        help="a crash-safe ledger directory: every block is durable when confirmed (kill -9 "
        "loses at most the working slot); resumed on start",
    )
    p.add_argument("--reset", action="store_true", help="start --ledger over from genesis")
    p.add_argument(
        "--snapshot-interval", type=int, default=500,
        help="blocks between full snapshots of --ledger (default 500; bounds the replay at start)",
    )  # fmt: skip
    add_program_so_option(p)
    p.add_argument(
        "--bpf-program", nargs=2, action="append", metavar=("ADDRESS", "PATH"),
        help="load a program (non-upgradeable) at ADDRESS (an address or a keypair file)",
    )  # fmt: skip
    p.add_argument(
        "--program", nargs=2, action="append", metavar=("ID", "PATH"), help=argparse.SUPPRESS
    )
    p.add_argument(
        "--upgradeable-program", nargs=3, action="append", metavar=("ADDRESS", "PATH", "AUTHORITY"),
        help="deploy a program through the upgradeable loader with this upgrade authority (or none)",
    )  # fmt: skip
    p.add_argument(
        "--account", nargs=2, action="append", metavar=("ADDRESS", "FILE"),
        help="load an account from a `solana account --output json` file at ADDRESS",
    )  # fmt: skip
    p.add_argument("--account-dir", help="load every account JSON file of this directory")
    p.add_argument(
        "--clone", action="append", metavar="ADDRESS", help="copy this account from --url"
    )
    p.add_argument(
        "--clone-upgradeable-program", action="append", metavar="ADDRESS",
        help="copy this upgradeable program and its ProgramData from --url",
    )  # fmt: skip
    p.add_argument(
        "-u",
        "--url",
        help="where --clone copies from: URL or localhost/devnet/testnet/mainnet-beta",
    )
    p.add_argument(
        "--warp-slot", type=int, help="start at this slot (the slots before are skipped)"
    )
    p.add_argument(
        "--slots-per-epoch", type=int, default=432_000, help="slots in an epoch (default 432000)"
    )
    p.add_argument(
        "--faucet-sol", type=float, default=500_000_000.0, help="SOL the faucet starts with (default 500,000,000)"
    )  # fmt: skip
    p.add_argument(
        "--bind-address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing once started")
    p.add_argument("--no-inbox", action="store_true", help="do not load the inbox program")
    p.add_argument(
        "--photon", action="store_true",
        help="also index this localnet's blocks and serve the Photon API (the whole local stack)",
    )  # fmt: skip
    p.add_argument("--photon-port", type=int, default=8784, help="Photon API port (default 8784)")
    p.add_argument("--json", action="store_true", help="print the endpoints as one JSON line")
    p.set_defaults(func=_cmd_localnet)
