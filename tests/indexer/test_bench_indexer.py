"""The indexer benchmark runs end to end on a small history (figures are not asserted here:
they go to docs/benchmarks.md; this checks the script generates, ingests and queries)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_bench_indexer_small_history(repo_root: Path, inbox_so: Path, tmp_path: Path) -> None:
    args = ["400", "--wallets", "6", "--inboxes-per-wallet", "2", "--requests", "5", "--json",
            "--regenerate", "--cache-dir", str(tmp_path), "--program-so", str(inbox_so)]  # fmt: skip
    proc = subprocess.run(
        [sys.executable, str(repo_root / "benchmarks" / "indexer.py"), *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    manifest, ingest = doc["manifest"], doc["ingest"]
    assert (
        manifest["transactions"] == ingest["transactions"] == ingest["stored_transactions"] == 400
    )
    assert ingest["accounts"] == manifest["records"] > 400  # headers + messages
    assert ingest["passes_logs"] and set(ingest["rss"]) >= {"10", "50", "100"}
    assert [q["name"] for q in doc["queries"]] == [
        "kind=Message + inbox", "kind=Message + inbox + thread_id",
        "kind=ThreadHeader + thread sender",
    ]  # fmt: skip
    assert all(q["requests"] == 5 and q["mean_items"] > 0 for q in doc["queries"])
