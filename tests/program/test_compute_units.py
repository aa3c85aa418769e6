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
    "create_thread (existing page, SOL escrow)": (75_000, 35_000, 8_000),  # 64,717 / 25,645 / 4,700
    "create_thread (new page, SOL escrow)": (75_000, 35_000, 8_000),  # 66,490 / 26,918 / 6,814
    "create_thread (new page, token escrow)": (75_000, 35_000, 8_000),  # 66,573 / 27,879 / 6,922
    "create_thread (ephemeral, free)": (75_000, 35_000, 8_000),  # 65,479 / 25,585 / 5,485
    "send_message (60 B)": (60_000, 25_000, 5_000),  # 59,364 / 19,290 / 2,307
    "send_message (600 B)": (60_000, 25_000, 5_000),  # 59,602 / 19,551 / 2,568
    "react": (60_000, 25_000, 2_000),  # 58,460 / 18,432 / 1,449
    "create_inbox (standard, SOL escrow rule)": (5_000, 5_000, 4_800),  # 4,073 / 2,987 / 3,923
    "block_sender": (3_500, 3_500, 3_300),  # 2,600 / 2,968 / 2,818
    "mark_read": (1_050, 1_050, 900),  # 910 / 910 / 760
    "set_archived": (1_050, 1_050, 900),  # 896 / 896 / 746
    "approve_escrow": (900, 900, 750),  # 768 / 768 / 618
    "claim_escrow (SOL)": (1_250, 1_250, 1_050),  # 1,049 / 1,049 / 899
    "claim_escrow (token)": (2_800, 2_800, 2_650),  # 2,418 / 2,418 / 2,268
    "refund_escrow (SOL)": (1_500, 1_500, 1_300),  # 1,275 / 1,275 / 1,125
    "unblock_sender": (900, 900, 750),  # 775 / 775 / 625
    "close_inbox (ephemeral, 1 page)": (950, 950, 800),  # 811 / 811 / 661
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
