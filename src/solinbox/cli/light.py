"""``solinbox light fetch``: the pinned Light Protocol programs, into the cache."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from solinbox.cli._common import add_json_option

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]


def _cmd_light_fetch(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solinbox.light.package import LIGHT_CLI_VERSION, fetch_light_package

    quiet = args.quiet or args.json
    package = fetch_light_package(
        quiet=quiet,
        source=Path(args.source) if args.source else None,
        progress=not quiet,
    )
    if not quiet:
        console.print(
            f"[green]Light Protocol programs {LIGHT_CLI_VERSION} ready[/] in {package.root}"
        )
    return {"root": str(package.root), "version": package.version}


def register(sub: Any) -> None:
    """Add ``light fetch`` to the ``solinbox`` command."""
    light = sub.add_parser("light", help="the pinned Light Protocol programs")
    lsub = light.add_subparsers(dest="light_command", required=True, metavar="COMMAND")
    lf = lsub.add_parser(
        "fetch",
        help="fetch and verify the Light programs and tree accounts (done on first use anyway)",
        description="Download @lightprotocol/zk-compression-cli (7.4 MB, sha256-pinned) from "
        "the registry npm is configured with and keep its programs and tree accounts in the "
        "cache ($SOLINBOX_CACHE/light/VERSION, default ~/.cache/solinbox/light/VERSION). "
        "Without network access, pass --from with the tarball from `npm pack`.",
    )
    lf.add_argument(
        "--from", dest="source", metavar="PATH",
        help="an already downloaded package tarball, or a directory holding it (air-gapped CI)",
    )  # fmt: skip
    lf.add_argument("--quiet", action="store_true", help="print nothing on success")
    add_json_option(lf)
    lf.set_defaults(func=_cmd_light_fetch)
