"""The chain behind the localnet: LiteSVM plus slots, blocks, blockhashes and history.

:class:`Bank` owns a :class:`solders.litesvm.LiteSVM` and adds what a validator has and LiteSVM
does not: a working slot that becomes a block when :meth:`Bank.produce_block` is called (the
server calls it every ~400 ms, tests may call it on demand), a queue of recent blockhashes that
expire after 150 blocks, the status cache that refuses duplicates, transaction history by
signature, by address and by block, commitment levels, and save/load to a directory.

Commitment model: ``processed`` is the working slot, ``confirmed`` the last produced block,
``finalized`` the block ``finality_depth`` blocks below it. Statuses, history, blocks, slots
and blockhashes honour the commitment asked for; account reads always return the latest
(processed) state, whatever the commitment (LiteSVM keeps one version of each account).

In-process hook (for the indexer)::

    unsubscribe = bank.subscribe_transactions(lambda tx: index(tx.slot, tx.signature,
                                                                 tx.transaction, tx.meta))
    # or, from a coroutine:
    async for tx in bank.stream_transactions():
        ...

Each :class:`TransactionRecord` is delivered once, in order, when the block holding it is
produced (i.e. when it becomes ``confirmed``). Callbacks run synchronously on the thread that
produces blocks (the server's event loop): keep them short, or hand off to a queue. ``tx.meta`` is LiteSVM's
:class:`~solders.transaction_metadata.TransactionMetadata` (logs, inner instructions, compute
units, return data, fee), so :func:`solinbox.light.outputs_from_litesvm` applies directly;
``tx.err`` is ``None`` or the error in the validator's JSON form.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import hashlib
import json
import time
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from solders.account import Account
from solders.clock import Clock
from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import (
    FailedTransactionMetadata,
    SimulatedTransactionInfo,
    TransactionMetadata,
)

from solinbox.errors import SolinboxError
from solinbox.light.ids import LIGHT_PROGRAMS
from solinbox.localnet import _codec

__all__ = [
    "Bank",
    "Block",
    "Commitment",
    "LocalnetStateError",
    "Rejected",
    "Simulation",
    "TransactionRecord",
]

Commitment = Literal["processed", "confirmed", "finalized"]

#: A blockhash is usable for this many blocks after the block that produced it.
MAX_PROCESSING_AGE = 150
#: How many recent blockhashes are remembered (for ``isBlockhashValid`` and nonce-free checks).
MAX_RECENT_BLOCKHASHES = 300
LAMPORTS_PER_SIGNATURE = 5000
SLOTS_PER_EPOCH = 432_000
FAUCET_LAMPORTS = 500_000_000 * 10**9

_COMPUTE_BUDGET = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
_LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
_LOOKUP_TABLE_META_SIZE = 56
#: Errors after which a transaction is still recorded (fee charged); others drop it.
_RECORDED_ERRORS = frozenset(
    {"InstructionError", "InsufficientFundsForRent", "ProgramExecutionTemporarilyRestricted"}
)
_STATE_VERSION = 1
_LOADER_V3 = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")
_NATIVE_LOADER = Pubkey.from_string("NativeLoader1111111111111111111111111111111")
_SYSVAR = Pubkey.from_string("Sysvar1111111111111111111111111111111111111")
_SAVED_OWNERS = frozenset(
    {
        _codec.SYSTEM_PROGRAM,
        _codec.TOKEN_PROGRAM,
        _codec.TOKEN_2022_PROGRAM,
        _LOOKUP_TABLE_PROGRAM,
        _LOADER_V3,
        Pubkey.from_string("BPFLoader2111111111111111111111111111111111"),
    }
)


#: Entries of the SlotHashes sysvar (as on a validator).
MAX_SLOT_HASHES = 512


_LOADERS = (
    Pubkey.from_string("BPFLoader1111111111111111111111111111111111"),
    Pubkey.from_string("BPFLoader2111111111111111111111111111111111"),
    _LOADER_V3,
    Pubkey.from_string("LoaderV411111111111111111111111111111111111"),
    _NATIVE_LOADER,
)
_SCAN_OWNERS = (
    *_LOADERS,
    Pubkey.from_string("11111111111111111111111111111111"),
    _SYSVAR,
    Pubkey.from_string("Vote111111111111111111111111111111111111111"),
    Pubkey.from_string("Stake11111111111111111111111111111111111111"),
    Pubkey.from_string("Config1111111111111111111111111111111111111"),
    _LOOKUP_TABLE_PROGRAM,
)
NATIVE_MINT = Pubkey.from_string("So11111111111111111111111111111111111111112")
NATIVE_MINT_2022 = Pubkey.from_string("9pan9bMn5HatX4EJdBwg9VgCa7Uz5HL8N1m5D3NdXejP")


def native_mints(lamports: int) -> dict[Pubkey, Account]:
    """The wrapped-SOL mints of SPL Token and Token-2022 (9 decimals, no authorities)."""
    data = bytes(4 + 32) + bytes(8) + bytes([9, 1]) + bytes(4 + 32)  # 82-byte Mint
    return {
        NATIVE_MINT: Account(lamports, data, _codec.TOKEN_PROGRAM),
        NATIVE_MINT_2022: Account(lamports, data, _codec.TOKEN_2022_PROGRAM),
    }


class Journal(Protocol):
    """Where a bank writes each state change (:mod:`solinbox.localnet.ledger` is the one)."""

    def append(self, entry: dict[str, Any]) -> None:
        """Record one change of the working slot."""

    def commit(self, bank: Bank) -> None:
        """A block was produced: make everything so far durable."""

    def close(self, bank: Bank | None = None) -> None:
        """Stop journaling (a clean shutdown: ``bank`` may be saved whole first)."""


class LocalnetStateError(SolinboxError):
    """A saved localnet state directory is missing, unreadable or of another version."""


@dataclass(slots=True)
class TransactionRecord:
    """A transaction the bank executed and recorded (successful or failed with a fee charged).

    Attributes:
        slot: The slot (block) the transaction landed in.
        signature: Its first signature.
        transaction: The transaction as received.
        meta: LiteSVM's execution metadata (logs, inner instructions, units, return data, fee).
        err: ``None`` or the transaction error in the validator's JSON form.
        keys: Static account keys followed by the writable and readonly loaded addresses.
        loaded_writable: Addresses loaded writable from lookup tables.
        loaded_readonly: Addresses loaded readonly from lookup tables.
        pre_balances: Lamports of ``keys`` before execution.
        post_balances: Lamports of ``keys`` after execution.
        pre_token_balances: ``preTokenBalances`` entries.
        post_token_balances: ``postTokenBalances`` entries.
    """

    slot: int
    signature: Signature
    transaction: VersionedTransaction
    meta: TransactionMetadata
    err: Any
    keys: tuple[Pubkey, ...]
    loaded_writable: tuple[Pubkey, ...]
    loaded_readonly: tuple[Pubkey, ...]
    pre_balances: list[int]
    post_balances: list[int]
    pre_token_balances: list[dict[str, Any]] = field(default_factory=list)
    post_token_balances: list[dict[str, Any]] = field(default_factory=list)


def writable_keys(record: TransactionRecord) -> set[Pubkey]:
    """The accounts ``record``'s message can write: from its header, plus loaded writables."""
    message = record.transaction.message
    header = message.header
    static = list(message.account_keys)
    signers = header.num_required_signatures
    out = {
        key
        for i, key in enumerate(static[:signers])
        if i < signers - header.num_readonly_signed_accounts
    }
    unsigned_writable = len(static) - header.num_readonly_unsigned_accounts
    out.update(static[i] for i in range(signers, unsigned_writable))
    out.update(record.loaded_writable)
    return out


def compute_unit_price(record: TransactionRecord) -> int:
    """The micro-lamports per compute unit the transaction bid (``SetComputeUnitPrice``), or 0."""
    message = record.transaction.message
    keys = message.account_keys
    for ix in message.instructions:
        data = bytes(ix.data)
        if keys[ix.program_id_index] == _COMPUTE_BUDGET and len(data) == 9 and data[0] == 3:
            return int.from_bytes(data[1:9], "little")
    return 0


@dataclass(slots=True)
class Block:
    """A produced block: its hashes, time and the signatures of its transactions, in order."""

    slot: int
    parent_slot: int
    block_height: int
    blockhash: Hash
    previous_blockhash: Hash
    block_time: int
    signatures: list[Signature]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A transaction the bank did not record (like a validator dropping it).

    Attributes:
        err: The transaction error in JSON form (e.g. ``"BlockhashNotFound"``).
        meta: LiteSVM's metadata when execution was attempted, else ``None``.
    """

    err: Any
    meta: TransactionMetadata | None = None


@dataclass(frozen=True, slots=True)
class Simulation:
    """The result of :meth:`Bank.simulate`."""

    err: Any
    meta: TransactionMetadata | None
    post_accounts: Mapping[Pubkey, Account]
    keys: tuple[Pubkey, ...]


def _hash(*parts: bytes) -> Hash:
    return Hash(hashlib.sha256(b"".join(parts)).digest())


class Bank:
    """LiteSVM with validator bookkeeping; see the module docstring.

    Args:
        svm: The runtime, e.g. from :func:`solinbox.localnet.genesis.build_light_svm`. The bank
            turns off LiteSVM's own signature, blockhash and history checks and does them itself.
        faucet: The keypair that funds airdrops; funded with 500M SOL when new.
        finality_depth: Blocks between ``confirmed`` and ``finalized``.
        genesis_hash: Defaults to a hash of the faucet's address.
    """

    def __init__(
        self,
        svm: LiteSVM,
        *,
        faucet: Keypair | None = None,
        finality_depth: int = 32,
        genesis_hash: Hash | None = None,
        slots_per_epoch: int = SLOTS_PER_EPOCH,
        faucet_lamports: int | None = None,
        _fund_faucet: bool = True,
    ) -> None:
        self.svm = svm
        svm.with_sigverify(False)
        svm.with_blockhash_check(False)
        svm.with_transaction_history(0)
        self.faucet = faucet or Keypair()
        self.finality_depth = max(0, finality_depth)
        #: slots in an epoch (``--slots-per-epoch``); the Clock's epoch and the schedules use it
        self.slots_per_epoch = max(1, slots_per_epoch)
        self.genesis_hash = genesis_hash or _hash(b"solinbox-localnet", bytes(self.faucet.pubkey()))
        self.slot = 1
        self.transaction_count = 0
        self._history: dict[Signature, TransactionRecord] = {}
        self._by_address: defaultdict[Pubkey, list[Signature]] = defaultdict(list)
        genesis_block = Block(
            0, 0, 0, _hash(bytes(self.genesis_hash)), self.genesis_hash, int(time.time()), []
        )
        self._blocks: dict[int, Block] = {0: genesis_block}
        #: slots of produced blocks, ascending (slots in between were skipped, e.g. by a warp)
        self._block_slots: list[int] = [0]
        #: seconds added to the wall clock for block times and the Clock sysvar (time travel)
        self.clock_offset = 0
        #: programs loaded from files at genesis (``Bank.create``/``load``): rebuilt on load
        self.programs: dict[Pubkey, Path] = {}
        #: where every state change is written as it happens (a crash-safe ledger), if anywhere
        self.journal: Journal | None = None
        self._recent: OrderedDict[Hash, int] = OrderedDict({genesis_block.blockhash: 0})
        self._working: list[Signature] = []
        self._touched: set[Pubkey] = set()
        self._tx_listeners: list[Callable[[TransactionRecord], None]] = []
        self._processed_listeners: list[Callable[[TransactionRecord], None]] = []
        self._block_listeners: list[Callable[[Block], None]] = []
        if _fund_faucet:
            self.set_account(
                self.faucet.pubkey(),
                Account(
                    FAUCET_LAMPORTS if faucet_lamports is None else faucet_lamports,
                    b"",
                    _codec.SYSTEM_PROGRAM,
                    False,
                    0,
                ),
            )
        self._set_clock(self.slot, genesis_block.block_time)

    # ------------------------------------------------------------------------------- creation

    @classmethod
    def create(
        cls,
        *,
        programs: Mapping[Pubkey, Path] | None = None,
        accounts: Mapping[Pubkey, Account] | None = None,
        finality_depth: int = 32,
        faucet: Keypair | None = None,
        slots_per_epoch: int = SLOTS_PER_EPOCH,
        faucet_lamports: int | None = None,
    ) -> Bank:
        """A fresh chain: the Light programs and trees, ``programs``, ``accounts``, a faucet."""
        from solinbox.localnet.genesis import build_light_svm

        bank = cls(build_light_svm(programs=programs), faucet=faucet, finality_depth=finality_depth,
                   slots_per_epoch=slots_per_epoch, faucet_lamports=faucet_lamports)  # fmt: skip
        bank.programs = dict(programs or {})
        for key, account in native_mints(bank.svm.minimum_balance_for_rent_exemption(82)).items():
            bank.set_account(key, account)  # as solana-test-validator's genesis has them
        for key, account in (accounts or {}).items():
            bank.set_account(key, account)
        return bank

    # -------------------------------------------------------------------------------- slots

    @property
    def confirmed_slot(self) -> int:
        """The last produced block."""
        return self._block_slots[-1]

    @property
    def finalized_slot(self) -> int:
        """The last block ``finality_depth`` blocks below the confirmed one."""
        return self._block_slots[max(0, len(self._block_slots) - 1 - self.finality_depth)]

    def slot_for(self, commitment: Commitment) -> int:
        """The slot a query at ``commitment`` sees."""
        if commitment == "processed":
            return self.slot
        if commitment == "confirmed":
            return self.confirmed_slot
        return self.finalized_slot

    def block_height_for(self, commitment: Commitment) -> int:
        """Block height at ``commitment`` (blocks below it; skipped slots do not count)."""
        if commitment == "processed":
            return self._blocks[self.confirmed_slot].block_height + 1
        return self._blocks[self.slot_for(commitment)].block_height

    def now(self) -> int:
        """The chain's unix time: the wall clock plus :attr:`clock_offset`."""
        return int(time.time()) + self.clock_offset

    def warp_to_slot(self, slot: int) -> Block:
        """Close the working slot as a block, then jump: the next block is at ``slot``.

        The slots in between are skipped (``getBlock`` says so), as after a validator's
        ``--warp-slot``; the Clock sysvar moves to ``slot`` at once.
        """
        if slot <= self.slot:
            raise ValueError(f"can only warp forward: slot {slot} <= the working slot {self.slot}")
        block = self.produce_block()
        self.jump(slot, self.now())
        return block

    def jump(self, slot: int, unix_timestamp: int) -> None:
        """Make ``slot`` the working slot with the clock at ``unix_timestamp`` (after a block)."""
        self.slot = slot
        self._set_clock(slot, unix_timestamp)
        if self.journal is not None:
            self.journal.append({"t": "jump", "slot": slot, "time": unix_timestamp})

    def travel(self, unix_timestamp: int) -> None:
        """Move the chain's clock to ``unix_timestamp`` (forward only).

        The Clock sysvar changes at once, block times from the next block on.
        """
        now = self.now()
        if unix_timestamp < now:
            raise ValueError(f"the clock can only move forward: {unix_timestamp} < now {now}")
        self.set_clock_offset(self.clock_offset + unix_timestamp - now, unix_timestamp)

    def set_clock_offset(self, offset: int, unix_timestamp: int) -> None:
        """Set :attr:`clock_offset` and the Clock sysvar's time (what :meth:`travel` does)."""
        self.clock_offset = offset
        self._set_clock(self.slot, unix_timestamp)
        if self.journal is not None:
            self.journal.append({"t": "clock", "offset": offset, "time": unix_timestamp})

    def status_of_slot(self, slot: int) -> Commitment:
        """The commitment a transaction landed in ``slot`` has reached."""
        if slot <= self.finalized_slot:
            return "finalized"
        if slot <= self.confirmed_slot:
            return "confirmed"
        return "processed"

    def _set_clock(self, slot: int, unix_timestamp: int) -> None:
        epoch = slot // self.slots_per_epoch
        self.svm.set_clock(
            Clock(slot, self._blocks[0].block_time, epoch, epoch + 1, unix_timestamp)
        )

    def _push_slot_hash(self, slot: int, blockhash: Hash) -> None:
        """Keep the SlotHashes sysvar like a validator (newest first, at most 512 entries).

        Programs read it: the address lookup table program accepts a table's ``recent_slot``
        only if that slot is in SlotHashes.
        """
        # Programs binary-search the list, so it must stay sorted newest first: LiteSVM's own
        # default entry (a mainnet-sized slot, far above ours) would break every lookup.
        older = [(s, h) for s, h in self.svm.get_slot_hashes() if s < slot]
        self.svm.set_slot_hashes([(slot, blockhash), *older][:MAX_SLOT_HASHES])

    def produce_block(self, *, block_time: int | None = None) -> Block:
        """Close the working slot as a block, open the next one, and notify subscribers.

        ``block_time`` (a replay of a journal) replaces the clock's reading.
        """
        slot = self.slot
        parent = self._blocks[self.confirmed_slot]
        now = max(self.now() if block_time is None else block_time, parent.block_time)
        blockhash = _hash(bytes(parent.blockhash), slot.to_bytes(8, "little"))
        block = Block(slot, parent.slot, parent.block_height + 1, blockhash, parent.blockhash,
                      now, self._working)  # fmt: skip
        self._blocks[slot] = block
        self._block_slots.append(slot)
        self._working = []
        self._recent[blockhash] = slot
        while len(self._recent) > MAX_RECENT_BLOCKHASHES:
            self._recent.popitem(last=False)
        self.slot = slot + 1
        self._set_clock(self.slot, now)
        self._push_slot_hash(slot, blockhash)
        if self.journal is not None:  # the block is confirmed: durable before anyone is told
            self.journal.append({"t": "block", "time": now})
            self.journal.commit(self)
        for listener in list(self._block_listeners):
            listener(block)
        if self._tx_listeners:
            for signature in block.signatures:
                record = self._history[signature]
                for tx_listener in list(self._tx_listeners):
                    tx_listener(record)
        return block

    # ---------------------------------------------------------------------------- blockhashes

    def latest_blockhash(self, commitment: Commitment = "finalized") -> tuple[Hash, int]:
        """``(blockhash, last valid block height)`` of the newest block at ``commitment``."""
        block = self._blocks[min(self.slot_for(commitment), self.confirmed_slot)]
        return block.blockhash, block.block_height + MAX_PROCESSING_AGE

    def is_blockhash_valid(self, blockhash: Hash, commitment: Commitment = "finalized") -> bool:
        """Whether a transaction referencing ``blockhash`` would still be accepted."""
        slot = self._recent.get(blockhash)
        if slot is None or slot > self.slot_for(commitment):
            return False
        age = self._blocks[self.confirmed_slot].block_height - self._blocks[slot].block_height
        return age < MAX_PROCESSING_AGE

    def block_time(self, slot: int) -> int | None:
        """Unix time of a produced block."""
        block = self._blocks.get(slot)
        return block.block_time if block else None

    # ------------------------------------------------------------------------------- accounts

    def get_account(self, pubkey: Pubkey) -> Account | None:
        """The account's latest state, or ``None`` if it does not exist (or has no lamports)."""
        account = self.svm.get_account(pubkey)
        if account is None or (account.lamports == 0 and not account.executable):
            return None
        return account

    def set_account(self, pubkey: Pubkey, account: Account) -> None:
        """Overwrite an account (it is remembered for :meth:`save` and the journal)."""
        self.svm.set_account(pubkey, account)
        self._touched.add(pubkey)
        if self.journal is not None:
            self.journal.append({"t": "set", "key": str(pubkey), "lamports": account.lamports,
                                 "data": base64.b64encode(bytes(account.data)).decode(),
                                 "owner": str(account.owner), "executable": account.executable,
                                 "rentEpoch": account.rent_epoch})  # fmt: skip

    def add_upgradeable_program(self, program: Pubkey, so: bytes, authority: Pubkey | None) -> None:
        """Deploy ``so`` at ``program`` as the upgradeable loader would, with ``authority``.

        (``--upgradeable-program``: the ProgramData account first, since LiteSVM compiles a
        program when its program account is written.)
        """
        from solinbox.loader import upgradeable_program_accounts

        for key, account in upgradeable_program_accounts(
            program, so, authority, self.svm.minimum_balance_for_rent_exemption
        ):
            self.set_account(key, account)

    def program_accounts(self, program: Pubkey) -> list[tuple[Pubkey, Account]]:
        """Every existing account owned by ``program``."""
        return [
            (k, a) for k, a in self.svm.get_program_accounts(program) if a.lamports or a.executable
        ]

    @property
    def total_stake(self) -> int:
        """Active stake of the cluster's vote accounts (none vote on this node yet): 0."""
        return 0

    def performance_samples(self, limit: int, period: int = 60) -> list[dict[str, Any]]:
        """``getRecentPerformanceSamples``: one per completed ``period`` seconds, newest first.

        Windows are aligned to the genesis block's time; a window counts once it has ended.
        """
        genesis = self._blocks[0].block_time
        now = self.now()
        windows: dict[int, list[Block]] = {}
        for block in self._blocks.values():
            index = (block.block_time - genesis) // period
            if genesis + (index + 1) * period <= now:
                windows.setdefault(index, []).append(block)
        out = []
        for index in sorted(windows, reverse=True)[:limit]:
            blocks = windows[index]
            count = sum(len(b.signatures) for b in blocks)
            out.append({"numNonVoteTransactions": count, "numSlots": len(blocks),
                        "numTransactions": count, "samplePeriodSecs": period,
                        "slot": max(b.slot for b in blocks)})  # fmt: skip
        return out

    def accounts(self) -> Iterator[tuple[Pubkey, Account]]:
        """Every existing account (LiteSVM has no scan: by owner, over every owner in use).

        The owners are the runtime's own (system, loaders, sysvars, builtins, SPL programs) and
        every deployed program, so an account owned by anything that can own one is found.
        """
        owners = {*_SCAN_OWNERS}
        for loader in _LOADERS:
            owners.update(k for k, a in self.svm.get_program_accounts(loader) if a.executable)
        seen: set[Pubkey] = set()
        for owner in owners:
            for key, account in self.svm.get_program_accounts(owner):
                if key not in seen and (account.lamports or account.executable):
                    seen.add(key)
                    yield key, account

    def minimum_balance_for_rent_exemption(self, data_len: int) -> int:
        """Lamports that make an account of ``data_len`` bytes rent exempt."""
        return self.svm.minimum_balance_for_rent_exemption(data_len)

    # ---------------------------------------------------------------------------- transactions

    def _loaded_addresses(self, message: object) -> tuple[list[Pubkey], list[Pubkey]]:
        writable: list[Pubkey] = []
        readonly: list[Pubkey] = []
        if isinstance(message, MessageV0):
            for lookup in message.address_table_lookups:
                table = self.svm.get_account(lookup.account_key)
                if table is None or table.owner != _LOOKUP_TABLE_PROGRAM:
                    continue
                data = bytes(table.data)
                body = data[_LOOKUP_TABLE_META_SIZE:]
                addresses = [body[i : i + 32] for i in range(0, len(body) - len(body) % 32, 32)]
                for index in lookup.writable_indexes:
                    if index < len(addresses):
                        writable.append(Pubkey.from_bytes(addresses[index]))
                for index in lookup.readonly_indexes:
                    if index < len(addresses):
                        readonly.append(Pubkey.from_bytes(addresses[index]))
        return writable, readonly

    def fee_for_message(self, message: Message | MessageV0) -> int:
        """Signature fee plus the prioritization fee of the message's compute-budget instructions."""
        fee = LAMPORTS_PER_SIGNATURE * message.header.num_required_signatures
        keys = message.account_keys
        price = 0
        limit: int | None = None
        other = 0
        for ix in message.instructions:
            data = bytes(ix.data)
            if keys[ix.program_id_index] == _COMPUTE_BUDGET and data:
                if data[0] == 2 and len(data) >= 5:
                    limit = int.from_bytes(data[1:5], "little")
                elif data[0] == 3 and len(data) >= 9:
                    price = int.from_bytes(data[1:9], "little")
            else:
                other += 1
        if price:
            units = min(limit if limit is not None else 200_000 * other, 1_400_000)
            fee += (price * units + 999_999) // 1_000_000
        return fee

    def _token_balances(self, keys: Sequence[Pubkey]) -> list[dict[str, Any]]:
        return _codec.token_balances(
            keys, [self.svm.get_account(k) for k in keys], self.get_account
        )

    def process(
        self, tx: VersionedTransaction, *, verify: bool = True
    ) -> TransactionRecord | Rejected:
        """Execute ``tx`` in the working slot, like a validator's banking stage.

        Args:
            tx: A signed transaction.
            verify: Check the signatures first (``SignatureFailure`` when they do not verify).

        Returns:
            The record when the transaction was executed and recorded (``record.err`` tells
            whether it failed), or :class:`Rejected` when it was dropped (duplicate, expired
            blockhash, fee payer missing or too poor, bad signature, ...).
        """
        if not tx.signatures:
            return Rejected("SanitizeFailure")
        signature = tx.signatures[0]
        if signature in self._history:
            return Rejected("AlreadyProcessed")
        if verify:
            try:
                tx.verify_and_hash_message()
            except Exception:  # solders raises its own SignerError/ValueError variants
                return Rejected("SignatureFailure")
        message = tx.message
        if (
            not self.is_blockhash_valid(message.recent_blockhash, "processed")
            and not tx.uses_durable_nonce()
        ):
            return Rejected("BlockhashNotFound")
        writable, readonly = self._loaded_addresses(message)
        keys = (*message.account_keys, *writable, *readonly)
        svm = self.svm
        pre = [svm.get_balance(k) or 0 for k in keys]
        with_tokens = not _codec.TOKEN_PROGRAMS.isdisjoint(keys)
        pre_tokens = self._token_balances(keys) if with_tokens else []
        result = svm.send_transaction(tx)
        err: Any = None
        if isinstance(result, FailedTransactionMetadata):
            err = json.loads(result.to_json())["err"]
            if not (isinstance(err, dict) and _RECORDED_ERRORS.intersection(err)):
                return Rejected(err, result.meta())
            meta = result.meta()
        else:
            meta = result
        record = TransactionRecord(
            slot=self.slot,
            signature=signature,
            transaction=tx,
            meta=meta,
            err=err,
            keys=keys,
            loaded_writable=tuple(writable),
            loaded_readonly=tuple(readonly),
            pre_balances=pre,
            post_balances=[svm.get_balance(k) or 0 for k in keys],
            pre_token_balances=pre_tokens,
            post_token_balances=self._token_balances(keys) if with_tokens else [],
        )
        self._record(record)
        for listener in list(self._processed_listeners):
            listener(record)
        return record

    def _record(self, record: TransactionRecord) -> None:
        signature = record.signature
        self._history[signature] = record
        self._working.append(signature)
        by_address = self._by_address
        for key in record.keys:
            by_address[key].append(signature)
        self._touched.update(record.keys)
        self.transaction_count += 1
        if self.journal is not None:
            self.journal.append(
                {"t": "tx", "tx": base64.b64encode(bytes(record.transaction)).decode()}
            )

    def simulate(
        self,
        tx: VersionedTransaction,
        *,
        verify: bool = False,
        replace_blockhash: bool = False,
    ) -> Simulation:
        """Run ``tx`` without committing anything (``simulateTransaction`` and preflight)."""
        message = tx.message
        writable, readonly = self._loaded_addresses(message)
        keys = (*message.account_keys, *writable, *readonly)
        if verify:
            try:
                tx.verify_and_hash_message()
            except Exception:
                return Simulation("SignatureFailure", None, {}, keys)
        if replace_blockhash:
            blockhash, _ = self.latest_blockhash("processed")
            if isinstance(message, MessageV0):
                message = MessageV0(
                    message.header, message.account_keys, blockhash, message.instructions,
                    message.address_table_lookups,
                )  # fmt: skip
            else:
                message = Message.new_with_compiled_instructions(
                    message.header.num_required_signatures,
                    message.header.num_readonly_signed_accounts,
                    message.header.num_readonly_unsigned_accounts,
                    message.account_keys, blockhash, message.instructions,
                )  # fmt: skip
            tx = VersionedTransaction.populate(message, tx.signatures)
        elif (
            not self.is_blockhash_valid(message.recent_blockhash, "processed")
            and not tx.uses_durable_nonce()
        ):
            return Simulation("BlockhashNotFound", None, {}, keys)
        if tx.signatures[0] in self._history:
            return Simulation("AlreadyProcessed", None, {}, keys)
        result = self.svm.simulate_transaction(tx)
        if isinstance(result, FailedTransactionMetadata):
            return Simulation(json.loads(result.to_json())["err"], result.meta(), {}, keys)
        assert isinstance(result, SimulatedTransactionInfo)
        return Simulation(None, result.meta(), dict(result.post_accounts()), keys)

    def airdrop(self, to: Pubkey, lamports: int) -> TransactionRecord | Rejected:
        """Transfer ``lamports`` from the faucet to ``to`` in a real, recorded transaction."""
        blockhash, _ = self.latest_blockhash("processed")
        ix = transfer(
            TransferParams(from_pubkey=self.faucet.pubkey(), to_pubkey=to, lamports=lamports)
        )
        message = MessageV0.try_compile(self.faucet.pubkey(), [ix], [], blockhash)
        return self.process(VersionedTransaction(message, [self.faucet]), verify=False)

    # ------------------------------------------------------------------------------- history

    def transaction(
        self, signature: Signature, commitment: Commitment = "finalized"
    ) -> TransactionRecord | None:
        """A recorded transaction visible at ``commitment``."""
        record = self._history.get(signature)
        if record is None or record.slot > self.slot_for(commitment):
            return None
        return record

    def signatures_for_address(
        self,
        address: Pubkey,
        *,
        before: Signature | None = None,
        until: Signature | None = None,
        limit: int = 1000,
        commitment: Commitment = "finalized",
    ) -> list[TransactionRecord]:
        """Transactions that mention ``address``, newest first (``before``/``until`` exclusive)."""
        signatures = self._by_address.get(address, [])
        max_slot = self.slot_for(commitment)
        out: list[TransactionRecord] = []
        started = before is None
        for signature in reversed(signatures):
            if not started:
                started = signature == before
                continue
            if signature == until:
                break
            record = self._history[signature]
            if record.slot > max_slot:
                continue
            out.append(record)
            if len(out) >= limit:
                break
        return out

    def block(self, slot: int, commitment: Commitment = "finalized") -> Block | None:
        """A produced block visible at ``commitment``."""
        if slot > self.slot_for(commitment):
            return None
        return self._blocks.get(slot)

    def blocks(
        self, start: int, end: int | None, commitment: Commitment = "finalized"
    ) -> list[int]:
        """Slots of produced blocks in ``[start, end]`` visible at ``commitment``."""
        top = min(self.slot_for(commitment), self.confirmed_slot)
        end = top if end is None else min(end, top)
        low = bisect.bisect_left(self._block_slots, max(0, start))
        high = bisect.bisect_right(self._block_slots, end)
        return self._block_slots[low:high]

    def record(self, signature: Signature) -> TransactionRecord | None:
        """A recorded transaction, whatever its commitment."""
        return self._history.get(signature)

    # ------------------------------------------------------------------------- subscriptions

    def subscribe_transactions(
        self, callback: Callable[[TransactionRecord], None]
    ) -> Callable[[], None]:
        """Call ``callback(record)`` for every transaction once its block is produced.

        Returns:
            A function that removes the subscription.
        """
        self._tx_listeners.append(callback)
        return lambda: (
            self._tx_listeners.remove(callback) if callback in self._tx_listeners else None
        )

    async def stream_transactions(self) -> AsyncIterator[TransactionRecord]:
        """Yield every transaction once its block is produced (async form of the hook)."""
        queue: asyncio.Queue[TransactionRecord] = asyncio.Queue()
        unsubscribe = self.subscribe_transactions(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            unsubscribe()

    def on_processed(self, callback: Callable[[TransactionRecord], None]) -> Callable[[], None]:
        """Call ``callback(record)`` right after each transaction executes (processed)."""
        self._processed_listeners.append(callback)
        return lambda: (
            self._processed_listeners.remove(callback)
            if callback in self._processed_listeners
            else None
        )

    def on_block(self, callback: Callable[[Block], None]) -> Callable[[], None]:
        """Call ``callback(block)`` after each block is produced."""
        self._block_listeners.append(callback)
        return lambda: (
            self._block_listeners.remove(callback) if callback in self._block_listeners else None
        )

    # ---------------------------------------------------------------------------- save / load

    def save(self, directory: Path) -> None:
        """Write accounts and history to ``directory`` (created; previous contents replaced).

        Files: ``bank.json`` (slots, blockhashes, faucet), ``accounts.jsonl`` (every account
        a transaction or :meth:`set_account` touched), ``blocks.jsonl``, ``transactions.jsonl``.
        The Light genesis and ``--program`` programs are rebuilt on load, then overlaid.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / "accounts.jsonl.tmp").open("w") as out:
            for key, account in sorted(
                self._saved_accounts().items(), key=lambda item: bytes(item[0])
            ):
                out.write(json.dumps({
                    "pubkey": str(key), "lamports": account.lamports,
                    "data": base64.b64encode(bytes(account.data)).decode(),
                    "owner": str(account.owner), "executable": account.executable,
                    "rentEpoch": account.rent_epoch,
                }) + "\n")  # fmt: skip
        with (directory / "blocks.jsonl.tmp").open("w") as out:
            for block in self._blocks.values():
                out.write(json.dumps([
                    block.slot, block.parent_slot, block.block_height, str(block.blockhash),
                    str(block.previous_blockhash), block.block_time, [str(s) for s in block.signatures],
                ]) + "\n")  # fmt: skip
        with (directory / "transactions.jsonl.tmp").open("w") as out:
            for r in self._history.values():
                out.write(json.dumps([
                    r.slot, base64.b64encode(bytes(r.transaction)).decode(),
                    base64.b64encode(bytes(r.meta)).decode(), r.err,
                    [str(k) for k in r.loaded_writable], [str(k) for k in r.loaded_readonly],
                    r.pre_balances, r.post_balances, r.pre_token_balances, r.post_token_balances,
                ]) + "\n")  # fmt: skip
        state = {
            "version": _STATE_VERSION,
            "slot": self.slot,
            "clock_offset": self.clock_offset,
            "slots_per_epoch": self.slots_per_epoch,
            "clock_unix": int(self.svm.get_clock().unix_timestamp),
            "transaction_count": self.transaction_count,
            "finality_depth": self.finality_depth,
            "genesis_hash": str(self.genesis_hash),
            "faucet": list(bytes(self.faucet)),
            "working": [str(s) for s in self._working],
            "recent": [[str(h), s] for h, s in self._recent.items()],
        }
        (directory / "bank.json.tmp").write_text(json.dumps(state))
        for name in ("accounts.jsonl", "blocks.jsonl", "transactions.jsonl", "bank.json"):
            (directory / f"{name}.tmp").replace(directory / name)

    def _saved_accounts(self) -> dict[Pubkey, Account]:
        """Touched accounts, plus every account of the usual owners (in case ``svm`` was used directly)."""
        accounts: dict[Pubkey, Account] = {}
        for key in self._touched:
            account = self.svm.get_account(key)
            if account is not None:
                accounts[key] = account
        owners = {a.owner for a in accounts.values()} | _SAVED_OWNERS
        for owner in owners:
            if owner in (_NATIVE_LOADER, _SYSVAR):
                continue
            for key, account in self.svm.get_program_accounts(owner):
                accounts[key] = account
        for program in LIGHT_PROGRAMS.values():  # rebuilt from the pinned package on load
            accounts.pop(program, None)
            accounts.pop(Pubkey.find_program_address([bytes(program)], _LOADER_V3)[0], None)
        return accounts

    def restore(self, other: Bank) -> None:
        """Become ``other`` (runtime, accounts, blocks, history), keeping this bank's subscribers.

        This is what reverting to a snapshot does while servers hold this object.
        """
        for name in ("svm", "faucet", "finality_depth", "genesis_hash", "slot", "transaction_count",
                     "clock_offset", "slots_per_epoch", "programs", "_history", "_by_address", "_blocks", "_block_slots",
                     "_recent", "_working", "_touched"):  # fmt: skip
            setattr(self, name, getattr(other, name))

    @staticmethod
    def has_state(directory: Path) -> bool:
        """Whether ``directory`` holds a saved bank."""
        return (Path(directory) / "bank.json").is_file()

    @classmethod
    def load(
        cls,
        directory: Path,
        *,
        programs: Mapping[Pubkey, Path] | None = None,
        finality_depth: int | None = None,
    ) -> Bank:
        """Rebuild a bank saved by :meth:`save`: genesis, then the saved accounts and history.

        Raises:
            LocalnetStateError: The directory has no readable state of this version.
        """
        from solinbox.localnet.genesis import build_light_svm

        directory = Path(directory)
        try:
            state = json.loads((directory / "bank.json").read_text())
            if state.get("version") != _STATE_VERSION:
                raise LocalnetStateError(
                    f"{directory}: unsupported state version {state.get('version')!r}"
                )
            bank = cls(
                build_light_svm(programs=programs),
                faucet=Keypair.from_bytes(bytes(state["faucet"])),
                finality_depth=state["finality_depth"]
                if finality_depth is None
                else finality_depth,
                genesis_hash=Hash.from_string(state["genesis_hash"]),
                slots_per_epoch=int(state.get("slots_per_epoch", SLOTS_PER_EPOCH)),
                _fund_faucet=False,
            )
            accounts = [json.loads(line) for line in _lines(directory / "accounts.jsonl")]
            # programs given now win over their saved copies (a rebuilt inbox.so is picked up)
            fresh = {str(k) for k in programs or {}} | {
                str(Pubkey.find_program_address([bytes(k)], _LOADER_V3)[0]) for k in programs or {}
            }
            accounts = [doc for doc in accounts if doc["pubkey"] not in fresh]
            # ProgramData before programs: LiteSVM compiles a program when its account is set.
            for doc in sorted(accounts, key=lambda d: bool(d["executable"])):
                _set_saved_account(bank, doc)
            bank._blocks = {}
            for line in _lines(directory / "blocks.jsonl"):
                slot, parent, height, blockhash, previous, block_time, signatures = json.loads(line)
                bank._blocks[slot] = Block(
                    slot, parent, height, Hash.from_string(blockhash), Hash.from_string(previous),
                    block_time, [Signature.from_string(s) for s in signatures],
                )  # fmt: skip
            bank._block_slots = sorted(bank._blocks)
            for line in _lines(directory / "transactions.jsonl"):
                slot, raw, meta, err, lw, lr, pre, post, pre_t, post_t = json.loads(line)
                tx = VersionedTransaction.from_bytes(base64.b64decode(raw))
                loaded_w = tuple(Pubkey.from_string(k) for k in lw)
                loaded_r = tuple(Pubkey.from_string(k) for k in lr)
                record = TransactionRecord(
                    slot, tx.signatures[0], tx, TransactionMetadata.from_bytes(base64.b64decode(meta)), err,
                    (*tx.message.account_keys, *loaded_w, *loaded_r), loaded_w, loaded_r, pre, post, pre_t, post_t,
                )  # fmt: skip
                bank._history[record.signature] = record
                for key in record.keys:
                    bank._by_address[key].append(record.signature)
            bank.programs = dict(programs or {})
            bank.slot = state["slot"]
            bank.clock_offset = int(state.get("clock_offset", 0))
            bank.transaction_count = state["transaction_count"]
            bank._working = [Signature.from_string(s) for s in state["working"]]
            bank._recent = OrderedDict((Hash.from_string(h), s) for h, s in state["recent"])
        except LocalnetStateError:
            raise
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise LocalnetStateError(
                f"cannot load the localnet state in {directory}: {exc}"
            ) from exc
        # the runtime's view of time and history as it was: Clock and SlotHashes
        bank._set_clock(bank.slot, int(state.get("clock_unix", bank.now())))
        recent = sorted(bank._block_slots, reverse=True)[:MAX_SLOT_HASHES]
        bank.svm.set_slot_hashes([(slot, bank._blocks[slot].blockhash) for slot in recent])
        return bank


def _set_saved_account(bank: Bank, doc: dict[str, Any]) -> None:
    account = Account(
        doc["lamports"], base64.b64decode(doc["data"]), Pubkey.from_string(doc["owner"]),
        doc["executable"], doc["rentEpoch"],
    )  # fmt: skip
    try:
        bank.set_account(Pubkey.from_string(doc["pubkey"]), account)
    except Exception as exc:  # LiteSVM refuses a program it cannot load
        raise ValueError(f"account {doc['pubkey']}: {exc}") from exc


def _lines(path: Path) -> Iterable[str]:
    with path.open() as f:
        for line in f:
            if line.strip():
                yield line
