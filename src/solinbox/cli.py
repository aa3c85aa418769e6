"""The ``solinbox`` command.

Subcommands:

* ``solinbox build [-p PACKAGE] [--json]`` — build an on-chain program to ``target/deploy``;
* ``solinbox light fetch [--quiet]`` — fetch and verify the pinned Light Protocol programs;
* ``solinbox demo [--json]`` — the main job: build, start a LiteSVM with our program and the
  Light programs, and show what happens.

Logs are quiet by default (``-v`` for more); ``--json`` prints machine-readable results.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from solinbox import __version__
from solinbox.errors import SolinboxError

__all__ = ["main"]

log = logging.getLogger("solinbox")


def _cmd_build(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.build import build_program

    with console.status(f"building {args.package}", spinner="dots") as status:

        def on_line(line: str) -> None:
            line = line.strip()
            if line.startswith(("Compiling", "Finished", "Downloaded", "Updating")):
                status.update(f"[bold]{args.package}[/]: {line}")
            log.debug("cargo: %s", line)

        result = build_program(args.package, on_line=on_line)
    info = {
        "program": result.name,
        "path": str(result.so_path),
        "sha256": result.sha256,
        "size": result.size,
        "seconds": round(result.seconds, 2),
    }
    if not args.json:
        console.print(
            f"[green]built[/] {result.so_path} ({result.size:,} bytes, "
            f"sha256 {result.sha256[:16]}…) in {result.seconds:.1f}s"
        )
    return info


def _cmd_light_fetch(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.light.package import fetch_light_package

    package = fetch_light_package(quiet=args.quiet or args.json)
    if not (args.quiet or args.json):
        console.print(f"[green]Light Protocol programs ready[/] in {package.root}")
    return {"root": str(package.root)}


def _cmd_demo(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.demo import run_demo

    return run_demo(console, quiet=args.json)


def _cmd_bench(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.bench.program_cu import measure, rows_as_dicts
    from solinbox.build import build_program

    with console.status("measuring compute units (V1 tree and V2 queue)", spinner="dots"):
        so = build_program("inbox").so_path
        rows = measure(so, "v1") + measure(so, "v2")
    if not args.json:
        from rich.table import Table

        table = Table(title="compute units per instruction", title_justify="left")
        for col in ("instruction", "tree", "total", "Light CPI", "program"):
            table.add_column(col, justify="left" if col in ("instruction", "tree") else "right")
        for r in rows:
            table.add_row(r.instruction, r.tree, f"{r.total:,}", f"{r.light:,}", f"{r.own:,}")
        console.print(table)
    return {"compute_units": rows_as_dicts(rows)}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="solinbox", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"solinbox {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build an on-chain program into target/deploy (sBPF v0)")
    b.add_argument("-p", "--package", default="inbox", help="cargo package (default: inbox)")
    b.add_argument("--json", action="store_true", help="print the result as JSON")
    b.set_defaults(func=_cmd_build)

    light = sub.add_parser("light", help="the pinned Light Protocol programs")
    lsub = light.add_subparsers(dest="light_command", required=True)
    lf = lsub.add_parser("fetch", help="fetch and verify the Light programs and tree accounts")
    lf.add_argument("--quiet", action="store_true", help="print nothing on success")
    lf.add_argument("--json", action="store_true", help="print the result as JSON")
    lf.set_defaults(func=_cmd_light_fetch)

    bench = sub.add_parser("bench", help="compute units of every instruction (V1 tree, V2 queue)")
    bench.add_argument("--json", action="store_true", help="print the result as JSON")
    bench.set_defaults(func=_cmd_bench)

    d = sub.add_parser("demo", help="build, load into LiteSVM with Light, and show a run")
    d.add_argument("--json", action="store_true", help="print the result as JSON")
    d.set_defaults(func=_cmd_demo)

    from solinbox.localnet.cli import add_deploy_parser, add_localnet_parser

    add_localnet_parser(sub)
    add_deploy_parser(sub)

    from solinbox.client.cli import add_client_parsers

    add_client_parsers(sub)

    from solinbox.indexer.cli import add_indexer_parser

    add_indexer_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``solinbox`` command line; returns the exit code."""
    args = _parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    console = Console(stderr=bool(getattr(args, "json", False)))
    try:
        result = args.func(args, console)
    except SolinboxError as exc:
        Console(stderr=True).print(f"[red]error:[/] {type(exc).__name__}: {exc}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 130
    if getattr(args, "json", False) and result is not None:
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
