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
from typing import TYPE_CHECKING

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
from solinbox.indexer.inbox import inbox_activity
from solinbox.indexer.store import IndexedTransaction, PostgresStore, SpentAccount, SqliteStore
from solinbox.light._borsh import LightDecodeError
from solinbox.light.events import FlatInstruction, NewCompressedAccount, parse_light_invocations
from solinbox.light.ids import LIGHT_SYSTEM_PROGRAM_ID

__all__ = ["IngestError", "Indexer", "RpcFollower"]

if TYPE_CHECKING:
    from solinbox.localnet.bank import Bank, Block

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
    return light_effects(flat)[0]


def light_effects(
    flat: Sequence[FlatInstruction],
) -> tuple[list[NewCompressedAccount], list[SpentAccount]]:
    """What a transaction did to compressed state: the verified outputs and the spent inputs.

    Raises:
        IngestError: malformed Light data or an output whose leaf hash does not verify.
    """
    if not any(ix.program_id == LIGHT_SYSTEM_PROGRAM_ID for ix in flat):
        return [], []
    try:
        invocations = parse_light_invocations(flat, verify_hashes=True)
    except (LightDecodeError, IndexError, ValueError) as exc:
        raise IngestError(str(exc)) from exc
    outputs = [o for inv in invocations for o in inv.outputs]
    spent = [
        SpentAccount(n.account_hash, inv.insert_into_queues.tx_hash)
        for inv in invocations
        for n in inv.insert_into_queues.nullifiers
    ]
    return outputs, spent


class Indexer:
    """Applies transactions to a store (idempotently)."""

    def __init__(self, store: SqliteStore | PostgresStore) -> None:
        self.store = store
        self.refused = 0

    def indexed(
        self,
        signature: Signature,
        slot: int,
        block_time: int | None,
        flat: Sequence[FlatInstruction],
        logs: Sequence[str] = (),
    ) -> IndexedTransaction | None:
        """Parse and verify one successful transaction; None if there is nothing to keep.

        Kept: the compressed accounts it wrote and spent (Light) and every invocation of the inbox program
        (its instruction and the events it logged, from ``logs``).
        """
        try:
            outputs, spent = light_effects(flat)
        except IngestError:
            self.refused += 1
            log.warning("refused %s: Light data does not verify", signature)
            raise
        activity = inbox_activity(flat, logs, self.store.program_id)
        if not outputs and not spent and not activity:
            return None
        return IndexedTransaction(
            signature, slot, block_time, tuple(outputs), tuple(activity), tuple(spent)
        )

    def ingest_flat(
        self,
        signature: Signature,
        slot: int,
        block_time: int | None,
        flat: Sequence[FlatInstruction],
        logs: Sequence[str] = (),
    ) -> int:
        """Index one transaction (the checkpoint does not move); returns the accounts stored."""
        tx = self.indexed(signature, slot, block_time, flat, logs)
        if tx is None:
            return 0
        self.store.apply(tx)
        return len(tx.outputs)

    def litesvm_flat(
        self, tx: VersionedTransaction, meta: TransactionMetadata, loaded: Sequence[Pubkey] = ()
    ) -> list[FlatInstruction]:
        """A transaction as LiteSVM executed it, flattened (``loaded``: lookup-table addresses)."""
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
        return _flatten(keys, top, inner)

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
        """Index a transaction as LiteSVM executed it (the checkpoint does not move)."""
        flat = self.litesvm_flat(tx, meta, loaded)
        return self.ingest_flat(signature, slot, block_time, flat, meta.logs())

    def attach(self, bank: Bank) -> Callable[[], None]:
        """Index a localnet bank block by block, as each block is produced.

        Blocks the bank already has beyond the store's checkpoint are indexed first (a store
        that is behind its bank after a crash catches up). A block's successful transactions
        and the checkpoint move in one database transaction.
        """

        def on_block(block: Block) -> None:
            batch: list[IndexedTransaction] = []
            for signature in block.signatures:
                record = bank.record(signature)
                if record is None or record.err is not None:
                    continue
                loaded = [*record.loaded_writable, *record.loaded_readonly]
                flat = self.litesvm_flat(record.transaction, record.meta, loaded)
                with contextlib.suppress(IngestError):  # counted and logged in indexed()
                    indexed = self.indexed(
                        signature, record.slot, block.block_time, flat, record.meta.logs()
                    )
                    if indexed is not None:
                        batch.append(indexed)
            self.store.apply_block(block.slot, batch)

        for slot in bank.blocks(self.store.slot() + 1, bank.confirmed_slot, "processed"):
            backlog = bank.block(slot, "processed")
            if backlog is not None:
                on_block(backlog)
        return bank.on_block(on_block)


_SKIPPED_CODES = (-32004, -32007, -32009)  # block not available / slot skipped / missing in storage


def _is_skipped(exc: RPCException) -> bool:
    text = str(exc)
    return any(str(code) in text for code in _SKIPPED_CODES) or "skipped" in text.lower()


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
        """Index every slot after the checkpoint up to the node's ``commitment`` slot.

        Each block is fetched with ``getBlock`` at that same commitment (``getBlocks`` cannot be
        asked for one and answers at ``finalized``); skipped slots count as empty.
        """
        store = self.indexer.store
        try:
            tip = (await self.rpc.get_slot(self.commitment)).value
        except RPCException as exc:
            raise IngestError(f"getSlot: {exc}") from exc
        stored = 0
        for slot in range(store.slot() + 1, tip + 1):
            stored += await self._block(slot)
        return stored

    async def _block(self, slot: int) -> int:
        try:
            resp = await self.rpc.get_block(
                slot, "base64", max_supported_transaction_version=0, commitment=self.commitment
            )
            block = resp.value
        except RPCException as exc:
            if _is_skipped(exc):
                self.indexer.store.advance(slot)
                return 0
            raise IngestError(f"getBlock {slot}: {exc}") from exc
        batch: list[IndexedTransaction] = []
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
                indexed = self.indexer.indexed(
                    tx.signatures[0],
                    slot,
                    block.block_time,
                    _flatten(keys, top, inner),
                    meta.log_messages or (),
                )
            except IngestError:
                continue
            if indexed is not None:
                batch.append(indexed)
        # the block's transactions and the checkpoint, in one database transaction
        self.indexer.store.apply_block(slot, batch)
        log.debug("indexed slot %d (%d transactions)", slot, len(batch))
        return sum(len(t.outputs) for t in batch)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Follow the chain until ``stop`` is set."""
        while stop is None or not stop.is_set():
            await self.catch_up()
            await asyncio.sleep(self.poll_interval)
