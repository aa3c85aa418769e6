"""The ``solinbox`` command line: one module per command group, imports deferred to the command.

Command groups (each module registers its subcommands with ``register(subparsers)``):

* :mod:`~solinbox.cli.build` — ``build`` (a source checkout's programs), ``bench`` (compute units);
* :mod:`~solinbox.cli.light` — ``light fetch`` (the pinned Light Protocol programs);
* :mod:`~solinbox.cli.demo` — ``demo``, what ``scripts/run`` runs;
* :mod:`~solinbox.cli.doctor` — ``doctor``, what is installed and what to do about it;
* :mod:`~solinbox.cli.localnet` — ``localnet``, the local validator;
* :mod:`~solinbox.cli.deploy` — ``deploy``, the upgradeable-loader deploy over JSON-RPC;
* :mod:`~solinbox.cli.indexer` — ``indexer``, the Photon-compatible indexer;
* :mod:`~solinbox.cli.client` — ``inbox``, ``thread``, ``activity``, ``watch``.

Logs are quiet by default (``-v`` for more); ``--json`` prints machine-readable results. Exit
codes: 0 success, 1 a solinbox error (one line of what happened, then what to do), 2 a usage
error (argparse), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from solinbox import __version__
from solinbox.errors import SolinboxError

__all__ = ["main", "version_text"]

log = logging.getLogger("solinbox")


def version_text() -> str:
    """``solinbox --version``: the version, the packaged program's sha256, the Light version."""
    from solinbox.light.package import LIGHT_CLI_PACKAGE, LIGHT_CLI_VERSION
    from solinbox.program.binary import packaged_build_record

    record = packaged_build_record()
    program = (
        f"inbox program sha256 {record.get('sha256')} ({record.get('program_id')})"
        if record
        else "no packaged inbox program (source checkout; see `solinbox doctor`)"
    )
    return (
        f"solinbox {__version__}\n{program}\n"
        f"Light Protocol programs {LIGHT_CLI_PACKAGE}@{LIGHT_CLI_VERSION}"
    )


class _VersionAction(argparse.Action):
    """``--version`` computed only when asked for (it reads the program's build record)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(version_text())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    from solinbox.cli import build, client, demo, deploy, doctor, indexer, light, localnet

    p = argparse.ArgumentParser(
        prog="solinbox",
        description="An on-chain inbox on Solana with Light Protocol compressed threads and "
        "messages: local validator, indexer, client and program tools.",
        epilog="`solinbox COMMAND --help` for a command's options; `solinbox doctor` checks "
        "your setup.",
    )
    p.add_argument("--version", action=_VersionAction)
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (localnet, indexer, client, deploy, demo, doctor, light, build):
        module.register(sub)
    return p


def _options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    """Every option string of the (sub)command that was chosen."""
    options = [o for action in parser._actions for o in action.option_strings]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for dest_value in vars(args).values():
                chosen = action.choices.get(dest_value) if isinstance(dest_value, str) else None
                if chosen is not None:
                    return options + _options(chosen, args)
    return options


def _unknown_message(
    parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]
) -> str:
    """``unrecognized arguments: --ledgr (did you mean --ledger?)``."""
    import difflib

    known = _options(parser, args)
    parts = []
    for arg in unknown:
        name = arg.split("=", 1)[0]
        close = (
            difflib.get_close_matches(name, known, n=1, cutoff=0.6) if name.startswith("-") else []
        )
        parts.append(f"{arg} (did you mean {close[0]}?)" if close else arg)
    return "unrecognized arguments: " + " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``solinbox`` command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # the fast path: no command module is imported
        print(version_text())
        return 0
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(_unknown_message(parser, args, unknown))
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from rich.console import Console

    as_json = bool(getattr(args, "json", False))
    console = Console(stderr=as_json)
    try:
        result = args.func(args, console)
    except SolinboxError as exc:
        if args.verbose:
            log.exception("%s failed", args.command)
        partial = getattr(exc, "result", None)
        if as_json and partial is not None:
            sys.stdout.write(json.dumps(partial, indent=2, default=str) + "\n")
        Console(stderr=True).print(f"[red]error:[/] {type(exc).__name__}: {exc}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 130
    if as_json and result is not None:
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    return 0
