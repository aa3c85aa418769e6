"""Blocks: contents, ranges, times, the ledger bounds."""

from __future__ import annotations

from typing import Any

from solinbox.localnet.methods._family import Family, Handler
from solinbox.localnet.methods._params import (
    BLOCK_NOT_AVAILABLE,
    MAX_GET_BLOCKS_RANGE,
    SLOT_SKIPPED,
    RpcError,
    config_at,
    invalid_params,
    param,
    parse_encoding,
    u64,
)

__all__ = ["BlocksMethods"]


class BlocksMethods(Family):
    """Blocks: contents, ranges, times, the ledger bounds."""

    def table(self) -> dict[str, Handler]:
        """Method name -> handler."""
        return {
            "getBlock": self.get_block,
            "getBlocks": self.get_blocks,
            "getBlockTime": self.get_block_time,
            "getBlocksWithLimit": self.get_blocks_with_limit,
            "getBlockCommitment": self.get_block_commitment,
            "getFirstAvailableBlock": lambda _p: 0,
            "minimumLedgerSlot": lambda _p: 0,
        }

    def get_block(self, params: list[Any]) -> Any:
        """GetBlock (``transactionDetails`` full/signatures/none; ``rewards`` always empty)."""
        slot = u64(param(params, 0, "slot"), "slot")
        config = config_at(params, 1)
        encoding = parse_encoding(config, "json", ("json", "jsonParsed", "base64", "base58"))
        details = config.get("transactionDetails", "full") or "full"
        if details not in ("full", "signatures", "none", "accounts"):
            raise invalid_params(f"Invalid params: unknown variant `{details}`.")
        commitment = self._history_commitment(config)
        block = self.bank.block(slot, commitment)
        if block is None:
            if slot <= self.bank.slot_for(commitment):
                raise RpcError(
                    SLOT_SKIPPED,
                    f"Slot {slot} was skipped, or missing due to ledger jump to recent snapshot",
                )
            raise RpcError(BLOCK_NOT_AVAILABLE, f"Block not available for slot {slot}")
        out: dict[str, Any] = {
            "blockHeight": block.block_height,
            "blockTime": block.block_time,
            "blockhash": str(block.blockhash),
            "parentSlot": block.parent_slot,
            "previousBlockhash": str(block.previous_blockhash),
        }
        if config.get("rewards", True):
            out["rewards"] = []
        records = [self.bank.record(s) for s in block.signatures]
        if details in ("full", "accounts"):
            out["transactions"] = [
                self._encoded_with_meta(r, encoding, config) for r in records if r is not None
            ]
        elif details == "signatures":
            out["signatures"] = [str(s) for s in block.signatures]
        return out

    def get_blocks(self, params: list[Any]) -> Any:
        """GetBlocks."""
        start = u64(param(params, 0, "start_slot"), "start_slot")
        end: int | None = None
        config: dict[str, Any] = {}
        if len(params) > 1 and isinstance(params[1], dict):
            config = params[1]
        else:
            end = u64(params[1], "end_slot") if len(params) > 1 and params[1] is not None else None
            config = config_at(params, 2)
        if end is not None and end - start > MAX_GET_BLOCKS_RANGE:
            raise invalid_params(f"Slot range too large; max {MAX_GET_BLOCKS_RANGE}")
        commitment = self._history_commitment(config)
        if end is None and self.bank.slot_for(commitment) - start > MAX_GET_BLOCKS_RANGE:
            raise invalid_params(f"Slot range too large; max {MAX_GET_BLOCKS_RANGE}")
        return self.bank.blocks(start, end, commitment)

    def get_block_time(self, params: list[Any]) -> Any:
        """GetBlockTime."""
        slot = u64(param(params, 0, "slot"), "slot")
        block = self.bank.block(slot, "confirmed")
        if block is None:
            raise RpcError(BLOCK_NOT_AVAILABLE, f"Block not available for slot {slot}")
        return block.block_time

    def get_blocks_with_limit(self, params: list[Any]) -> Any:
        """GetBlocksWithLimit: up to ``limit`` blocks from ``start_slot``."""
        start = u64(param(params, 0, "start_slot"), "start_slot")
        limit = u64(param(params, 1, "limit"), "limit")
        if limit > MAX_GET_BLOCKS_RANGE:
            raise invalid_params(f"Limit too large; max {MAX_GET_BLOCKS_RANGE}")
        commitment = self._history_commitment(config_at(params, 2))
        if limit == 0:
            return []
        return self.bank.blocks(start, start + limit - 1, commitment)[:limit]

    def get_block_commitment(self, params: list[Any]) -> Any:
        """GetBlockCommitment: this node's stake at the block's confirmation depth (32 entries).

        A rooted (finalized) block is past the commitment cache: ``null``, as a validator says.
        """
        slot = u64(param(params, 0, "slot"), "slot")
        total = self.bank.total_stake
        if slot > self.bank.confirmed_slot or slot <= self.bank.finalized_slot:
            return {"commitment": None, "totalStake": total}
        commitment = [0] * 32
        commitment[min(31, self.bank.confirmed_slot - slot)] = total
        return {"commitment": commitment, "totalStake": total}
