"""Fixtures every test directory shares.

Our tests are the first user of the pytest plugin we ship (``solinbox.testing.plugin``): its
``solinbox_chain``, ``funded_wallet``, ``solinbox_localnet`` and ``solinbox_indexer`` fixtures run
here on the program under test. That program is built fresh from ``programs/inbox`` of this
checkout and handed to the plugin by overriding ``solinbox_program`` — what a developer of the
program does with ``--solinbox-program-so``. Paths of the checkout come from pytest's rootdir
(``repo_root``), never from a test file's location.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from solders.keypair import Keypair

from solinbox.build import BuildResult, build_program
from solinbox.program.binary import PROGRAM_SO_ENV


@pytest.fixture(scope="session")
def repo_root(pytestconfig: pytest.Config) -> Path:
    """The checkout (pytest's rootdir: the directory of ``pyproject.toml``)."""
    return pytestconfig.rootpath


@pytest.fixture(scope="session")
def inbox_build(repo_root: Path) -> BuildResult:
    """The inbox program, built once per session from this checkout with our pipeline."""
    return build_program("inbox", workspace=repo_root)


@pytest.fixture(scope="session")
def probe_build(repo_root: Path) -> BuildResult:
    """The pipeline's probe program (``tests/programs/probe``), built once per session."""
    return build_program("probe", workspace=repo_root)


@pytest.fixture(scope="session")
def solinbox_program(inbox_build: BuildResult) -> Path:
    """Overrides the plugin's packaged default: the fixtures load the program under test."""
    return inbox_build.so_path


@pytest.fixture(scope="session")
def inbox_so(solinbox_program: Path) -> Path:
    """The inbox ``.so`` under test (the same file the plugin's fixtures load)."""
    return solinbox_program


@pytest.fixture(scope="session")
def probe_so(probe_build: BuildResult) -> Path:
    """The probe program's ``.so``."""
    return probe_build.so_path


@pytest.fixture(scope="session")
def cli_env(inbox_build: BuildResult) -> dict[str, str]:
    """Environment for ``solinbox`` subprocesses: the program under test, named explicitly."""
    return {**os.environ, PROGRAM_SO_ENV: str(inbox_build.so_path)}


@pytest.fixture
def keypair_file(tmp_path: Path) -> Callable[[str], tuple[Path, Keypair]]:
    """``keypair_file(name)`` -> a new keypair written as ``tmp_path/<name>.json`` (Solana CLI format)."""

    def make(name: str) -> tuple[Path, Keypair]:
        kp = Keypair()
        path = tmp_path / f"{name}.json"
        path.write_text(kp.to_json())
        return path, kp

    return make
