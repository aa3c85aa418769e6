"""The sBPF v0 instruction set: decoding, validation and syscall names.

Upstream LLVM emits eBPF; the Solana runtime executes sBPF. For ``-mcpu=v2`` without
``+alu32`` the two agree on every instruction this module accepts. Everything else
(JMP32, 32-bit ALU, v4 sign-extending forms, atomics, legacy packet loads) is rejected
with the offending function named, because the runtime would either refuse the program
or, worse, execute it with different semantics (``docs/toolchain.md``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "INSN_SIZE",
    "KNOWN_SYSCALLS",
    "MM_PROGRAM_START",
    "Insn",
    "InvalidInstruction",
    "decode",
    "encode",
    "murmur3_32",
    "syscall_hash",
    "syscall_name_for_hash",
    "validate_text",
]

INSN_SIZE = 8
#: Where the program region (text and read-only data) is mapped in the VM.
MM_PROGRAM_START = 0x1_0000_0000

# Opcodes (class | size/op | source), as sBPF v0 names them.
LD_DW_IMM = 0x18
LDX = frozenset({0x61, 0x69, 0x71, 0x79})
ST_IMM = frozenset({0x62, 0x6A, 0x72, 0x7A})
ST_REG = frozenset({0x63, 0x6B, 0x73, 0x7B})
ALU64 = frozenset(
    {
        0x07, 0x0F, 0x17, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x47, 0x4F, 0x57, 0x5F,
        0x67, 0x6F, 0x77, 0x7F, 0x87, 0x97, 0x9F, 0xA7, 0xAF, 0xB7, 0xBF, 0xC7, 0xCF,
    }
)  # fmt: skip
ENDIAN = frozenset({0xD4, 0xDC})  # le / be: class ALU but valid in v0
JUMPS = frozenset(
    {
        0x05, 0x15, 0x1D, 0x25, 0x2D, 0x35, 0x3D, 0x45, 0x4D, 0x55, 0x5D, 0x65, 0x6D,
        0x75, 0x7D, 0xA5, 0xAD, 0xB5, 0xBD, 0xC5, 0xCD, 0xD5, 0xDD,
    }
)  # fmt: skip
CALL_IMM = 0x85
CALL_REG = 0x8D
EXIT = 0x95
DIV_MOD_IMM = frozenset({0x37, 0x97})
SHIFT_IMM = frozenset({0x67, 0x77, 0xC7})
STORES = ST_IMM | ST_REG

#: The syscalls an sBPF v0 program may call; the runtime resolves them by murmur3 hash.
KNOWN_SYSCALLS: tuple[str, ...] = (
    "abort",
    "sol_panic_",
    "sol_log_",
    "sol_log_64_",
    "sol_log_pubkey",
    "sol_log_compute_units_",
    "sol_log_data",
    "sol_sha256",
    "sol_keccak256",
    "sol_blake3",
    "sol_poseidon",
    "sol_secp256k1_recover",
    "sol_create_program_address",
    "sol_try_find_program_address",
    "sol_invoke_signed_c",
    "sol_invoke_signed_rust",
    "sol_get_clock_sysvar",
    "sol_get_rent_sysvar",
    "sol_get_epoch_schedule_sysvar",
    "sol_get_epoch_rewards_sysvar",
    "sol_get_last_restart_slot",
    "sol_get_sysvar",
    "sol_get_epoch_stake",
    "sol_memcpy_",
    "sol_memset_",
    "sol_memcmp_",
    "sol_memmove_",
    "sol_set_return_data",
    "sol_get_return_data",
    "sol_get_stack_height",
    "sol_get_processed_sibling_instruction",
    "sol_remaining_compute_units",
    "sol_curve_validate_point",
    "sol_curve_group_op",
    "sol_curve_multiscalar_mul",
    "sol_alt_bn128_group_op",
    "sol_alt_bn128_compression",
    "sol_big_mod_exp",
)


class InvalidInstruction(Exception):
    """An instruction is not valid sBPF v0 (raised with its index and a reason)."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(f"instruction #{index}: {reason}")
        self.index = index
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Insn:
    """One 8-byte instruction slot."""

    opc: int
    dst: int
    src: int
    off: int
    imm: int

    @property
    def lo_imm(self) -> int:
        """The immediate as an unsigned 32-bit value."""
        return self.imm & 0xFFFF_FFFF


_INSN = struct.Struct("<BBhi")


def decode(text: bytes | bytearray | memoryview, index: int) -> Insn:
    """Decode the instruction slot at ``index`` (in slots, not bytes)."""
    opc, regs, off, imm = _INSN.unpack_from(text, index * INSN_SIZE)
    return Insn(opc, regs & 0x0F, regs >> 4, off, imm)


def encode(insn: Insn) -> bytes:
    """Encode one instruction slot."""
    imm = insn.imm if insn.imm < 0x8000_0000 else insn.imm - 0x1_0000_0000
    return _INSN.pack(insn.opc, (insn.src << 4) | insn.dst, insn.off, imm)


def iter_insns(text: bytes | bytearray) -> Iterator[tuple[int, Insn]]:
    """Yield ``(index, insn)`` for every slot, including lddw second halves."""
    for i in range(len(text) // INSN_SIZE):
        yield i, decode(text, i)


def _reason(insn: Insn) -> str | None:
    """Why ``insn`` (not an lddw second slot) is not in the v0 set, or None if it is."""
    opc = insn.opc
    cls = opc & 0x07
    if cls == 0x06:
        return f"JMP32 instruction (opcode {opc:#04x}) is not in sBPF v0; build with -mcpu=v2"
    if opc in (0xC3, 0xDB):
        return f"atomic instruction (opcode {opc:#04x}) is not in sBPF v0; lower atomics first"
    if opc == 0xD7:
        return "bswap (opcode 0xd7) is a BPF v4 instruction, not in sBPF v0"
    if cls == 0x04 and opc not in ENDIAN:
        return f"32-bit ALU instruction (opcode {opc:#04x}) is not allowed; build without +alu32"
    if cls == 0x01 and opc != LD_DW_IMM and opc in (0x81, 0x89, 0x91, 0x99):
        return f"sign-extending load (opcode {opc:#04x}) is a BPF v4 instruction"
    known = (
        opc == LD_DW_IMM
        or opc in LDX
        or opc in STORES
        or opc in ALU64
        or opc in ENDIAN
        or opc in JUMPS
        or opc in (CALL_IMM, CALL_REG, EXIT)
    )
    if not known:
        return f"unknown or unsupported opcode {opc:#04x}"
    if (opc in ALU64 or opc in ENDIAN) and insn.off != 0:
        return f"opcode {opc:#04x} with offset {insn.off} is a BPF v4 form (movsx/sdiv/smod)"
    return None


def validate_text(text: bytes | bytearray, where: Callable[[int], str]) -> None:
    """Check every instruction of a ``.text`` image against sBPF v0 rules.

    ``where(index)`` names the function that contains an instruction, for error messages.
    Raises :class:`InvalidInstruction` (its message includes the function name) on the
    first problem: an opcode outside the set, bad registers, division by an immediate
    zero, out-of-range shifts or jumps, and malformed ``lddw`` pairs.
    """
    if len(text) % INSN_SIZE:
        raise InvalidInstruction(0, f".text size {len(text)} is not a multiple of 8")
    count = len(text) // INSN_SIZE
    lddw_second: set[int] = set()
    jumps: list[tuple[int, int]] = []
    i = 0
    while i < count:
        insn = decode(text, i)

        def fail(reason: str, _i: int = i) -> InvalidInstruction:
            return InvalidInstruction(_i, f"{reason} (in {where(_i)})")

        reason = _reason(insn)
        if reason:
            raise fail(reason)
        if insn.dst > 10 or insn.src > 10:
            raise fail(f"register out of range (dst r{insn.dst}, src r{insn.src})")
        writes_dst = (
            insn.opc not in STORES
            and insn.opc not in JUMPS
            and insn.opc
            not in (
                CALL_IMM,
                CALL_REG,
                EXIT,
            )
        )
        if writes_dst and insn.dst == 10:
            raise fail("writes the read-only frame pointer r10")
        if insn.opc in DIV_MOD_IMM and insn.imm == 0:
            raise fail("division by the immediate 0")
        if insn.opc in SHIFT_IMM and not 0 <= insn.imm < 64:
            raise fail(f"shift by {insn.imm} is out of range")
        if insn.opc in ENDIAN and insn.imm not in (16, 32, 64):
            raise fail(f"byte swap width {insn.imm} is invalid")
        if insn.opc == CALL_REG and not 0 <= insn.imm <= 10:
            raise fail(f"callx register r{insn.imm} is out of range")
        if insn.opc in JUMPS:
            jumps.append((i, i + 1 + insn.off))
        if insn.opc == LD_DW_IMM:
            if i + 1 >= count:
                raise fail("lddw is missing its second slot")
            second = decode(text, i + 1)
            if second.opc != 0 or second.dst or second.src or second.off:
                raise fail("lddw second slot is malformed")
            lddw_second.add(i + 1)
            i += 2
            continue
        i += 1
    for at, target in jumps:
        if not 0 <= target < count:
            raise InvalidInstruction(at, f"jump target {target} is outside .text (in {where(at)})")
        if target in lddw_second:
            raise InvalidInstruction(at, f"jump into the middle of an lddw (in {where(at)})")


def _fmix(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFF_FFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFF_FFFF
    h ^= h >> 16
    return h


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit, the hash the loader uses for syscall and function keys."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & 0xFFFF_FFFF
    n = len(data) // 4 * 4
    for (k,) in struct.iter_unpack("<I", data[:n]):
        k = (k * c1) & 0xFFFF_FFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFF_FFFF
        k = (k * c2) & 0xFFFF_FFFF
        h ^= k
        h = ((h << 13) | (h >> 19)) & 0xFFFF_FFFF
        h = (h * 5 + 0xE6546B64) & 0xFFFF_FFFF
    tail = data[n:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & 0xFFFF_FFFF
        k = ((k << 15) | (k >> 17)) & 0xFFFF_FFFF
        k = (k * c2) & 0xFFFF_FFFF
        h ^= k
    h ^= len(data)
    return _fmix(h)


def syscall_hash(name: str) -> int:
    """The key under which the runtime registers the syscall ``name``."""
    return murmur3_32(name.encode())


_BY_HASH = {syscall_hash(n): n for n in KNOWN_SYSCALLS}


def syscall_name_for_hash(key: int) -> str | None:
    """The known syscall whose hash is ``key`` (static ``call <hash>`` forms), or None."""
    return _BY_HASH.get(key & 0xFFFF_FFFF)
