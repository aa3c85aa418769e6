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
    proc = solinbox("demo", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["program_id"] == "iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei"
    assert summary["light"]["accounts"] == 36
    codes = [c["result"] for c in summary["calls"]]
    assert "6001" in codes[0] and "6000" in codes[1] and "6002" in codes[2]
    trees = {c["tree"][:3]: c for c in summary["compressed"]}
    assert set(trees) == {"smt", "bmt"}
    assert all(c["verified"] and c["leaf_index"] == 0 for c in summary["compressed"])
