"""``solinbox build`` (the programs of a source checkout) and ``solinbox bench`` (compute units)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solinbox.cli._common import add_json_option, add_program_so_option

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]

log = logging.getLogger("solinbox")


def _cmd_build(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.build import build_program
    from solinbox.build.cargo import repo_root

    workspace = repo_root(Path(args.workspace) if args.workspace else None)
    with console.status(f"building {args.package}", spinner="dots") as status:

        def on_line(line: str) -> None:
            line = line.strip()
            if line.startswith(("Compiling", "Finished", "Downloaded", "Updating")):
                status.update(f"[bold]{args.package}[/]: {line}")
            log.debug("cargo: %s", line)

        result = build_program(args.package, workspace=workspace, on_line=on_line)
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
            f"sha256 {result.sha256}) in {result.seconds:.1f}s"
        )
    return info


def _cmd_bench(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.bench.program_cu import measure, rows_as_dicts
    from solinbox.program.binary import resolve_program

    program = resolve_program(args.program_so)
    with console.status("measuring compute units (V1 tree and V2 queue)", spinner="dots"):
        rows = measure(program.path, "v1") + measure(program.path, "v2")
    if not args.json:
        from rich.table import Table

        table = Table(title=f"compute units per instruction ({program.origin} program)",
                      title_justify="left")  # fmt: skip
        for col in ("instruction", "tree", "total", "Light CPI", "program"):
            table.add_column(col, justify="left" if col in ("instruction", "tree") else "right")
        for r in rows:
            table.add_row(r.instruction, r.tree, f"{r.total:,}", f"{r.light:,}", f"{r.own:,}")
        console.print(table)
    return {"program": {"path": str(program.path), "sha256": program.sha256},
            "compute_units": rows_as_dicts(rows)}  # fmt: skip


def register(sub: Any) -> None:
    """Add ``build`` and ``bench`` to the ``solinbox`` command."""
    b = sub.add_parser(
        "build",
        help="build an on-chain program of a source checkout into target/deploy (sBPF v0)",
        description="Build a program of a solinbox source checkout with Debian's rustc-web and "
        "our own sBPF v0 linker. Not needed to use solinbox: the package carries the built "
        "inbox program.",
    )
    b.add_argument("-p", "--package", default="inbox", help="cargo package (default: inbox)")
    b.add_argument("--workspace", help="the checkout (default: found upwards from here)")
    add_json_option(b)
    b.set_defaults(func=_cmd_build)

    bench = sub.add_parser("bench", help="compute units of every instruction (V1 tree, V2 queue)")
    add_program_so_option(bench)
    add_json_option(bench)
    bench.set_defaults(func=_cmd_bench)
