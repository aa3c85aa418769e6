"""Turning transactions into indexed compressed accounts, from two kinds of source.

* In process: :meth:`Indexer.attach` subscribes to a localnet :class:`~solinbox.localnet.bank.Bank`
  and indexes each transaction when its block is produced.
* Any Solana JSON-RPC endpoint: :class:`RpcFollower` walks ``getBlocks`` / ``getBlock`` from the
  store's checkpoint (the localnet or a real cluster).

Every transaction that touches the Light system program — top level or by CPI — is parsed
(outer Light instruction + inner ``insert_into_queues``), each output's Poseidon leaf hash is
recomputed, and a transaction with any mismatch is refused (:class:`IngestError`) and stored
nowhere. Failed transactions change no state and are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Commitment, Confirmed
from solana.rpc.core import RPCException
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import TransactionMetadata
from solders.transaction_status import UiCompiledInstruction

from solinbox._base58 import b58decode
from solinbox.errors import SolinboxError
from solinbox.indexer.store import IndexedTransaction, SqliteStore
from solinbox.light._borsh import LightDecodeError
from solinbox.light.events import FlatInstruction, NewCompressedAccount, parse_light_outputs
from solinbox.light.ids import LIGHT_SYSTEM_PROGRAM_ID

__all__ = ["IngestError", "Indexer", "RpcFollower"]

log = logging.getLogger("solinbox.indexer")


class IngestError(SolinboxError):
    """A transaction could not be indexed (malformed Light data or a leaf hash mismatch)."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    program_index: int
    accounts: bytes
    data: bytes
    stack_height: int | None


def _flatten(
    keys: Sequence[Pubkey], top: Sequence[_Compiled], inner: dict[int, list[_Compiled]]
) -> list[FlatInstruction]:
    flat: list[FlatInstruction] = []

    def resolve(ix: _Compiled, height: int | None) -> FlatInstruction:
        return FlatInstruction(
            keys[ix.program_index], tuple(keys[i] for i in ix.accounts), ix.data, height
        )

    for index, ix in enumerate(top):
        flat.append(resolve(ix, 1))
        flat += [resolve(child, child.stack_height) for child in inner.get(index, [])]
    return flat


def outputs_of(flat: Sequence[FlatInstruction]) -> list[NewCompressedAccount]:
    """The verified outputs of a flattened transaction (raises :class:`IngestError`)."""
    if not any(ix.program_id == LIGHT_SYSTEM_PROGRAM_ID for ix in flat):
        return []
    try:
        return parse_light_outputs(flat, verify_hashes=True)
    except (LightDecodeError, IndexError, ValueError) as exc:
        raise IngestError(str(exc)) from exc


class Indexer:
    """Applies transactions to a store (idempotently)."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.refused = 0

    def ingest_flat(
        self,
        signature: Signature,
        slot: int,
        block_time: int | None,
        flat: Sequence[FlatInstruction],
    ) -> int:
        """Index one successful transaction; returns the number of accounts stored."""
        try:
            outputs = outputs_of(flat)
        except IngestError:
            self.refused += 1
            log.warning("refused %s: Light data does not verify", signature)
            raise
        if not outputs:
            self.store.advance(slot)
            return 0
        self.store.apply(IndexedTransaction(signature, slot, block_time, tuple(outputs)))
        return len(outputs)

    def ingest_litesvm(
        self,
        signature: Signature,
        slot: int,
        tx: VersionedTransaction,
        meta: TransactionMetadata,
        *,
        loaded: Sequence[Pubkey] = (),
        block_time: int | None = None,
    ) -> int:
        """Index a transaction as LiteSVM executed it (``loaded``: lookup-table addresses)."""
        message = tx.message
        keys = [*message.account_keys, *loaded]
        top = [
            _Compiled(ix.program_id_index, bytes(ix.accounts), bytes(ix.data), 1)
            for ix in message.instructions
        ]
        inner: dict[int, list[_Compiled]] = {}
        for index, group in enumerate(meta.inner_instructions()):
            inner[index] = [
                _Compiled(
                    i.instruction().program_id_index,
                    bytes(i.instruction().accounts),
                    bytes(i.instruction().data),
                    i.stack_height(),
                )
                for i in group
            ]
        return self.ingest_flat(signature, slot, block_time, _flatten(keys, top, inner))

    def attach(self, bank: object) -> Callable[[], None]:
        """Index every successful transaction of a localnet bank as its block is produced."""

        def on_transaction(record: object) -> None:
            if getattr(record, "err", None) is not None:
                return
            with contextlib.suppress(IngestError):  # counted and logged in ingest_flat
                self.ingest_litesvm(
                    record.signature,  # type: ignore[attr-defined]
                    record.slot,  # type: ignore[attr-defined]
                    record.transaction,  # type: ignore[attr-defined]
                    record.meta,  # type: ignore[attr-defined]
                    loaded=[*record.loaded_writable, *record.loaded_readonly],  # type: ignore[attr-defined]
                )

        def on_block(block: object) -> None:
            self.store.advance(block.slot)  # type: ignore[attr-defined]

        # Both run synchronously inside Bank.produce_block, so no reader sees half a block.
        stop_tx: Callable[[], None] = bank.subscribe_transactions(on_transaction)  # type: ignore[attr-defined]
        stop_blocks: Callable[[], None] = bank.on_block(on_block)  # type: ignore[attr-defined]

        def unsubscribe() -> None:
            stop_tx()
            stop_blocks()

        return unsubscribe


class RpcFollower:
    """Follows any JSON-RPC endpoint block by block from the store's checkpoint."""

    def __init__(
        self,
        indexer: Indexer,
        rpc: AsyncClient,
        *,
        commitment: Commitment = Confirmed,
        poll_interval: float = 0.2,
    ) -> None:
        self.indexer = indexer
        self.rpc = rpc
        self.commitment = commitment
        self.poll_interval = poll_interval

    async def catch_up(self) -> int:
        """Index every block after the checkpoint up to the node's ``commitment`` slot."""
        store = self.indexer.store
        try:
            tip = (await self.rpc.get_slot(self.commitment)).value
            start = store.slot() + 1
            if start > tip:
                return 0
            slots = (await self.rpc.get_blocks(start, tip)).value
        except RPCException as exc:
            raise IngestError(f"cannot list blocks: {exc}") from exc
        stored = 0
        for slot in slots:
            stored += await self._block(slot)
            store.advance(slot)
        store.advance(tip)
        return stored

    async def _block(self, slot: int) -> int:
        try:
            block = (
                await self.rpc.get_block(slot, "base64", max_supported_transaction_version=0)
            ).value
        except RPCException as exc:
            raise IngestError(f"getBlock {slot}: {exc}") from exc
        stored = 0
        for entry in block.transactions or []:
            meta = entry.meta
            tx = entry.transaction
            if meta is None or meta.err is not None or not isinstance(tx, VersionedTransaction):
                continue
            message = tx.message
            loaded = meta.loaded_addresses
            keys = [*message.account_keys]
            if loaded is not None:
                keys += [Pubkey.from_string(str(k)) for k in [*loaded.writable, *loaded.readonly]]
            top = [
                _Compiled(ix.program_id_index, bytes(ix.accounts), bytes(ix.data), 1)
                for ix in message.instructions
            ]
            inner: dict[int, list[_Compiled]] = {}
            for group in meta.inner_instructions or []:
                inner[group.index] = [
                    _Compiled(
                        i.program_id_index, bytes(i.accounts), b58decode(i.data), i.stack_height
                    )
                    for i in group.instructions
                    if isinstance(i, UiCompiledInstruction)
                ]
            try:
                stored += self.indexer.ingest_flat(
                    tx.signatures[0], slot, block.block_time, _flatten(keys, top, inner)
                )
            except IngestError:
                continue
        return stored

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Follow the chain until ``stop`` is set."""
        while stop is None or not stop.is_set():
            await self.catch_up()
            await asyncio.sleep(self.poll_interval)
