"""Light system program instruction data (borsh) and pure instruction builders.

Layouts follow ``light-compressed-account`` 0.11.0 (``instruction_data/{data,invoke_cpi,
with_readonly}.rs``). Framing (``programs/system/src/lib.rs``): ``invoke`` and ``invoke_cpi`` are
``discriminator || u32 LE length || borsh``; ``invoke_cpi_with_read_only`` is
``discriminator || borsh``. Every struct has ``write(writer)`` / ``read(reader)``; the three
instruction structs add ``encode()`` (the borsh body), a strict ``decode()``,
``to_instruction_data()`` and a ``from_instruction_data()`` that reads like the program does (the
length prefix is skipped, not checked, and trailing bytes are ignored).

No IO here: builders return :class:`solders.instruction.Instruction`.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, Self, TypeAlias

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from solinbox.light._borsh import BorshReader, BorshWriter, LightDecodeError
from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_AUTHORITY,
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
    NOOP_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    SOL_POOL_PDA,
    SYSTEM_PROGRAM_ID,
)

__all__ = [
    "DISCRIMINATOR_INSERT_INTO_QUEUES",
    "DISCRIMINATOR_INVOKE",
    "DISCRIMINATOR_INVOKE_CPI",
    "DISCRIMINATOR_INVOKE_CPI_WITH_ACCOUNT_INFO",
    "DISCRIMINATOR_INVOKE_CPI_WITH_READ_ONLY",
    "CompressedAccount",
    "CompressedAccountData",
    "CompressedCpiContext",
    "CompressedProof",
    "InAccount",
    "InstructionDataInvoke",
    "InstructionDataInvokeCpi",
    "InstructionDataInvokeCpiWithReadOnly",
    "LightSystemInstructionData",
    "NewAddressParamsAssignedPacked",
    "NewAddressParamsPacked",
    "OutputCompressedAccountWithPackedContext",
    "PackedCompressedAccountWithMerkleContext",
    "PackedMerkleContext",
    "PackedReadOnlyAddress",
    "PackedReadOnlyCompressedAccount",
    "decode_light_system_instruction",
    "invoke",
    "invoke_compress_sol",
]

DISCRIMINATOR_INVOKE = bytes([26, 16, 169, 7, 21, 202, 242, 25])
"""Light system program ``invoke`` (top-level caller signs)."""
DISCRIMINATOR_INVOKE_CPI = bytes([49, 212, 191, 129, 39, 194, 43, 196])
"""Light system program ``invoke_cpi`` (a program's cpi_authority PDA signs)."""
DISCRIMINATOR_INVOKE_CPI_WITH_READ_ONLY = bytes([86, 47, 163, 166, 21, 223, 92, 8])
"""Light system program ``invoke_cpi_with_read_only``."""
DISCRIMINATOR_INVOKE_CPI_WITH_ACCOUNT_INFO = bytes([228, 34, 128, 84, 47, 139, 86, 240])
"""Light system program ``invoke_cpi_with_account_info`` (recognised, not decoded here)."""
DISCRIMINATOR_INSERT_INTO_QUEUES = bytes([180, 143, 159, 153, 35, 46, 248, 163])
"""Account-compression ``insert_into_queues``, the CPI an indexer reads."""


def _check_len(name: str, value: bytes, size: int) -> None:
    if len(value) != size:
        raise ValueError(f"{name} must be {size} bytes, got {len(value)}")


@dataclass(frozen=True, slots=True)
class CompressedProof:
    """A compressed Groth16 proof (``a`` 32 B, ``b`` 64 B, ``c`` 32 B)."""

    a: bytes
    b: bytes
    c: bytes

    def __post_init__(self) -> None:
        _check_len("a", self.a, 32)
        _check_len("b", self.b, 64)
        _check_len("c", self.c, 32)

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.fixed(self.a, 32)
        w.fixed(self.b, 64)
        w.fixed(self.c, 32)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(a=r.fixed(32), b=r.fixed(64), c=r.fixed(32))


@dataclass(frozen=True, slots=True)
class CompressedAccountData:
    """Data of a compressed account: discriminator, raw bytes and the hash Light commits to."""

    discriminator: bytes
    data: bytes
    data_hash: bytes

    def __post_init__(self) -> None:
        _check_len("discriminator", self.discriminator, 8)
        _check_len("data_hash", self.data_hash, 32)

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.fixed(self.discriminator, 8)
        w.bytes_vec(self.data)
        w.fixed(self.data_hash, 32)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(discriminator=r.fixed(8), data=r.bytes_vec(), data_hash=r.fixed(32))


@dataclass(frozen=True, slots=True)
class CompressedAccount:
    """A compressed account as carried in instruction data."""

    owner: Pubkey
    lamports: int = 0
    address: bytes | None = None
    data: CompressedAccountData | None = None

    def __post_init__(self) -> None:
        if self.address is not None:
            _check_len("address", self.address, 32)

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.pubkey(self.owner)
        w.u64(self.lamports)
        w.option(self.address, lambda w, v: w.fixed(v, 32))
        w.option(self.data, lambda w, v: v.write(w))

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(
            owner=r.pubkey(),
            lamports=r.u64(),
            address=r.option(lambda r: r.fixed(32)),
            data=r.option(CompressedAccountData.read),
        )


@dataclass(frozen=True, slots=True)
class OutputCompressedAccountWithPackedContext:
    """An output account and the index of its V1 tree or V2 output queue in the remaining accounts."""

    compressed_account: CompressedAccount
    merkle_tree_index: int

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        self.compressed_account.write(w)
        w.u8(self.merkle_tree_index)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(compressed_account=CompressedAccount.read(r), merkle_tree_index=r.u8())


@dataclass(frozen=True, slots=True)
class PackedMerkleContext:
    """Where an input account lives (indices into the remaining accounts)."""

    merkle_tree_pubkey_index: int
    queue_pubkey_index: int
    leaf_index: int
    prove_by_index: bool

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.u8(self.merkle_tree_pubkey_index)
        w.u8(self.queue_pubkey_index)
        w.u32(self.leaf_index)
        w.bool(self.prove_by_index)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(r.u8(), r.u8(), r.u32(), r.bool())


@dataclass(frozen=True, slots=True)
class PackedCompressedAccountWithMerkleContext:
    """An input account of ``invoke`` / ``invoke_cpi``."""

    compressed_account: CompressedAccount
    merkle_context: PackedMerkleContext
    root_index: int
    read_only: bool

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        self.compressed_account.write(w)
        self.merkle_context.write(w)
        w.u16(self.root_index)
        w.bool(self.read_only)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(CompressedAccount.read(r), PackedMerkleContext.read(r), r.u16(), r.bool())


@dataclass(frozen=True, slots=True)
class NewAddressParamsPacked:
    """A new address to create (needs a non-inclusion proof)."""

    seed: bytes
    address_queue_account_index: int
    address_merkle_tree_account_index: int
    address_merkle_tree_root_index: int

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.fixed(self.seed, 32)
        w.u8(self.address_queue_account_index)
        w.u8(self.address_merkle_tree_account_index)
        w.u16(self.address_merkle_tree_root_index)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(r.fixed(32), r.u8(), r.u8(), r.u16())


@dataclass(frozen=True, slots=True)
class NewAddressParamsAssignedPacked:
    """A new address of ``invoke_cpi_with_read_only``, optionally assigned to an output."""

    seed: bytes
    address_queue_account_index: int
    address_merkle_tree_account_index: int
    address_merkle_tree_root_index: int
    assigned_to_account: bool
    assigned_account_index: int

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.fixed(self.seed, 32)
        w.u8(self.address_queue_account_index)
        w.u8(self.address_merkle_tree_account_index)
        w.u16(self.address_merkle_tree_root_index)
        w.bool(self.assigned_to_account)
        w.u8(self.assigned_account_index)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(r.fixed(32), r.u8(), r.u8(), r.u16(), r.bool(), r.u8())


@dataclass(frozen=True, slots=True)
class CompressedCpiContext:
    """Use of a CPI-context account to batch several programs' writes."""

    set_context: bool = False
    first_set_context: bool = False
    cpi_context_account_index: int = 0

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.bool(self.set_context)
        w.bool(self.first_set_context)
        w.u8(self.cpi_context_account_index)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(r.bool(), r.bool(), r.u8())


@dataclass(frozen=True, slots=True)
class InAccount:
    """An input account of ``invoke_cpi_with_read_only`` (owner = the invoking program)."""

    discriminator: bytes
    data_hash: bytes
    merkle_context: PackedMerkleContext
    root_index: int
    lamports: int
    address: bytes | None = None

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.fixed(self.discriminator, 8)
        w.fixed(self.data_hash, 32)
        self.merkle_context.write(w)
        w.u16(self.root_index)
        w.u64(self.lamports)
        w.option(self.address, lambda w, v: w.fixed(v, 32))

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(
            discriminator=r.fixed(8),
            data_hash=r.fixed(32),
            merkle_context=PackedMerkleContext.read(r),
            root_index=r.u16(),
            lamports=r.u64(),
            address=r.option(lambda r: r.fixed(32)),
        )


@dataclass(frozen=True, slots=True)
class PackedReadOnlyAddress:
    """An address proven to exist without being written."""

    address: bytes
    address_merkle_tree_root_index: int
    address_merkle_tree_account_index: int

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.fixed(self.address, 32)
        w.u16(self.address_merkle_tree_root_index)
        w.u8(self.address_merkle_tree_account_index)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(r.fixed(32), r.u16(), r.u8())


@dataclass(frozen=True, slots=True)
class PackedReadOnlyCompressedAccount:
    """An account proven to exist without being spent."""

    account_hash: bytes
    merkle_context: PackedMerkleContext
    root_index: int

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.fixed(self.account_hash, 32)
        self.merkle_context.write(w)
        w.u16(self.root_index)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(r.fixed(32), PackedMerkleContext.read(r), r.u16())


class _Writable(Protocol):
    def write(self, w: BorshWriter, /) -> None: ...


def _write_item(w: BorshWriter, item: _Writable) -> None:
    item.write(w)


class _InstructionData(abc.ABC):
    """Shared framing of the three Light system program instructions."""

    DISCRIMINATOR: ClassVar[bytes]
    LENGTH_PREFIXED: ClassVar[bool]

    @abc.abstractmethod
    def write(self, w: BorshWriter) -> None:
        """Write the struct's fields."""

    @classmethod
    @abc.abstractmethod
    def read(cls, r: BorshReader) -> Self:
        """Read the struct's fields."""

    def encode(self) -> bytes:
        """Return the borsh encoding of the struct (no discriminator, no length prefix)."""
        w = BorshWriter()
        self.write(w)
        return w.getvalue()

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode a borsh body; every byte must be consumed."""
        r = BorshReader(data)
        value = cls.read(r)
        r.expect_end()
        return value

    def to_instruction_data(self) -> bytes:
        """Return the full instruction data: discriminator, [u32 LE length,] borsh body."""
        body = self.encode()
        if self.LENGTH_PREFIXED:
            return self.DISCRIMINATOR + len(body).to_bytes(4, "little") + body
        return self.DISCRIMINATOR + body

    @classmethod
    def from_instruction_data(cls, data: bytes) -> Self:
        """Decode full instruction data the way the Light system program reads it.

        The discriminator must match. For length-prefixed instructions the 4 prefix bytes are
        skipped without being interpreted, and bytes after the struct are ignored (as on-chain).
        """
        if bytes(data[:8]) != cls.DISCRIMINATOR:
            raise LightDecodeError(
                f"not a {cls.__name__} instruction: discriminator {bytes(data[:8]).hex()}"
            )
        start = 12 if cls.LENGTH_PREFIXED else 8
        if len(data) < start:
            raise LightDecodeError(f"{cls.__name__} instruction data too short ({len(data)} B)")
        return cls.read(BorshReader(data, start))


@dataclass(frozen=True, slots=True)
class InstructionDataInvoke(_InstructionData):
    """Borsh body of ``invoke`` (the signer owns inputs; outputs with data are rejected)."""

    DISCRIMINATOR: ClassVar[bytes] = DISCRIMINATOR_INVOKE
    LENGTH_PREFIXED: ClassVar[bool] = True

    proof: CompressedProof | None = None
    input_compressed_accounts_with_merkle_context: tuple[
        PackedCompressedAccountWithMerkleContext, ...
    ] = ()
    output_compressed_accounts: tuple[OutputCompressedAccountWithPackedContext, ...] = ()
    relay_fee: int | None = None
    new_address_params: tuple[NewAddressParamsPacked, ...] = ()
    compress_or_decompress_lamports: int | None = None
    is_compress: bool = False

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.option(self.proof, _write_item)
        w.vec(self.input_compressed_accounts_with_merkle_context, _write_item)
        w.vec(self.output_compressed_accounts, _write_item)
        w.option(self.relay_fee, BorshWriter.u64)
        w.vec(self.new_address_params, _write_item)
        w.option(self.compress_or_decompress_lamports, BorshWriter.u64)
        w.bool(self.is_compress)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(
            proof=r.option(CompressedProof.read),
            input_compressed_accounts_with_merkle_context=r.vec(
                PackedCompressedAccountWithMerkleContext.read
            ),
            output_compressed_accounts=r.vec(OutputCompressedAccountWithPackedContext.read),
            relay_fee=r.option(BorshReader.u64),
            new_address_params=r.vec(NewAddressParamsPacked.read),
            compress_or_decompress_lamports=r.option(BorshReader.u64),
            is_compress=r.bool(),
        )


@dataclass(frozen=True, slots=True)
class InstructionDataInvokeCpi(_InstructionData):
    """Borsh body of ``invoke_cpi`` (the invoking program is account 6 of the instruction)."""

    DISCRIMINATOR: ClassVar[bytes] = DISCRIMINATOR_INVOKE_CPI
    LENGTH_PREFIXED: ClassVar[bool] = True

    proof: CompressedProof | None = None
    new_address_params: tuple[NewAddressParamsPacked, ...] = ()
    input_compressed_accounts_with_merkle_context: tuple[
        PackedCompressedAccountWithMerkleContext, ...
    ] = ()
    output_compressed_accounts: tuple[OutputCompressedAccountWithPackedContext, ...] = ()
    relay_fee: int | None = None
    compress_or_decompress_lamports: int | None = None
    is_compress: bool = False
    cpi_context: CompressedCpiContext | None = None

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.option(self.proof, _write_item)
        w.vec(self.new_address_params, _write_item)
        w.vec(self.input_compressed_accounts_with_merkle_context, _write_item)
        w.vec(self.output_compressed_accounts, _write_item)
        w.option(self.relay_fee, BorshWriter.u64)
        w.option(self.compress_or_decompress_lamports, BorshWriter.u64)
        w.bool(self.is_compress)
        w.option(self.cpi_context, _write_item)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        return cls(
            proof=r.option(CompressedProof.read),
            new_address_params=r.vec(NewAddressParamsPacked.read),
            input_compressed_accounts_with_merkle_context=r.vec(
                PackedCompressedAccountWithMerkleContext.read
            ),
            output_compressed_accounts=r.vec(OutputCompressedAccountWithPackedContext.read),
            relay_fee=r.option(BorshReader.u64),
            compress_or_decompress_lamports=r.option(BorshReader.u64),
            is_compress=r.bool(),
            cpi_context=r.option(CompressedCpiContext.read),
        )


@dataclass(frozen=True, slots=True)
class InstructionDataInvokeCpiWithReadOnly(_InstructionData):
    """Borsh body of ``invoke_cpi_with_read_only`` (no length prefix on the wire).

    ``mode`` 0 uses the 11-account ``invoke_cpi`` layout, 1 the compact V2 layout; ``bump`` is
    the bump of the caller's ``cpi_authority`` PDA.
    """

    DISCRIMINATOR: ClassVar[bytes] = DISCRIMINATOR_INVOKE_CPI_WITH_READ_ONLY
    LENGTH_PREFIXED: ClassVar[bool] = False

    invoking_program_id: Pubkey
    bump: int
    mode: int = 1
    compress_or_decompress_lamports: int = 0
    is_compress: bool = False
    with_cpi_context: bool = False
    with_transaction_hash: bool = False
    cpi_context: CompressedCpiContext = field(default_factory=CompressedCpiContext)
    proof: CompressedProof | None = None
    new_address_params: tuple[NewAddressParamsAssignedPacked, ...] = ()
    input_compressed_accounts: tuple[InAccount, ...] = ()
    output_compressed_accounts: tuple[OutputCompressedAccountWithPackedContext, ...] = ()
    read_only_addresses: tuple[PackedReadOnlyAddress, ...] = ()
    read_only_accounts: tuple[PackedReadOnlyCompressedAccount, ...] = ()

    def write(self, w: BorshWriter) -> None:
        """Append the borsh encoding to ``w``."""
        w.u8(self.mode)
        w.u8(self.bump)
        w.pubkey(self.invoking_program_id)
        w.u64(self.compress_or_decompress_lamports)
        w.bool(self.is_compress)
        w.bool(self.with_cpi_context)
        w.bool(self.with_transaction_hash)
        self.cpi_context.write(w)
        w.option(self.proof, _write_item)
        w.vec(self.new_address_params, _write_item)
        w.vec(self.input_compressed_accounts, _write_item)
        w.vec(self.output_compressed_accounts, _write_item)
        w.vec(self.read_only_addresses, _write_item)
        w.vec(self.read_only_accounts, _write_item)

    @classmethod
    def read(cls, r: BorshReader) -> Self:
        """Read one value from ``r``."""
        mode = r.u8()
        bump = r.u8()
        return cls(
            mode=mode,
            bump=bump,
            invoking_program_id=r.pubkey(),
            compress_or_decompress_lamports=r.u64(),
            is_compress=r.bool(),
            with_cpi_context=r.bool(),
            with_transaction_hash=r.bool(),
            cpi_context=CompressedCpiContext.read(r),
            proof=r.option(CompressedProof.read),
            new_address_params=r.vec(NewAddressParamsAssignedPacked.read),
            input_compressed_accounts=r.vec(InAccount.read),
            output_compressed_accounts=r.vec(OutputCompressedAccountWithPackedContext.read),
            read_only_addresses=r.vec(PackedReadOnlyAddress.read),
            read_only_accounts=r.vec(PackedReadOnlyCompressedAccount.read),
        )


LightSystemInstructionData: TypeAlias = (
    InstructionDataInvoke | InstructionDataInvokeCpi | InstructionDataInvokeCpiWithReadOnly
)
"""Any decoded Light system program instruction that creates outputs."""

_BY_DISCRIMINATOR: dict[bytes, type[LightSystemInstructionData]] = {
    DISCRIMINATOR_INVOKE: InstructionDataInvoke,
    DISCRIMINATOR_INVOKE_CPI: InstructionDataInvokeCpi,
    DISCRIMINATOR_INVOKE_CPI_WITH_READ_ONLY: InstructionDataInvokeCpiWithReadOnly,
}


def decode_light_system_instruction(data: bytes) -> LightSystemInstructionData:
    """Decode ``invoke`` / ``invoke_cpi`` / ``invoke_cpi_with_read_only`` instruction data.

    Raises:
        LightDecodeError: another discriminator (``invoke_cpi_with_account_info`` and the
            CPI-context account instructions are not supported) or malformed data.

    """
    kind = _BY_DISCRIMINATOR.get(bytes(data[:8]))
    if kind is None:
        name = (
            "invoke_cpi_with_account_info"
            if bytes(data[:8]) == DISCRIMINATOR_INVOKE_CPI_WITH_ACCOUNT_INFO
            else "unknown"
        )
        raise LightDecodeError(
            f"unsupported light system instruction ({name}, discriminator {bytes(data[:8]).hex()})"
        )
    return kind.from_instruction_data(data)


def invoke(
    data: InstructionDataInvoke,
    *,
    fee_payer: Pubkey,
    remaining_accounts: Sequence[AccountMeta],
    authority: Pubkey | None = None,
    decompression_recipient: Pubkey | None = None,
) -> Instruction:
    """Build a top-level Light ``invoke``.

    Accounts (``InvokeInstruction::from_account_infos``): fee payer (signer, writable),
    authority (signer), registered-program PDA, the legacy noop slot, account-compression
    authority, account-compression program, SOL pool PDA (writable) when
    ``compress_or_decompress_lamports`` is set else the system-program id as "None",
    decompression recipient (writable) when decompressing else "None", the system program, then
    ``remaining_accounts`` (trees and queues, referenced by index from ``data``).

    Args:
        data: The instruction body.
        fee_payer: Pays fees and, when compressing, the lamports.
        remaining_accounts: Trees / queues in the order ``data`` indexes them (writable).
        authority: Owner of the inputs; defaults to ``fee_payer``.
        decompression_recipient: Required when decompressing lamports.

    """
    moves_lamports = data.compress_or_decompress_lamports is not None
    decompressing = moves_lamports and not data.is_compress
    if decompressing and decompression_recipient is None:
        raise ValueError("decompressing lamports needs a decompression_recipient")
    none = AccountMeta(LIGHT_SYSTEM_PROGRAM_ID, is_signer=False, is_writable=False)
    signer = authority if authority is not None else fee_payer
    metas = [
        AccountMeta(fee_payer, is_signer=True, is_writable=True),
        AccountMeta(signer, is_signer=True, is_writable=False),
        AccountMeta(REGISTERED_PROGRAM_PDA, is_signer=False, is_writable=False),
        AccountMeta(NOOP_PROGRAM_ID, is_signer=False, is_writable=False),
        AccountMeta(ACCOUNT_COMPRESSION_AUTHORITY, is_signer=False, is_writable=False),
        AccountMeta(ACCOUNT_COMPRESSION_PROGRAM_ID, is_signer=False, is_writable=False),
        AccountMeta(SOL_POOL_PDA, is_signer=False, is_writable=True) if moves_lamports else none,
        (
            AccountMeta(decompression_recipient, is_signer=False, is_writable=True)
            if decompressing and decompression_recipient is not None
            else none
        ),
        AccountMeta(SYSTEM_PROGRAM_ID, is_signer=False, is_writable=False),
        *remaining_accounts,
    ]
    return Instruction(LIGHT_SYSTEM_PROGRAM_ID, data.to_instruction_data(), metas)


def invoke_compress_sol(
    payer: Pubkey,
    lamports: int,
    output_tree: Pubkey,
    *,
    authority: Pubkey | None = None,
    recipient_owner: Pubkey | None = None,
) -> Instruction:
    """Build an ``invoke`` that moves ``lamports`` from ``payer`` into one new compressed account.

    Args:
        payer: Fee payer; the lamports come from it.
        lamports: Amount to compress (the SOL pool PDA must exist or receive ≥ rent exemption).
        output_tree: A V1 state tree (``smt…``) or a V2 output queue (``oq…``).
        authority: Extra signer acting as authority; defaults to ``payer``.
        recipient_owner: Owner of the new account; defaults to the authority.

    """
    owner = recipient_owner or authority or payer
    data = InstructionDataInvoke(
        output_compressed_accounts=(
            OutputCompressedAccountWithPackedContext(
                CompressedAccount(owner=owner, lamports=lamports), merkle_tree_index=0
            ),
        ),
        compress_or_decompress_lamports=lamports,
        is_compress=True,
    )
    return invoke(
        data,
        fee_payer=payer,
        authority=authority,
        remaining_accounts=[AccountMeta(output_tree, is_signer=False, is_writable=True)],
    )
