"""The inbox program's ``.so``: the copy packaged in the wheel, or one you name explicitly.

The wheel carries ``solinbox/program/data/inbox.so``, built from ``programs/inbox`` by our own
pipeline when the wheel was built, and ``inbox.build.json``, its build record (sha256, size,
program id, the solinbox version and compiler that built it). That packaged program is what the
localnet, the pytest plugin, the demo and ``solinbox deploy`` load by default.

A different build is used only when asked for, by precedence:

1. an explicit path (``--program-so PATH`` on the command line, the plugin's
   ``--solinbox-program-so`` option or ``solinbox_program_so`` ini setting);
2. the environment variable ``SOLINBOX_PROGRAM_SO``;
3. the packaged program.

Only the standard library is imported here, so ``solinbox --version`` can read the build record
without loading solders.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

from solinbox.errors import ProgramBinaryError

__all__ = [
    "BUILD_RECORD_FILE",
    "PROGRAM_SO_ENV",
    "PROGRAM_SO_FILE",
    "ProgramBinary",
    "packaged_build_record",
    "packaged_program",
    "resolve_program",
]

PROGRAM_SO_ENV: Final = "SOLINBOX_PROGRAM_SO"
"""Environment variable naming an inbox ``.so`` to use instead of the packaged one."""
PROGRAM_SO_FILE: Final = "inbox.so"
"""File name of the packaged program in ``solinbox/program/data/``."""
BUILD_RECORD_FILE: Final = "inbox.build.json"
"""File name of the packaged program's build record, next to :data:`PROGRAM_SO_FILE`."""

_files = contextlib.ExitStack()
atexit.register(_files.close)


@dataclass(frozen=True, slots=True)
class ProgramBinary:
    """An inbox program ``.so`` on disk and where it came from.

    Attributes:
        path: The file.
        sha256: Hex sha256 of its bytes.
        size: Its size in bytes.
        origin: ``"packaged"``, or what named it (``"--program-so"``, ``"$SOLINBOX_PROGRAM_SO"``,
            ``"solinbox_program_so"`` ...).
    """

    path: Path
    sha256: str
    size: int
    origin: str

    def read(self) -> bytes:
        """The program's bytes."""
        return self.path.read_bytes()

    def describe(self) -> str:
        """One line for logs: origin, path and a sha256 prefix."""
        return f"{self.origin} {self.path} (sha256 {self.sha256[:16]}…, {self.size:,} bytes)"


def _data_dir() -> Any:
    return resources.files("solinbox.program") / "data"


@cache
def packaged_build_record() -> dict[str, Any] | None:
    """The packaged program's build record (``inbox.build.json``), or None if there is none.

    Cheap: reads one small JSON file, hashes nothing.
    """
    record = _data_dir() / BUILD_RECORD_FILE
    try:
        loaded = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _binary(path: Path, origin: str) -> ProgramBinary:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProgramBinaryError(
            f"cannot read the inbox program {path} ({origin}): {exc.strerror or exc}"
        ) from exc
    if not data.startswith(b"\x7fELF"):
        raise ProgramBinaryError(f"{path} ({origin}) is not an ELF shared object")
    return ProgramBinary(path, hashlib.sha256(data).hexdigest(), len(data), origin)


@cache
def packaged_program() -> ProgramBinary:
    """The inbox program shipped in this installation, checked against its build record.

    Raises:
        ProgramBinaryError: This installation has no packaged program (a source checkout
            installed without the toolchain), or the file does not match its build record.
    """
    so = _data_dir() / PROGRAM_SO_FILE
    record = packaged_build_record()
    if not so.is_file() or record is None:
        raise ProgramBinaryError(
            "this installation of solinbox has no packaged inbox program "
            "(a source checkout installed without the build toolchain).\n"
            "  Build it with `solinbox build` and pass --program-so target/deploy/inbox.so "
            f"(or set {PROGRAM_SO_ENV}), or reinstall solinbox from a wheel."
        )
    path = Path(_files.enter_context(resources.as_file(so)))
    binary = _binary(path, "packaged")
    if binary.sha256 != record.get("sha256"):
        raise ProgramBinaryError(
            f"the packaged {path} does not match its build record (sha256 {binary.sha256} != "
            f"{record.get('sha256')}): the installation is damaged; reinstall solinbox"
        )
    return binary


def resolve_program(
    path: str | os.PathLike[str] | None = None, *, origin: str = "--program-so"
) -> ProgramBinary:
    """The inbox program to load: ``path`` if given, else ``$SOLINBOX_PROGRAM_SO``, else packaged.

    Args:
        path: An explicit ``.so``; ``origin`` says what named it (for messages and logs).
        origin: How ``path`` was given, e.g. ``"--program-so"``.

    Raises:
        ProgramBinaryError: The named file is missing or not an ELF file, or there is no
            packaged program and none was named.
    """
    if path is not None and str(path) != "":
        return _binary(Path(path).expanduser(), origin)
    override = os.environ.get(PROGRAM_SO_ENV, "")
    if override:
        return _binary(Path(override).expanduser(), f"${PROGRAM_SO_ENV}")
    return packaged_program()
