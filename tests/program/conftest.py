"""Fixtures for the program tests: the built inbox.so and a fresh chain per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from solinbox.build import build_program
from solinbox.testing import LocalChain


@pytest.fixture(scope="session")
def inbox_so() -> Path:
    """The inbox program, built once per session with our pipeline."""
    return build_program("inbox").so_path


@pytest.fixture
def chain(inbox_so: Path) -> LocalChain:
    """LiteSVM with the real Light programs and the inbox program (fresh per test)."""
    return LocalChain(inbox_so)
