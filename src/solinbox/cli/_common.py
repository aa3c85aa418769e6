"""What every ``solinbox`` command group shares: input errors, keypair files, common options.

Only the standard library and solinbox's own light modules are imported at module level:
command modules are imported to build the parser, so ``solinbox --help`` must stay fast.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from solinbox.errors import SolinboxError
from solinbox.program.binary import PROGRAM_SO_ENV

if TYPE_CHECKING:
    from solders.keypair import Keypair

__all__ = [
    "CliInputError",
    "KeypairError",
    "add_json_option",
    "add_program_so_option",
    "read_keypair",
    "write_keypair",
]


class CliInputError(SolinboxError):
    """A command-line argument or an input file is unusable."""


class KeypairError(CliInputError):
    """The keypair file is missing or not a Solana keypair."""


def read_keypair(path: str | os.PathLike[str]) -> Keypair:
    """Read a Solana CLI keypair file (a JSON array of 64 bytes).

    Raises:
        KeypairError: The file is missing or holds no keypair; the message says how to make one.
    """
    from solders.keypair import Keypair

    file = Path(path).expanduser()
    try:
        return Keypair.from_json(file.read_text())
    except OSError as exc:
        raise KeypairError(
            f"cannot read the keypair {file}: {exc.strerror or exc}\n"
            "  pass -k/--keypair FILE, or create one with `solana-keygen new` "
            "(any 64-byte JSON array keypair file works)"
        ) from exc
    except ValueError as exc:
        raise KeypairError(
            f"{file} is not a Solana keypair file (a JSON array of 64 bytes): {exc}"
        ) from exc


def write_keypair(path: Path, keypair: Keypair) -> None:
    """Write ``keypair`` in the Solana CLI format, readable only by its owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(keypair.to_json())
    path.chmod(0o600)


def add_json_option(p: argparse.ArgumentParser) -> None:
    """``--json``: print the result as one JSON document (for scripts)."""
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def add_program_so_option(p: argparse.ArgumentParser) -> None:
    """``--program-so PATH``: load this inbox ``.so`` instead of the packaged one."""
    p.add_argument(
        "--program-so",
        metavar="PATH",
        help=f"inbox program .so to load instead of the packaged one (or set {PROGRAM_SO_ENV}); "
        "e.g. target/deploy/inbox.so after `solinbox build`",
    )
