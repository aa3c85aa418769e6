"""Sending transactions.

Compute budget sized from simulation, v0 messages with optional address lookup tables,
confirmation bounded by blockhash expiry, typed failures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Commitment, Confirmed, Processed
from solana.rpc.core import RPCException
from solana.rpc.models import TxOpts
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.signature import Signature
from solders.transaction import VersionedTransaction
from solders.transaction_status import TransactionConfirmationStatus

from solinbox.client._errors import ConfirmationTimeout, RpcError, raise_for_failure

__all__ = ["MAX_COMPUTE_UNITS", "TransactionResult", "TransactionSender", "build_transaction"]

MAX_COMPUTE_UNITS = 1_400_000


@dataclass(frozen=True, slots=True)
class TransactionResult:
    """A confirmed transaction."""

    signature: Signature
    slot: int
    logs: list[str]
    compute_units: int | None


def build_transaction(
    instructions: Sequence[Instruction],
    signers: Sequence[Keypair],
    blockhash: Hash,
    *,
    compute_units: int | None = None,
    priority_micro_lamports: int = 0,
    lookup_tables: Sequence[AddressLookupTableAccount] = (),
) -> VersionedTransaction:
    """A signed v0 transaction (the first signer pays), with compute-budget instructions."""
    budget: list[Instruction] = []
    if compute_units is not None:
        budget.append(set_compute_unit_limit(compute_units))
    if priority_micro_lamports:
        budget.append(set_compute_unit_price(priority_micro_lamports))
    msg = MessageV0.try_compile(
        signers[0].pubkey(), [*budget, *instructions], list(lookup_tables), blockhash
    )
    return VersionedTransaction(msg, list(signers))


def _is_at_least(status: TransactionConfirmationStatus | None, commitment: Commitment) -> bool:
    if status is None:
        return False
    rank = {"processed": 0, "confirmed": 1, "finalized": 2}
    if status == TransactionConfirmationStatus.Finalized:
        have = 2
    elif status == TransactionConfirmationStatus.Confirmed:
        have = 1
    else:
        have = 0
    return have >= rank[str(commitment.value if hasattr(commitment, "value") else commitment)]


class TransactionSender:
    """Sends instructions through an :class:`AsyncClient` (solana-py, injected).

    Each send simulates first with the maximum compute budget, sets the limit to the units
    used plus ``cu_margin`` (10 % by default, at least 1,000), signs, sends without a second
    preflight, and polls the signature until ``commitment`` or until the blockhash expires.
    Program failures raise the program's own error class; others raise the client's errors.
    """

    def __init__(
        self,
        rpc: AsyncClient,
        *,
        commitment: Commitment = Confirmed,
        lookup_tables: Sequence[AddressLookupTableAccount] = (),
        cu_margin: float = 0.10,
        priority_micro_lamports: int = 0,
        poll_interval: float = 0.2,
    ) -> None:
        self.rpc = rpc
        self.commitment = commitment
        self.lookup_tables = list(lookup_tables)
        self.cu_margin = cu_margin
        self.priority_micro_lamports = priority_micro_lamports
        self.poll_interval = poll_interval

    async def simulate_units(
        self, instructions: Sequence[Instruction], signers: Sequence[Keypair], blockhash: Hash
    ) -> int:
        """Compute units the instructions use (raises on any failure, with logs)."""
        probe = build_transaction(instructions, signers, blockhash, compute_units=MAX_COMPUTE_UNITS,
                                  lookup_tables=self.lookup_tables)  # fmt: skip
        try:
            sim = await self.rpc.simulate_transaction(probe, sig_verify=False, commitment=Processed)
        except RPCException as exc:
            raise RpcError(f"simulateTransaction failed: {exc}") from exc
        value = sim.value
        logs = list(value.logs or [])
        if value.err is not None:
            raise_for_failure(value.err, logs, simulated=True)
        return int(value.units_consumed or 0)

    async def send(
        self, instructions: Sequence[Instruction], signers: Sequence[Keypair]
    ) -> TransactionResult:
        """Send and confirm; returns the signature, slot, logs and compute units."""
        try:
            latest = (await self.rpc.get_latest_blockhash(self.commitment)).value
        except RPCException as exc:
            raise RpcError(f"getLatestBlockhash failed: {exc}") from exc
        units = await self.simulate_units(instructions, signers, latest.blockhash)
        limit = min(MAX_COMPUTE_UNITS, max(units + 1_000, int(units * (1 + self.cu_margin))))
        tx = build_transaction(instructions, signers, latest.blockhash, compute_units=limit,
                               priority_micro_lamports=self.priority_micro_lamports,
                               lookup_tables=self.lookup_tables)  # fmt: skip
        try:
            signature = (await self.rpc.send_transaction(tx, TxOpts(skip_preflight=True))).value
        except RPCException as exc:
            raise RpcError(f"sendTransaction failed: {exc}") from exc
        await self._confirm(signature, latest.last_valid_block_height)
        return await self._fetch(signature)

    async def _confirm(self, signature: Signature, last_valid_block_height: int) -> None:
        while True:
            try:
                statuses = (await self.rpc.get_signature_statuses([signature])).value
            except RPCException as exc:
                raise RpcError(f"getSignatureStatuses failed: {exc}") from exc
            status = statuses[0]
            if status is not None and _is_at_least(status.confirmation_status, self.commitment):
                return
            height = (await self.rpc.get_block_height(Processed)).value
            if height > last_valid_block_height:
                raise ConfirmationTimeout(
                    f"{signature} not confirmed before block height {last_valid_block_height}"
                )
            await asyncio.sleep(self.poll_interval)

    async def _fetch(self, signature: Signature) -> TransactionResult:
        try:
            resp = await self.rpc.get_transaction(signature, encoding="json", commitment=self.commitment,
                                                  max_supported_transaction_version=0)  # fmt: skip
        except RPCException as exc:
            raise RpcError(f"getTransaction failed: {exc}") from exc
        if resp.value is None:
            raise RpcError(f"getTransaction returned nothing for confirmed {signature}")
        meta = resp.value.transaction.meta
        logs = list(meta.log_messages or []) if meta else []
        if meta is not None and meta.err is not None:
            raise_for_failure(meta.err, logs, simulated=False)
        units = meta.compute_units_consumed if meta else None
        return TransactionResult(signature, resp.value.slot, logs, units)
