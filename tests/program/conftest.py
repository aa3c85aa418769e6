"""Fixtures for the program tests: the built inbox.so and a fresh chain per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from solinbox.testing import LocalChain


@pytest.fixture
def chain(inbox_so: Path) -> LocalChain:
    """LiteSVM with the real Light programs and the inbox program (fresh per test)."""
    return LocalChain(inbox_so)
