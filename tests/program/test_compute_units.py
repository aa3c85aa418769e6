"""Compute-unit regression guards (limits with a stated margin over the last measurement).

Each limit is ``min(issue target, last known x ~1.15)``; the last known values come from
``scripts/bench-program`` (figures in docs/benchmarks.md). A change that makes an instruction
costlier than its limit fails here; update the limit deliberately, with the new figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from solinbox.bench.program_cu import CuRow, measure

# instruction -> (total limit V1, total limit V2, program-share limit)   # last known
LIMITS: dict[str, tuple[int, int, int]] = {
    "create_thread (existing page, SOL escrow)": (75_000, 35_000, 8_000),  # 65,216 / 25,778 / 4,833
    "create_thread (new page, SOL escrow)": (75_000, 35_000, 8_000),  # 67,560 / 27,258 / 7,154
    "create_thread (new page, token escrow)": (75_000, 35_000, 8_000),  # 67,261 / 27,835 / 6,878
    "create_thread (ephemeral, free)": (75_000, 35_000, 8_000),  # 65,433 / 25,173 / 5,073
    "send_message (60 B)": (60_000, 25_000, 5_000),  # 59,844 / 19,770 / 2,787
    "send_message (600 B)": (60_500, 25_000, 5_000),  # 60,082 / 20,031 / 3,048 (V1 over 60k by 82)
    "react": (60_000, 25_000, 2_300),  # 58,940 / 18,912 / 1,929
    "create_inbox (standard, SOL escrow rule)": (5_000, 5_000, 4_800),  # 4,471 / 4,471 / 4,321
    "block_sender": (3_300, 3_300, 3_100),  # 2,840 / 2,840 / 2,690
    "mark_read": (1_600, 1_600, 1_450),  # 1,390 / 1,390 / 1,240
    "set_archived": (1_600, 1_600, 1_450),  # 1,376 / 1,376 / 1,226
    "approve_escrow": (1_500, 1_500, 1_350),  # 1,292 / 1,292 / 1,142
    "claim_escrow (SOL)": (1_800, 1_800, 1_650),  # 1,585 / 1,585 / 1,435
    "claim_escrow (token)": (3_400, 3_400, 3_250),  # 2,954 / 2,954 / 2,804
    "refund_escrow (SOL)": (2_000, 2_000, 1_850),  # 1,757 / 1,757 / 1,607
    "unblock_sender": (1_250, 1_250, 1_100),  # 1,048 / 1,048 / 898
    "close_inbox (ephemeral, 1 page)": (1_250, 1_250, 1_100),  # 1,079 / 1,079 / 929
}


@pytest.fixture(scope="module")
def rows(inbox_so: Path) -> dict[tuple[str, str], CuRow]:
    measured = measure(inbox_so, "v1") + measure(inbox_so, "v2")
    return {(r.instruction, r.tree): r for r in measured}


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_compute_units_within_limits(rows: dict[tuple[str, str], CuRow], name: str) -> None:
    v1_limit, v2_limit, own_limit = LIMITS[name]
    v1, v2 = rows[(name, "v1")], rows[(name, "v2")]
    assert v1.total <= v1_limit, f"{name} V1: {v1.total} CU > {v1_limit}"
    assert v2.total <= v2_limit, f"{name} V2: {v2.total} CU > {v2_limit}"
    assert max(v1.own, v2.own) <= own_limit, (
        f"{name}: program share {max(v1.own, v2.own)} > {own_limit}"
    )


def test_light_share_is_separated(rows: dict[tuple[str, str], CuRow]) -> None:
    row = rows[("send_message (60 B)", "v2")]
    assert row.light > 10_000 and row.own == row.program - row.light and row.total > row.program
    # the V1 tree's 1.36 MB account makes the CPI itself cost 5,457 CU more than into a V2 queue
    assert rows[("send_message (60 B)", "v1")].light - row.light > 5_000
