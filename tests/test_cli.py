"""The solinbox command: build and demo, run as a user would (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def solinbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "solinbox.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_build_json() -> None:
    proc = solinbox("build", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    so = Path(info["path"])
    assert so == ROOT / "target/deploy/inbox.so"
    assert so.stat().st_size == info["size"]
    assert so.read_bytes()[:4] == b"\x7fELF"


def test_build_unknown_package_is_a_clean_error() -> None:
    proc = solinbox("build", "-p", "no-such-program")
    assert proc.returncode == 1
    assert "error:" in proc.stderr or "error:" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_demo_runs_end_to_end() -> None:
    """The README's main job: localnet + indexer + client over HTTP, a paid encrypted conversation."""
    proc = solinbox("demo", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
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
