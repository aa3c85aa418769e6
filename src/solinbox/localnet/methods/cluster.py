"""Cluster, epochs and the node: version, slots, heights, identity."""

from __future__ import annotations

import functools
from typing import Any

from solinbox.localnet.methods._family import Family, Handler
from solinbox.localnet.methods._params import (
    API_VERSION,
    BLOCK_NOT_AVAILABLE,
    FEATURE_SET,
    NO_SNAPSHOT,
    RpcError,
    config_at,
    invalid_params,
    param,
    parse_commitment,
    parse_pubkey,
    u64,
)

#: Slots in a year at 400 ms a slot, as a validator counts for inflation.
SLOTS_PER_YEAR = 365.242_199 * 24 * 60 * 60 / 0.4
MAX_SLOT_LEADERS = 5000
#: A validator's default genesis inflation.
INFLATION = {"foundation": 0.05, "foundationTerm": 7.0, "initial": 0.08, "taper": 0.15,
             "terminal": 0.015}  # fmt: skip

__all__ = ["ClusterMethods"]


class ClusterMethods(Family):
    """Cluster, epochs and the node: version, slots, heights, identity."""

    def table(self) -> dict[str, Handler]:
        """Method name -> handler."""
        return {
            "getVersion": self.get_version,
            "getHealth": lambda _p: "ok",
            "getIdentity": lambda _p: {"identity": str(self.bank.faucet.pubkey())},
            "getGenesisHash": lambda _p: str(self.bank.genesis_hash),
            "getSlot": self.get_slot,
            "getBlockHeight": self.get_block_height,
            "getTransactionCount": lambda _p: self.bank.transaction_count,
            "getEpochInfo": self.get_epoch_info,
            "getEpochSchedule": self.get_epoch_schedule,
            "getClusterNodes": self.get_cluster_nodes,
            "getSlotLeader": self.get_slot_leader,
            "getSlotLeaders": self.get_slot_leaders,
            "getLeaderSchedule": self.get_leader_schedule,
            "getBlockProduction": self.get_block_production,
            "getVoteAccounts": self.get_vote_accounts,
            "getInflationGovernor": self.get_inflation_governor,
            "getInflationRate": self.get_inflation_rate,
            "getInflationReward": self.get_inflation_reward,
            "getSupply": self.get_supply,
            "getRecentPerformanceSamples": self.get_recent_performance_samples,
            "getHighestSnapshotSlot": self.get_highest_snapshot_slot,
            "getMaxRetransmitSlot": lambda _p: self.bank.slot,
            "getMaxShredInsertSlot": lambda _p: self.bank.slot,
            "getStakeMinimumDelegation": self.get_stake_minimum_delegation,
        }

    def get_version(self, params: list[Any]) -> Any:
        """GetVersion."""
        return {"feature-set": FEATURE_SET, "solana-core": API_VERSION}

    def get_slot(self, params: list[Any]) -> Any:
        """GetSlot."""
        config = config_at(params, 0)
        self._context(config)
        return self.bank.slot_for(parse_commitment(config))

    def get_block_height(self, params: list[Any]) -> Any:
        """GetBlockHeight."""
        config = config_at(params, 0)
        self._context(config)
        return self.bank.block_height_for(parse_commitment(config))

    def get_epoch_info(self, params: list[Any]) -> Any:
        """GetEpochInfo."""
        config = config_at(params, 0)
        self._context(config)
        slot = self.bank.slot_for(parse_commitment(config))
        per_epoch = self.bank.slots_per_epoch
        return {
            "absoluteSlot": slot,
            "blockHeight": self.bank.block_height_for(parse_commitment(config)),
            "epoch": slot // per_epoch,
            "slotIndex": slot % per_epoch,
            "slotsInEpoch": per_epoch,
            "transactionCount": self.bank.transaction_count,
        }

    # -- one node: it is the only leader, its identity is the faucet's key ----------------------

    @property
    def _identity(self) -> str:
        return str(self.bank.faucet.pubkey())

    def get_epoch_schedule(self, params: list[Any]) -> Any:
        """GetEpochSchedule (no warmup: every epoch is ``slotsPerEpoch`` long)."""
        return {"firstNormalEpoch": 0, "firstNormalSlot": 0, "leaderScheduleSlotOffset": self.bank.slots_per_epoch,
                "slotsPerEpoch": self.bank.slots_per_epoch, "warmup": False}  # fmt: skip

    def get_cluster_nodes(self, params: list[Any]) -> Any:
        """GetClusterNodes: this node, with the address it serves JSON-RPC on."""
        return [{"featureSet": FEATURE_SET, "gossip": None, "pubkey": self._identity,
                 "pubsub": self.endpoints.get("pubsub"), "rpc": self.endpoints.get("rpc"),
                 "serveRepair": None, "shredVersion": 0, "tpu": None, "tpuForwards": None,
                 "tpuForwardsQuic": None, "tpuQuic": None, "tpuVote": None, "tvu": None,
                 "version": API_VERSION}]  # fmt: skip

    def get_slot_leader(self, params: list[Any]) -> Any:
        """GetSlotLeader."""
        self._context(config_at(params, 0))
        return self._identity

    def get_slot_leaders(self, params: list[Any]) -> Any:
        """GetSlotLeaders (``limit`` 1..5000)."""
        u64(param(params, 0, "start_slot"), "start_slot")
        limit = u64(param(params, 1, "limit"), "limit")
        if not 1 <= limit <= MAX_SLOT_LEADERS:
            raise invalid_params(f"Invalid limit; max {MAX_SLOT_LEADERS}")
        return [self._identity] * limit

    def get_leader_schedule(self, params: list[Any]) -> Any:
        """GetLeaderSchedule: every slot index of the epoch is this node's."""
        config: dict[str, Any] = {}
        slot: int | None = None
        if params and isinstance(params[0], dict):
            config = params[0]
        else:
            slot = u64(params[0], "slot") if params and params[0] is not None else None
            config = config_at(params, 1)
        self._context(config)
        identity = config.get("identity")
        if identity is not None and str(parse_pubkey(identity)) != self._identity:
            return {}
        epoch = (
            slot if slot is not None else self.bank.slot_for(parse_commitment(config))
        ) // self.bank.slots_per_epoch
        if epoch > self.bank.slot // self.bank.slots_per_epoch + 1:
            return None  # like a validator: no schedule for a far-future epoch
        return {self._identity: _schedule(self.bank.slots_per_epoch)}

    def get_block_production(self, params: list[Any]) -> Any:
        """GetBlockProduction: this node was leader of every slot and produced every block."""
        config = config_at(params, 0)
        context = self._context(config)
        last = self.bank.slot_for(parse_commitment(config))
        window = config.get("range") or {}
        if not isinstance(window, dict):
            raise invalid_params("Invalid params: invalid type for `range`.")
        first = u64(window.get("firstSlot", 0), "firstSlot")
        last = (
            min(last, u64(window["lastSlot"], "lastSlot"))
            if window.get("lastSlot") is not None
            else last
        )
        if first > last:
            raise invalid_params(f"lastSlot, {last}, cannot be less than firstSlot, {first}")
        identity = config.get("identity")
        produced = len(self.bank.blocks(first, last, "processed"))
        by_identity = {} if identity is not None and identity != self._identity else {
            self._identity: [last - first + 1, produced]}  # fmt: skip
        return {"context": context, "value": {"byIdentity": by_identity,
                                              "range": {"firstSlot": first, "lastSlot": last}}}  # fmt: skip

    def get_vote_accounts(self, params: list[Any]) -> Any:
        """GetVoteAccounts: the vote accounts in the ledger (this node does not vote)."""
        config = config_at(params, 0)
        self._context(config)
        return {"current": [], "delinquent": []}

    def get_inflation_governor(self, params: list[Any]) -> Any:
        """GetInflationGovernor (the genesis defaults of a validator)."""
        self._context(config_at(params, 0))
        return dict(INFLATION)

    def get_inflation_rate(self, params: list[Any]) -> Any:
        """GetInflationRate for the current epoch, from the governor."""
        epoch = self.bank.slot // self.bank.slots_per_epoch
        year = epoch * self.bank.slots_per_epoch / SLOTS_PER_YEAR
        total = max(INFLATION["initial"] * (1 - INFLATION["taper"]) ** year, INFLATION["terminal"])
        foundation = total * INFLATION["foundation"] if year < INFLATION["foundationTerm"] else 0.0
        return {
            "epoch": epoch,
            "foundation": foundation,
            "total": total,
            "validator": total - foundation,
        }

    def get_inflation_reward(self, params: list[Any]) -> Any:
        """GetInflationReward: no epoch has paid rewards here (no stake, no votes): null each."""
        keys = param(params, 0, "addresses")
        if not isinstance(keys, list):
            raise invalid_params("Invalid params: invalid type: expected a sequence of pubkeys.")
        for key in keys:
            parse_pubkey(key)
        config = config_at(params, 1)
        self._context(config)
        epoch = config.get("epoch")
        current = self.bank.slot // self.bank.slots_per_epoch
        if epoch is not None and u64(epoch, "epoch") >= current:
            raise RpcError(
                BLOCK_NOT_AVAILABLE, f"Epoch {epoch}. Only epochs before {current} have rewards"
            )
        return [None for _ in keys]

    def get_supply(self, params: list[Any]) -> Any:
        """GetSupply: the lamports of every account of the ledger (none is non-circulating)."""
        config = config_at(params, 0)
        context = self._context(config)
        total = sum(account.lamports for _key, account in self.bank.accounts())
        listed: list[str] | None = None if config.get("excludeNonCirculatingAccountsList") else []
        value = {"circulating": total, "nonCirculating": 0, "total": total}
        return {"context": context, "value": {**value, "nonCirculatingAccounts": listed or []}}

    def get_recent_performance_samples(self, params: list[Any]) -> Any:
        """GetRecentPerformanceSamples: 60-second samples of the produced blocks, newest first."""
        limit = u64(params[0], "limit") if params and params[0] is not None else 720
        if limit > 720:
            raise invalid_params("Invalid limit; max 720")
        return self.bank.performance_samples(limit)

    def get_highest_snapshot_slot(self, params: list[Any]) -> Any:
        """GetHighestSnapshotSlot: this node makes no snapshots (a validator's error for that)."""
        raise RpcError(NO_SNAPSHOT, "No snapshot")

    def get_stake_minimum_delegation(self, params: list[Any]) -> Any:
        """GetStakeMinimumDelegation (the stake program's minimum without the 1-SOL feature)."""
        return {"context": self._context(config_at(params, 0)), "value": 1}


@functools.cache
def _schedule(slots: int) -> list[int]:
    return list(range(slots))
