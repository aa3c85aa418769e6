"""The instruction-set module: syscall hashes and v0 validation of raw instructions."""

from __future__ import annotations

import struct

import pytest

from solinbox.build.sbpf import (
    KNOWN_SYSCALLS,
    InvalidInstruction,
    murmur3_32,
    syscall_hash,
    syscall_name_for_hash,
    validate_text,
)

# Values from the loader's documentation and sbpf's own tests.
DOCUMENTED = {
    "abort": 0xB6FC1A11,
    "sol_panic_": 0x686093BB,
    "sol_log_": 0x207559BD,
    "sol_log_64_": 0x5C2A3178,
    "sol_log_data": 0x7317B434,
    "sol_sha256": 0x11F49D86,
    "sol_invoke_signed_c": 0xA22B9C85,
    "sol_invoke_signed_rust": 0xD7449092,
    "sol_memcpy_": 0x717CC4A3,
    "sol_memcmp_": 0x5FDCDE31,
    "sol_set_return_data": 0xA226D3EB,
    "entrypoint": 0x71E3CF81,
}


def insn(opc: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", opc, (src << 4) | dst, off, imm)


def where(i: int) -> str:
    return "f"


@pytest.mark.parametrize(("name", "value"), sorted(DOCUMENTED.items()))
def test_syscall_hashes_match_the_loader(name: str, value: int) -> None:
    assert syscall_hash(name) == value


def test_murmur3_reference_vectors() -> None:
    assert murmur3_32(b"") == 0
    assert murmur3_32(b"", 1) == 0x514E28B7
    assert murmur3_32(b"hello") == 0x248BFA47
    assert murmur3_32(b"Hello, world!", 1234) == 0xFAF6CDB3


def test_every_known_syscall_hash_is_reversible() -> None:
    for name in KNOWN_SYSCALLS:
        assert syscall_name_for_hash(syscall_hash(name)) == name
    assert syscall_name_for_hash(0x12345678) is None


def test_valid_program_passes() -> None:
    text = insn(0xB7, 0, imm=7) + insn(0x18, 1, imm=1) + insn(0) + insn(0x95)
    validate_text(text, where)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (insn(0x04, 1, imm=1), "32-bit ALU"),
        (insn(0x16, 1, off=0, imm=1), "JMP32"),
        (insn(0xDB, 1, 2), "atomic"),
        (insn(0xC3, 1, 2), "atomic"),
        (insn(0xD7, 1, imm=16), "bswap"),
        (insn(0xBF, 1, 2, off=8), "v4 form"),
        (insn(0x3F, 1, 2, off=1), "v4 form"),
        (insn(0x91, 1, 2), "sign-extending load"),
        (insn(0x20, 0, imm=4), "unknown"),
        (insn(0x37, 1, imm=0), "division by the immediate 0"),
        (insn(0x67, 1, imm=64), "shift by 64"),
        (insn(0xB7, 10, imm=1), "frame pointer"),
        (insn(0xB7, 11, imm=1), "register out of range"),
        (insn(0x8D, 0, imm=11), "callx register"),
        (insn(0xDC, 1, imm=8), "byte swap width"),
        (insn(0x18, 1, imm=1), "second slot"),
        (insn(0x05, off=5) + insn(0x95), "outside .text"),
        (insn(0x05, off=1) + insn(0x18, 1) + insn(0) + insn(0x95), "middle of an lddw"),
        (b"\x95\0\0", "multiple of 8"),
    ],
)
def test_forbidden_instructions_are_rejected(text: bytes, needle: str) -> None:
    with pytest.raises(InvalidInstruction, match=needle):
        validate_text(text + insn(0x95), lambda i: "my_function")


def test_error_names_the_function() -> None:
    with pytest.raises(InvalidInstruction) as exc:
        validate_text(insn(0x95) + insn(0x04, 1, imm=1), lambda i: f"fn_at_{i}")
    assert "fn_at_1" in str(exc.value)
    assert exc.value.index == 1
