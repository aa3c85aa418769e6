"""The cluster, supply, leader, token-supply and fee methods a validator serves, each answer
parsed by solders' own response types and checked against the ledger it describes."""

from __future__ import annotations

from typing import Any

import solders.rpc.responses as r
from solders.compute_budget import set_compute_unit_price
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.localnet.bank import NATIVE_MINT, SLOTS_PER_EPOCH
from solinbox.localnet.server import Localnet

from ._helpers import pay, signed
from .conftest import Rpc


def _parse(kind: Any, text: str) -> Any:
    parsed = kind.from_json(text)
    assert not isinstance(parsed, r.InvalidParamsMessage | r.RPCError), text  # type: ignore[attr-defined]
    return parsed


async def test_one_node_cluster(mrpc: Rpc, manual: Localnet) -> None:
    manual.produce_block()
    identity = str(manual.bank.faucet.pubkey())
    assert (await mrpc.call("getIdentity"))["result"] == {"identity": identity}
    nodes = _parse(r.GetClusterNodesResp, await mrpc.text("getClusterNodes")).value
    assert [str(n.pubkey) for n in nodes] == [identity]
    assert nodes[0].rpc == manual.rpc_url.removeprefix("http://")
    schedule = _parse(r.GetEpochScheduleResp, await mrpc.text("getEpochSchedule")).value
    assert schedule.slots_per_epoch == SLOTS_PER_EPOCH and not schedule.warmup
    assert str(_parse(r.GetSlotLeaderResp, await mrpc.text("getSlotLeader")).value) == identity
    leaders = _parse(r.GetSlotLeadersResp, await mrpc.text("getSlotLeaders", 0, 10)).value
    assert [str(k) for k in leaders] == [identity] * 10
    assert (await mrpc.call("getSlotLeaders", 0, 5001))["error"]["code"] == -32602
    leader = _parse(r.GetLeaderScheduleResp, await mrpc.text("getLeaderSchedule")).value
    assert (
        list(leader) == [Pubkey.from_string(identity)]
        and len(leader[Pubkey.from_string(identity)]) == SLOTS_PER_EPOCH
    )
    assert (await mrpc.call("getLeaderSchedule", None, {"identity": str(Keypair().pubkey())}))[
        "result"
    ] == {}
    production = _parse(r.GetBlockProductionResp, await mrpc.text("getBlockProduction")).value
    first, last = production.range.first_slot, production.range.last_slot
    assert production.by_identity[Pubkey.from_string(identity)] == (
        last - first + 1,
        last - first + 1,
    )
    _parse(r.GetVoteAccountsResp, await mrpc.text("getVoteAccounts"))
    governor = _parse(r.GetInflationGovernorResp, await mrpc.text("getInflationGovernor")).value
    rate = _parse(r.GetInflationRateResp, await mrpc.text("getInflationRate")).value
    assert rate.total == governor.initial and rate.epoch == 0
    assert abs(rate.foundation - governor.initial * governor.foundation) < 1e-12
    rewards = _parse(r.GetInflationRewardResp, await mrpc.text("getInflationReward", [identity]))
    assert rewards.value == [None]
    assert (await mrpc.call("getHighestSnapshotSlot"))["error"]["code"] == -32008
    assert (await mrpc.call("getMaxRetransmitSlot"))["result"] == manual.bank.slot
    assert (await mrpc.call("getMaxShredInsertSlot"))["result"] == manual.bank.slot
    _parse(r.GetStakeMinimumDelegationResp, await mrpc.text("getStakeMinimumDelegation"))
    _parse(r.GetRecentPerformanceSamplesResp, await mrpc.text("getRecentPerformanceSamples", 4))


async def test_supply_and_largest_accounts_are_the_ledgers(mrpc: Rpc, manual: Localnet) -> None:
    bank = manual.bank
    payer, dest = Keypair(), Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    before = _parse(r.GetSupplyResp, await mrpc.text("getSupply")).value.total
    bank.process(signed(bank, payer, [pay(payer, dest.pubkey(), 10**6)]))  # burns its fee
    supply = _parse(r.GetSupplyResp, await mrpc.text("getSupply")).value
    assert supply.total == sum(a.lamports for _k, a in bank.accounts())
    assert before - supply.total == 5000 and supply.circulating == supply.total
    largest = _parse(r.GetLargestAccountsResp, await mrpc.text("getLargestAccounts")).value
    assert str(largest[0].address) == str(bank.faucet.pubkey()) and len(largest) == 20
    assert [a.lamports for a in largest] == sorted((a.lamports for a in largest), reverse=True)


async def test_native_mint_supply_and_holders(mrpc: Rpc, manual: Localnet) -> None:
    supply = _parse(r.GetTokenSupplyResp, await mrpc.text("getTokenSupply", str(NATIVE_MINT)))
    assert supply.value.decimals == 9 and supply.value.amount == "0"
    holders = _parse(
        r.GetTokenLargestAccountsResp, await mrpc.text("getTokenLargestAccounts", str(NATIVE_MINT))
    )
    assert holders.value == []
    assert (await mrpc.call("getTokenSupply", str(Keypair().pubkey())))["error"]["code"] == -32602


async def test_blocks_commitment_and_prioritization_fees(mrpc: Rpc, manual: Localnet) -> None:
    bank = manual.bank
    payer, busy = Keypair(), Keypair()
    bank.airdrop(payer.pubkey(), 10**9)
    manual.produce_block()
    cheap = signed(bank, payer, [set_compute_unit_price(7), pay(payer, busy.pubkey(), 10**6)])
    dear = signed(bank, payer, [set_compute_unit_price(99), pay(payer, Keypair().pubkey(), 10**6)])
    bank.process(cheap)
    bank.process(dear)
    block = manual.produce_block()
    fees = _parse(r.GetRecentPrioritizationFeesResp,
                  await mrpc.text("getRecentPrioritizationFees", [str(busy.pubkey())])).value  # fmt: skip
    by_slot = {f.slot: f.prioritization_fee for f in fees}
    assert by_slot[block.slot] == 7 and by_slot[block.slot - 1] == 0
    everyone = await mrpc.call("getRecentPrioritizationFees")
    assert {f["slot"]: f["prioritizationFee"] for f in everyone["result"]}[block.slot] == 7
    limited = _parse(r.GetBlocksWithLimitResp,
                     await mrpc.text("getBlocksWithLimit", 0, 2, {"commitment": "confirmed"})).value  # fmt: skip
    assert limited == [0, 1]
    recent = _parse(
        r.GetBlockCommitmentResp, await mrpc.text("getBlockCommitment", block.slot)
    ).value
    rooted = _parse(r.GetBlockCommitmentResp, await mrpc.text("getBlockCommitment", 0)).value
    assert recent.commitment is not None and len(recent.commitment) == 32
    assert rooted.commitment is None
