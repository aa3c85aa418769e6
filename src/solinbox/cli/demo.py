"""``solinbox demo``: the main job, a paid encrypted conversation over a local stack."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from solinbox.cli._common import add_json_option, add_program_so_option

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]


def _cmd_demo(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.demo import run_demo
    from solinbox.program.binary import resolve_program

    return run_demo(console, program=resolve_program(args.program_so), quiet=args.json)


def register(sub: Any) -> None:
    """Add ``demo`` to the ``solinbox`` command."""
    d = sub.add_parser(
        "demo",
        help="run a paid, encrypted conversation on a local validator + indexer and show it",
    )
    add_program_so_option(d)
    add_json_option(d)
    d.set_defaults(func=_cmd_demo)
