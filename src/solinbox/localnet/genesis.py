"""The starting state of a local chain: the real Light programs and their shared trees.

:func:`build_light_svm` returns a :class:`solders.litesvm.LiteSVM` with the five Light programs
at their mainnet ids, every tree / queue / CPI-context / registry account from the pinned
package, the SOL pool PDA funded to rent exemption, and any extra programs (ours).

Three account dumps exist twice in the package (``cpi2cdhk…``, ``smt2rJAF…``, ``nfq2hgS7…``):
the ``*_2_*`` file is an older dump (for ``cpi2cdhk…`` even the V1 CPI-context format). Files
are applied in sorted file-name order, so the ``*_2_*`` file comes first and the current dump
wins; :func:`light_account_sources` tells which file each address came from.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from solders.account import Account
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

from solinbox.errors import LightPackageError, SolinboxError
from solinbox.light.ids import LIGHT_PROGRAMS, SOL_POOL_PDA, SYSTEM_PROGRAM_ID
from solinbox.light.package import LightPackage, fetch_light_package

__all__ = [
    "AccountFileError",
    "LightAccount",
    "build_light_svm",
    "default_light_package",
    "light_account_sources",
    "light_accounts",
    "load_account_dir",
    "read_account_file",
]


@dataclass(frozen=True, slots=True)
class LightAccount:
    """One account dump of the package: where it goes, what it holds, which file it came from."""

    pubkey: Pubkey
    account: Account
    source: Path


@lru_cache(maxsize=1)
def default_light_package() -> LightPackage:
    """Return the verified default package, fetching it on first use (once per process)."""
    return fetch_light_package()


class AccountFileError(SolinboxError, ValueError):
    """A file is not a Solana account JSON file (``solana account --output json`` format)."""


def read_account_file(path: Path) -> tuple[Pubkey, Account]:
    """Read one account file in ``solana account --output json`` format (base64 data).

    Raises:
        AccountFileError: The file is unreadable or not such a document (the message names it).
    """
    try:
        document = json.loads(Path(path).read_bytes())
        raw = document["account"]
        data, encoding = raw["data"]
        if encoding != "base64":
            raise ValueError(f"unsupported data encoding {encoding!r}")
        account = Account(
            lamports=int(raw["lamports"]),
            data=base64.b64decode(data),
            owner=Pubkey.from_string(raw["owner"]),
            executable=bool(raw["executable"]),
            rent_epoch=int(raw.get("rentEpoch", 0)),
        )
        return Pubkey.from_string(document["pubkey"]), account
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AccountFileError(f"{path}: not a Solana account JSON file: {exc}") from exc


def load_account_dir(directory: Path) -> dict[Pubkey, Account]:
    """Read every ``*.json`` account file of ``directory`` (sorted by name; later files win).

    Raises:
        AccountFileError: A file is not such an account.
    """
    return dict(read_account_file(path) for path in sorted(Path(directory).glob("*.json")))


def _parse_account_file(path: Path) -> LightAccount:
    try:
        pubkey, account = read_account_file(path)
    except AccountFileError as exc:
        raise LightPackageError(f"cannot load the account dump {exc}") from exc
    return LightAccount(pubkey, account, path)


@lru_cache(maxsize=8)
def _load_account_dumps(root: Path) -> tuple[LightAccount, ...]:
    """Parse every account dump of the package under ``root``, in sorted file-name order."""
    return tuple(_parse_account_file(path) for path in LightPackage(root).account_files())


@lru_cache(maxsize=8)
def _resolved(root: Path) -> Mapping[Pubkey, LightAccount]:
    winners: dict[Pubkey, LightAccount] = {}
    for dump in _load_account_dumps(root):
        winners[dump.pubkey] = dump  # later (sorted) files override earlier ones
    return winners


def light_accounts(package: LightPackage | None = None) -> dict[Pubkey, LightAccount]:
    """Return the accounts :func:`build_light_svm` loads, one per address (duplicates resolved).

    Parsed dumps are cached per package root, so repeated calls are cheap.
    """
    root = (package or default_light_package()).root
    return dict(_resolved(root))


def light_account_sources(package: LightPackage | None = None) -> dict[Pubkey, Path]:
    """Return ``address -> account dump file`` for every account :func:`build_light_svm` loads."""
    return {key: dump.source for key, dump in light_accounts(package).items()}


def build_light_svm(
    *,
    programs: Mapping[Pubkey, Path] | None = None,
    package: LightPackage | None = None,
    fund_sol_pool: bool = True,
) -> LiteSVM:
    """Create a LiteSVM with the Light programs, their accounts, and optional extra programs.

    Args:
        programs: Extra programs to deploy, ``program id -> .so path``; loaded last, so an id
            equal to a Light program's replaces that program.
        package: The verified Light package; defaults to :func:`default_light_package`.
        fund_sol_pool: Create the light system program's SOL pool PDA (system-owned, no data)
            with the rent-exempt minimum, so that the first compression of less than that
            amount does not fail the rent check.

    Returns:
        A fresh LiteSVM; every call builds an independent one.

    """
    pkg = package or default_light_package()
    svm = LiteSVM()
    for name, program_id in LIGHT_PROGRAMS.items():
        svm.add_program_from_file(program_id, pkg.program_path(name))
    for dump in _resolved(pkg.root).values():
        svm.set_account(dump.pubkey, dump.account)
    if fund_sol_pool:
        svm.set_account(
            SOL_POOL_PDA,
            Account(
                lamports=svm.minimum_balance_for_rent_exemption(0),
                data=b"",
                owner=SYSTEM_PROGRAM_ID,
                executable=False,
                rent_epoch=0,
            ),
        )
    for program_id, path in (programs or {}).items():
        svm.add_program_from_file(program_id, Path(path))
    return svm
