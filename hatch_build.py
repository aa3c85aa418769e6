"""Wheel build hook: compile ``programs/inbox`` with solinbox's own pipeline into the wheel.

Hatchling runs this for ``pip wheel``, ``python -m build`` and ``pip install``. It imports the
build pipeline straight from ``src/`` (it needs only the standard library), builds the inbox
program exactly as ``solinbox build`` does (the build is reproducible, so the bytes are the
same), and ships ``solinbox/program/data/inbox.so`` with ``inbox.build.json``, its build record.
An editable install (``pip install -e .``) writes both into ``src/solinbox/program/data/``
(ignored by git) and only warns when the toolchain is missing, so a checkout without the
compilers still installs; a regular wheel build fails instead, since a wheel without its
program would not work.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

_DATA = "solinbox/program/data"


class InboxProgramBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Builds the inbox program and adds it (and its build record) to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Build the program; ``version`` is ``standard`` or ``editable``."""
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root / "src"))
        from solinbox.build import build_program
        from solinbox.build.cargo import rustc_version
        from solinbox.errors import ToolchainError

        editable = version == "editable"
        self.app.display_waiting("building programs/inbox (cargo → libLLVM → sBPF v0)")
        try:
            built = build_program("inbox", workspace=root, target_dir=root / "target")
            rustc = rustc_version()
        except ToolchainError as exc:
            if not editable:
                raise
            self.app.display_warning(
                f"inbox program not built ({exc}); this checkout has no packaged program: "
                "pass --program-so or set SOLINBOX_PROGRAM_SO"
            )
            return
        lib_rs = (root / "programs/inbox/src/lib.rs").read_text(encoding="utf-8")
        program_id = re.search(
            r'pub const ID: Address = Address::from_str_const\("(\w+)"\)', lib_rs
        )
        record = {
            "program": "inbox",
            "program_id": program_id.group(1) if program_id else None,
            "sha256": built.sha256,
            "size": built.size,
            "solinbox_version": self.metadata.version,
            "rustc": rustc,
        }
        self.app.display_info(f"built inbox.so: {built.size:,} bytes, sha256 {built.sha256}")
        if editable:
            out = root / "src" / _DATA
        else:
            self._staging = Path(tempfile.mkdtemp(prefix="solinbox-wheel-"))
            out = self._staging
        shutil.copyfile(built.so_path, out / "inbox.so")
        (out / "inbox.build.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        if not editable:
            for name in ("inbox.so", "inbox.build.json"):
                build_data["force_include"][str(out / name)] = f"{_DATA}/{name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the staging directory of a regular wheel build."""
        staging = getattr(self, "_staging", None)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
