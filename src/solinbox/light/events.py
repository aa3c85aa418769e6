"""Reading Light's outputs back from a transaction, as an indexer does.

Light emits no event CPI: everything is in the instructions themselves. For each
``account_compression::insert_into_queues`` issued by the light system program (its second
account is :data:`~solinbox.light.ids.REGISTERED_PROGRAM_PDA`), the parent instruction, i.e.
the light system program's ``invoke`` / ``invoke_cpi`` / ``invoke_cpi_with_read_only``,
carries each output's owner, lamports, address and data, and the CPI carries its leaf hash,
leaf index, tree / queue and sequence number. Output ``j`` of the parent (after the outputs
recorded earlier in a CPI-context account, if any) is leaf ``j`` of the CPI; its queue (or V1
tree) is ``accounts[2 + leaves[j].account_index]`` of the CPI. Same pairing as
``light-event``'s ``event_from_light_transaction``; parents are found by stack height when it
is known, so a Light call made through CPI (stack height 2, insert at 3) works like a
top-level one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Self, TypeVar

from solders.instruction import CompiledInstruction
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import InnerInstruction, TransactionMetadata

from solinbox.light._borsh import BorshReader, LightDecodeError
from solinbox.light.hashing import compressed_account_hash
from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    SYSTEM_PROGRAM_ID,
)
from solinbox.light.instructions import (
    DISCRIMINATOR_INSERT_INTO_QUEUES,
    LightSystemInstructionData,
    OutputCompressedAccountWithPackedContext,
    decode_light_system_instruction,
)

__all__ = [
    "AppendLeaf",
    "FlatInstruction",
    "InsertAddress",
    "InsertIntoQueues",
    "InsertNullifier",
    "LightInvocation",
    "MerkleTreeSequenceNumber",
    "NewCompressedAccount",
    "TreeType",
    "flatten_instructions",
    "outputs_from_litesvm",
    "parse_light_invocations",
    "parse_light_outputs",
]

_ZERO_KEY = Pubkey.default()
T = TypeVar("T")


def _u8_vec(r: BorshReader, read: Callable[[BorshReader], T]) -> tuple[T, ...]:
    """Read a zero-copy slice with a u8 length prefix."""
    return tuple(read(r) for _ in range(r.u8()))


class TreeType(IntEnum):
    """``light_compressed_account::TreeType``."""

    STATE_V1 = 1
    ADDRESS_V1 = 2
    STATE_V2 = 3
    ADDRESS_V2 = 4


@dataclass(frozen=True, slots=True)
class AppendLeaf:
    """A leaf to append: ``account_index`` counts from the CPI's third account."""

    account_index: int
    leaf: bytes


@dataclass(frozen=True, slots=True)
class InsertNullifier:
    """An input account being spent (nullified)."""

    account_hash: bytes
    leaf_index: int
    prove_by_index: bool
    tree_index: int
    queue_index: int


@dataclass(frozen=True, slots=True)
class InsertAddress:
    """A new address being inserted into an address queue."""

    address: bytes
    tree_index: int
    queue_index: int


@dataclass(frozen=True, slots=True)
class MerkleTreeSequenceNumber:
    """Sequence number of a tree touched by the transaction.

    For V1 trees ``seq`` is the tree's sequence number after the first append; for V2 output
    queues it is the first leaf index used in this transaction.
    """

    tree: Pubkey
    queue: Pubkey
    tree_type: int
    seq: int

    @property
    def is_empty(self) -> bool:
        """Unused slot (the program sizes the array by the highest output tree index)."""
        return self.tree == _ZERO_KEY

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one 80-byte entry."""
        return cls(tree=r.pubkey(), queue=r.pubkey(), tree_type=r.u64(), seq=r.u64())


@dataclass(frozen=True, slots=True)
class InsertIntoQueues:
    """Decoded ``account_compression::insert_into_queues`` instruction data.

    Layout (``InsertIntoQueuesInstructionData``): discriminator, u32 LE length, a 38-byte meta,
    seven u8-length-prefixed arrays of fixed-size records, then a borsh
    ``Vec<OutputCompressedAccountWithPackedContext>`` of outputs that were stored in a CPI
    context account by earlier instructions.
    """

    is_invoked_by_program: bool
    bump: int
    num_queues: int
    num_output_queues: int
    start_output_appends: int
    num_address_queues: int
    tx_hash: bytes
    leaves: tuple[AppendLeaf, ...]
    nullifiers: tuple[InsertNullifier, ...]
    addresses: tuple[InsertAddress, ...]
    output_sequence_numbers: tuple[MerkleTreeSequenceNumber, ...]
    input_sequence_numbers: tuple[MerkleTreeSequenceNumber, ...]
    address_sequence_numbers: tuple[MerkleTreeSequenceNumber, ...]
    output_leaf_indices: tuple[int, ...]
    cpi_context_outputs: tuple[OutputCompressedAccountWithPackedContext, ...]

    @classmethod
    def from_instruction_data(cls, data: bytes) -> Self:
        """Decode full instruction data (discriminator and length prefix included)."""
        if bytes(data[:8]) != DISCRIMINATOR_INSERT_INTO_QUEUES:
            raise LightDecodeError(
                f"not an insert_into_queues instruction: discriminator {bytes(data[:8]).hex()}"
            )
        r = BorshReader(data, 12)
        meta = r.take(6)
        tx_hash = r.fixed(32)

        def u8_vec(read: Callable[[BorshReader], T]) -> tuple[T, ...]:
            return _u8_vec(r, read)

        return cls(
            is_invoked_by_program=meta[0] == 1,
            bump=meta[1],
            num_queues=meta[2],
            num_output_queues=meta[3],
            start_output_appends=meta[4],
            num_address_queues=meta[5],
            tx_hash=tx_hash,
            leaves=u8_vec(lambda r: AppendLeaf(r.u8(), r.fixed(32))),
            nullifiers=u8_vec(
                lambda r: InsertNullifier(r.fixed(32), r.u32(), r.u8() == 1, r.u8(), r.u8())
            ),
            addresses=u8_vec(lambda r: InsertAddress(r.fixed(32), r.u8(), r.u8())),
            output_sequence_numbers=u8_vec(MerkleTreeSequenceNumber.read),
            input_sequence_numbers=u8_vec(MerkleTreeSequenceNumber.read),
            address_sequence_numbers=u8_vec(MerkleTreeSequenceNumber.read),
            output_leaf_indices=u8_vec(BorshReader.u32),
            cpi_context_outputs=(
                r.vec(OutputCompressedAccountWithPackedContext.read) if r.remaining else ()
            ),
        )


@dataclass(frozen=True, slots=True)
class NewCompressedAccount:
    """One output of a Light transaction, as an indexer stores it.

    Attributes:
        owner: Owner of the compressed account.
        lamports: Its lamports.
        address: Its 32-byte address, if any.
        discriminator: Its 8-byte data discriminator (``None`` without data).
        data: Its data bytes (``None`` without data).
        data_hash: The data hash Light committed to (``None`` without data).
        hash: The leaf hash inserted by account compression (32 bytes, big-endian).
        leaf_index: Its leaf index (the queue index for V2).
        tree: The state tree (``smt…`` for V1, the batched tree ``bmt…`` for V2).
        queue: Where the leaf went: the V1 tree itself or the V2 output queue (``oq…``).
        tree_type: :class:`TreeType` of ``tree``.
        seq: The tree's sequence number for this leaf: V1 = sequence number after appending it,
            V2 = equals ``leaf_index``.
        output_index: Position among the outputs of its Light instruction.

    """

    owner: Pubkey
    lamports: int
    address: bytes | None
    discriminator: bytes | None
    data: bytes | None
    data_hash: bytes | None
    hash: bytes
    leaf_index: int
    tree: Pubkey
    queue: Pubkey
    tree_type: TreeType
    seq: int
    output_index: int

    def compute_hash(self) -> bytes:
        """Recompute the leaf hash from the account fields with Poseidon."""
        return compressed_account_hash(
            self.owner,
            self.leaf_index,
            self.tree,
            self.lamports,
            self.address,
            self.discriminator,
            self.data_hash,
            is_batched=self.tree_type == TreeType.STATE_V2,
        )


@dataclass(frozen=True, slots=True)
class LightInvocation:
    """A Light system program instruction paired with the ``insert_into_queues`` it issued."""

    instruction: LightSystemInstructionData
    insert_into_queues: InsertIntoQueues
    outputs: tuple[NewCompressedAccount, ...]


@dataclass(frozen=True, slots=True)
class FlatInstruction:
    """An instruction with resolved keys; ``stack_height`` is 1 for top-level instructions.

    ``stack_height`` may be ``None`` when the source does not record it (old RPC data); then the
    parent of an ``insert_into_queues`` is found by skipping back over system-program transfers.
    """

    program_id: Pubkey
    accounts: tuple[Pubkey, ...]
    data: bytes
    stack_height: int | None


def _resolve(
    keys: Sequence[Pubkey], ix: CompiledInstruction, height: int | None
) -> FlatInstruction:
    try:
        program = keys[ix.program_id_index]
        accounts = tuple(keys[i] for i in bytes(ix.accounts))
    except IndexError as exc:
        raise LightDecodeError(
            "instruction references an account index beyond the message's static keys "
            "(address lookup tables are not supported here)"
        ) from exc
    return FlatInstruction(program, accounts, bytes(ix.data), height)


def flatten_instructions(
    account_keys: Sequence[Pubkey],
    instructions: Sequence[CompiledInstruction],
    inner_instructions: Sequence[Sequence[InnerInstruction]],
) -> list[FlatInstruction]:
    """Interleave top-level instructions with their inner instructions, resolving account keys.

    Args:
        account_keys: The message's account keys (static keys; lookup tables not supported).
        instructions: The message's top-level instructions.
        inner_instructions: One list of inner instructions per top-level instruction, as
            ``TransactionMetadata.inner_instructions()`` returns them.

    """
    flat: list[FlatInstruction] = []
    for index, ix in enumerate(instructions):
        flat.append(_resolve(account_keys, ix, 1))
        if index < len(inner_instructions):
            for inner in inner_instructions[index]:
                flat.append(_resolve(account_keys, inner.instruction(), inner.stack_height()))
    return flat


def _is_light_insert(ix: FlatInstruction) -> bool:
    return (
        ix.program_id == ACCOUNT_COMPRESSION_PROGRAM_ID
        and ix.data[:8] == DISCRIMINATOR_INSERT_INTO_QUEUES
        and len(ix.accounts) > 2
        and ix.accounts[1] == REGISTERED_PROGRAM_PDA
    )


def _parent_index(instructions: Sequence[FlatInstruction], index: int) -> int | None:
    height = instructions[index].stack_height
    for j in range(index - 1, -1, -1):
        candidate = instructions[j]
        if height is not None and candidate.stack_height is not None:
            if candidate.stack_height == height - 1:
                return j if candidate.program_id == LIGHT_SYSTEM_PROGRAM_ID else None
            if candidate.stack_height < height - 1:
                return None
        elif candidate.program_id != SYSTEM_PROGRAM_ID:
            return j if candidate.program_id == LIGHT_SYSTEM_PROGRAM_ID else None
    return None


def _reconstruct(
    instruction: LightSystemInstructionData,
    insert: InsertIntoQueues,
    cpi_accounts: Sequence[Pubkey],
) -> tuple[NewCompressedAccount, ...]:
    outputs = insert.cpi_context_outputs + instruction.output_compressed_accounts
    if not (len(outputs) == len(insert.leaves) == len(insert.output_leaf_indices)):
        raise LightDecodeError(
            f"{len(outputs)} outputs but {len(insert.leaves)} leaves and "
            f"{len(insert.output_leaf_indices)} leaf indices"
        )
    queues = cpi_accounts[2:]
    sequence_by_queue = {s.queue: s for s in insert.output_sequence_numbers if not s.is_empty}
    appended: defaultdict[Pubkey, int] = defaultdict(int)
    result: list[NewCompressedAccount] = []
    for position, (output, leaf, leaf_index) in enumerate(
        zip(outputs, insert.leaves, insert.output_leaf_indices, strict=True)
    ):
        if leaf.account_index >= len(queues):
            raise LightDecodeError(f"leaf account index {leaf.account_index} out of range")
        queue = queues[leaf.account_index]
        sequence = sequence_by_queue.get(queue)
        if sequence is None:
            raise LightDecodeError(f"no output sequence number for {queue}")
        offset = appended[queue]
        appended[queue] += 1
        account = output.compressed_account
        data = account.data
        result.append(
            NewCompressedAccount(
                owner=account.owner,
                lamports=account.lamports,
                address=account.address,
                discriminator=data.discriminator if data else None,
                data=data.data if data else None,
                data_hash=data.data_hash if data else None,
                hash=leaf.leaf,
                leaf_index=leaf_index,
                tree=sequence.tree,
                queue=queue,
                tree_type=TreeType(sequence.tree_type),
                seq=sequence.seq + offset,
                output_index=position,
            )
        )
    return tuple(result)


def parse_light_invocations(
    instructions: Sequence[FlatInstruction], *, verify_hashes: bool = False
) -> list[LightInvocation]:
    """Find every Light system program call that inserted into queues, in execution order.

    Args:
        instructions: A transaction's instructions, flattened (see :func:`flatten_instructions`).
        verify_hashes: Recompute every output's Poseidon leaf hash and raise on a mismatch.

    Raises:
        LightDecodeError: malformed Light data, an unsupported Light instruction (for example
            ``invoke_cpi_with_account_info``), or a hash mismatch when ``verify_hashes``.

    """
    found: list[LightInvocation] = []
    for index, ix in enumerate(instructions):
        if not _is_light_insert(ix):
            continue
        parent = _parent_index(instructions, index)
        if parent is None:
            continue
        instruction = decode_light_system_instruction(instructions[parent].data)
        insert = InsertIntoQueues.from_instruction_data(ix.data)
        outputs = _reconstruct(instruction, insert, ix.accounts)
        if verify_hashes:
            for output in outputs:
                if output.compute_hash() != output.hash:
                    raise LightDecodeError(
                        f"leaf hash mismatch for output {output.output_index} "
                        f"(leaf {output.leaf_index} in {output.queue})"
                    )
        found.append(LightInvocation(instruction, insert, outputs))
    return found


def parse_light_outputs(
    instructions: Sequence[FlatInstruction], *, verify_hashes: bool = False
) -> list[NewCompressedAccount]:
    """Return every compressed account a transaction created, in execution order.

    See :func:`parse_light_invocations` for the arguments and errors.
    """
    return [
        output
        for invocation in parse_light_invocations(instructions, verify_hashes=verify_hashes)
        for output in invocation.outputs
    ]


def outputs_from_litesvm(
    tx: VersionedTransaction, meta: TransactionMetadata, *, verify_hashes: bool = False
) -> list[NewCompressedAccount]:
    """Return the compressed accounts created by a transaction LiteSVM executed successfully.

    Handles Light called top-level and Light called through CPI by another program.
    """
    message = tx.message
    flat = flatten_instructions(
        message.account_keys, message.instructions, meta.inner_instructions()
    )
    return parse_light_outputs(flat, verify_hashes=verify_hashes)
