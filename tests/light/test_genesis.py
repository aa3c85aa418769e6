"""The genesis LiteSVM: Light programs, the 36 accounts, duplicate dumps, the SOL pool."""

from __future__ import annotations

import base64
import json
import time

from solders.pubkey import Pubkey

from solinbox.light import LightPackage
from solinbox.light.ids import (
    LIGHT_PROGRAMS,
    SOL_POOL_PDA,
    STATE_TREES_V1,
    SYSTEM_PROGRAM_ID,
)
from solinbox.localnet.genesis import build_light_svm, light_account_sources, light_accounts

CPI_CONTEXT_V2_DISCRIMINATOR = bytes([34, 184, 183, 14, 100, 80, 183, 124])
CPI_CONTEXT_V1_DISCRIMINATOR = bytes([22, 20, 149, 218, 74, 204, 128, 166])


def test_programs_are_executable(light_package: LightPackage) -> None:
    svm = build_light_svm(package=light_package)
    for program_id in LIGHT_PROGRAMS.values():
        account = svm.get_account(program_id)
        assert account is not None and account.executable, program_id


def test_all_36_accounts_loaded(light_package: LightPackage) -> None:
    svm = build_light_svm(package=light_package)
    sources = light_account_sources(light_package)
    assert len(light_package.account_files()) == 39
    assert len(sources) == 36
    for pubkey, dump in light_accounts(light_package).items():
        loaded = svm.get_account(pubkey)
        assert loaded is not None, pubkey
        assert loaded.data == dump.account.data
        assert loaded.owner == dump.account.owner
        assert loaded.lamports == dump.account.lamports


def test_duplicate_dumps_resolve_to_the_current_files(light_package: LightPackage) -> None:
    sources = light_account_sources(light_package)
    smt2 = STATE_TREES_V1[1]
    duplicated = {smt2.cpi_context, smt2.tree, smt2.nullifier_queue}
    names = [path.name for path in light_package.account_files()]
    for pubkey in duplicated:
        assert sum(str(pubkey) in name for name in names) == 2
        assert "_2_" not in sources[pubkey].name, sources[pubkey]
    old_context = light_package.root / "accounts" / f"cpi_context_2_{smt2.cpi_context}.json"
    assert old_context.is_file()

    svm = build_light_svm(package=light_package)
    context = svm.get_account(smt2.cpi_context)
    assert context is not None
    assert len(context.data) == 14_020
    assert context.data[:8] == CPI_CONTEXT_V2_DISCRIMINATOR
    old = json.loads(old_context.read_text())["account"]  # the losing dump is V1-format
    old_data = base64.b64decode(old["data"][0])
    assert (len(old_data), old_data[:8]) == (20_488, CPI_CONTEXT_V1_DISCRIMINATOR)
    tree = svm.get_account(smt2.tree)
    assert tree is not None and len(tree.data) == 1_364_288


def test_sol_pool_funding(light_package: LightPackage) -> None:
    funded = build_light_svm(package=light_package)
    pool = funded.get_account(SOL_POOL_PDA)
    assert pool is not None
    assert pool.owner == SYSTEM_PROGRAM_ID and pool.data == b""
    assert pool.lamports == funded.minimum_balance_for_rent_exemption(0) == 890_880
    assert (
        build_light_svm(package=light_package, fund_sol_pool=False).get_account(SOL_POOL_PDA)
        is None
    )


def test_extra_programs_are_added(light_package: LightPackage) -> None:
    extra = Pubkey.new_unique()
    svm = build_light_svm(
        package=light_package, programs={extra: light_package.program_path("spl_noop")}
    )
    account = svm.get_account(extra)
    assert account is not None and account.executable


def test_build_is_fast(light_package: LightPackage) -> None:
    build_light_svm(package=light_package)  # parse cache warm
    start = time.perf_counter()
    for _ in range(5):
        build_light_svm(package=light_package)
    assert (time.perf_counter() - start) / 5 < 0.5
