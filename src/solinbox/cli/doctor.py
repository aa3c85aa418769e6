"""``solinbox doctor``: what this installation has, each line ok or what to do about it."""

from __future__ import annotations

import argparse
import socket
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from solinbox.cli._common import add_json_option
from solinbox.errors import SolinboxError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Check", "ChecksFailed", "register", "run_checks"]

#: the ports the localnet (JSON-RPC, PubSub) and the indexer (Photon API) listen on by default
DEFAULT_PORTS = {8899: "localnet JSON-RPC", 8900: "localnet PubSub", 8784: "indexer Photon API"}


class ChecksFailed(SolinboxError):
    """At least one check failed; ``result`` is the whole report (printed with ``--json``)."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: ``status`` is ``ok``, ``warn`` (works, but note) or ``fail``."""

    name: str
    status: str
    detail: str
    fix: str = ""


def _version() -> Check:
    from solinbox import __version__

    python = ".".join(map(str, sys.version_info[:3]))
    return Check("solinbox", "ok", f"{__version__} (Python {python}, {sys.executable})")


def _program() -> list[Check]:
    import os

    from solinbox.errors import ProgramBinaryError
    from solinbox.program.binary import PROGRAM_SO_ENV, packaged_build_record, packaged_program

    checks = []
    try:
        binary = packaged_program()
        record = packaged_build_record() or {}
        checks.append(Check(
            "inbox program", "ok",
            f"packaged, id {record.get('program_id')}, sha256 {binary.sha256}, "
            f"{binary.size:,} bytes ({record.get('rustc', 'rustc ?')})",
        ))  # fmt: skip
    except ProgramBinaryError as exc:
        first, _, rest = str(exc).partition("\n")
        checks.append(Check("inbox program", "fail", first, rest.strip()))
    override = os.environ.get(PROGRAM_SO_ENV)
    if override:
        checks.append(Check(
            "program override", "warn", f"${PROGRAM_SO_ENV}={override} replaces the packaged program",
            f"unset {PROGRAM_SO_ENV} to use the packaged one",
        ))  # fmt: skip
    return checks


def _light() -> list[Check]:
    import shutil

    from solinbox.light.package import LIGHT_CLI_VERSION, default_cache_dir, verify_cache

    root = default_cache_dir()
    bad = verify_cache(root)
    checks = []
    if not bad:
        checks.append(
            Check("Light programs", "ok", f"{LIGHT_CLI_VERSION}, every sha256 verified in {root}")
        )
    else:
        fetched = root.is_dir() and any(root.iterdir())
        checks.append(Check(
            "Light programs", "warn",
            f"{LIGHT_CLI_VERSION}: {len(bad)} file(s) {'modified or missing' if fetched else 'not fetched yet'} in {root}",
            "fetched on first use (7.4 MB); to do it now: `solinbox light fetch` "
            "(offline: `solinbox light fetch --from DIR`; SOLINBOX_CACHE moves the cache)",
        ))  # fmt: skip
        npm = shutil.which("npm")
        checks.append(Check(
            "npm", "ok" if npm else "warn", npm or "not found",
            "" if npm else "needed once to download the Light programs: install Node.js with "
            "npm, or use `solinbox light fetch --from DIR`",
        ))  # fmt: skip
    return checks


def _toolchain() -> Check:
    from solinbox.build.cargo import find_toolchain, rustc_version
    from solinbox.build.llvm import find_libllvm
    from solinbox.errors import ToolchainError

    try:
        tc = find_toolchain()
        llvm = find_libllvm()
        return Check("build toolchain", "ok", f"{rustc_version(tc)}, {llvm}")
    except ToolchainError as exc:
        return Check(
            "build toolchain", "warn", f"absent ({exc})",
            "needed only to change the program (`solinbox build` in a source checkout)",
        )  # fmt: skip


def _postgres(dsn: str) -> Check:
    try:
        import psycopg
    except ImportError:
        return Check(
            "PostgreSQL", "fail", "psycopg is not installed", "pip install 'solinbox[postgres]'"
        )
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            version = conn.execute("SHOW server_version").fetchone()
        return Check("PostgreSQL", "ok", f"reachable, server {version[0] if version else '?'}")
    except psycopg.Error as exc:
        return Check(
            "PostgreSQL", "fail", f"cannot connect: {str(exc).strip().splitlines()[0]}",
            "check the DSN (host=... port=... user=... dbname=... or postgresql://...) and that the server runs",
        )  # fmt: skip


def _port(port: int, what: str) -> Check:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return Check(f"port {port}", "warn", f"in use ({what})",
                         "another localnet or indexer runs; stop it or choose another port")  # fmt: skip
    return Check(f"port {port}", "ok", f"free ({what})")


def run_checks(dsn: str | None = None) -> list[Check]:
    """Every check of ``solinbox doctor``, in report order."""
    checks = [_version(), *_program(), *_light(), _toolchain()]
    if dsn:
        checks.append(_postgres(dsn))
    checks += [_port(port, what) for port, what in DEFAULT_PORTS.items()]
    return checks


def _cmd_doctor(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    checks = run_checks(args.dsn)
    if not args.json:
        marks = {"ok": "[green]ok[/]  ", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}
        for c in checks:
            console.print(f"{marks[c.status]} [bold]{c.name}[/]: {c.detail}", highlight=False)
            if c.fix:
                console.print(f"       → {c.fix}", highlight=False)
    result = {"checks": [asdict(c) for c in checks]}
    failed = [c.name for c in checks if c.status == "fail"]
    if failed:
        raise ChecksFailed(
            f"{len(failed)} check(s) failed: {', '.join(failed)} (see above)", result
        )
    return result


def register(sub: Any) -> None:
    """Add ``doctor`` to the ``solinbox`` command."""
    d = sub.add_parser(
        "doctor",
        help="check this installation: program, Light programs, toolchain, ports, PostgreSQL",
    )
    d.add_argument("--dsn", help="also check that this PostgreSQL DSN is reachable")
    add_json_option(d)
    d.set_defaults(func=_cmd_doctor)
