"""Cluster, epochs and the node: version, slots, heights, identity."""

from __future__ import annotations

from typing import Any

from solinbox.localnet.methods._family import Family, Handler
from solinbox.localnet.methods._params import (
    API_VERSION,
    FEATURE_SET,
    config_at,
    parse_commitment,
)

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
        per_epoch = 432_000
        return {
            "absoluteSlot": slot,
            "blockHeight": slot,
            "epoch": slot // per_epoch,
            "slotIndex": slot % per_epoch,
            "slotsInEpoch": per_epoch,
            "transactionCount": self.bank.transaction_count,
        }
