"""The solinbox command: build and demo, run as a user would (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from solinbox.build import BuildResult

Solinbox = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def solinbox(repo_root: Path, cli_env: dict[str, str]) -> Solinbox:
    def run(*args: str, cwd: Path = repo_root) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "solinbox.cli", *args],
            cwd=cwd, env=cli_env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    return run


def test_build_json(solinbox: Solinbox, repo_root: Path) -> None:
    proc = solinbox("build", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    so = Path(info["path"])
    assert so == repo_root / "target/deploy/inbox.so"
    assert so.stat().st_size == info["size"]
    assert so.read_bytes()[:4] == b"\x7fELF"


def test_build_outside_a_checkout_says_what_it_needs(solinbox: Solinbox, tmp_path: Path) -> None:
    proc = solinbox("build", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no solinbox source checkout" in proc.stderr
    assert "already carries the built inbox program" in proc.stderr


def test_build_unknown_package_is_a_clean_error(solinbox: Solinbox) -> None:
    proc = solinbox("build", "-p", "no-such-program")
    assert proc.returncode == 1
    assert "error:" in proc.stderr or "error:" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_demo_runs_end_to_end(solinbox: Solinbox, inbox_build: BuildResult) -> None:
    """The README's main job: localnet + indexer + client over HTTP, a paid encrypted conversation."""
    proc = solinbox("demo", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    # the program under test, named by $SOLINBOX_PROGRAM_SO (cli_env), not the packaged copy
    assert summary["program"]["origin"] == "$SOLINBOX_PROGRAM_SO"
    assert summary["program"]["sha256"] == inbox_build.sha256
    assert summary["program_id"] == "iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei"
    messages = summary["messages"]
    assert [m["seq"] for m in messages] == [1, 2, 3, 4]
    assert [m["encrypted"] for m in messages] == [False, True, True, True]
    assert (
        messages[0]["content"].startswith("Hi Alice")
        and messages[3]["content"] == "Looks great - approved."
    )
    assert (
        messages[0]["sender"] == summary["thread"]["from"]
        and messages[1]["sender"] == summary["thread"]["to"]
    )
    assert summary["reactions"] == [{"seq": 4, "reaction": "\N{PARTY POPPER}"}]
    assert summary["escrow"] == {"state": "CLAIMED", "claimed": 10_000_000}
    assert summary["unread"] == {"alice": 0, "bob": 0}
    assert summary["activity"] == [{"recipient": summary["thread"]["to"], "thread": 1, "unread": 0}]
    assert summary["indexed_accounts"] == 6  # header + 4 messages + 1 reaction
    assert summary["history"] == [  # newest first, decoded by the indexer
        "claim_escrow", "react", "mark_read", "send_message", "send_message", "send_message",
        "create_thread", "create_inbox",
    ]  # fmt: skip
