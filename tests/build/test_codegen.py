"""LLVM code generation through libLLVM: the limits of upstream BPF surface as clear errors."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

from solinbox.build.llvm import codegen
from solinbox.build.postlink import link_program
from solinbox.errors import CodegenError
from solinbox.localnet.svm import send

Bitcode = Callable[[str], bytes]

SIX_ARGS = """
target triple = "bpfel"
define i64 @six(i64 %a, i64 %b, i64 %c, i64 %d, i64 %e, i64 %f) noinline {
  %1 = add i64 %a, %f
  ret i64 %1
}
define i64 @entrypoint(ptr %in) {
  %r = call i64 @six(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6)
  ret i64 %r
}
"""

I128 = """
target triple = "bpfel"
define i64 @entrypoint(ptr %in) {
  %a = load i64, ptr %in
  %x = zext i64 %a to i128
  %m = mul i128 %x, %x
  %h = lshr i128 %m, 64
  %t = trunc i128 %h to i64
  ret i64 %t
}
"""

SDIV = """
target triple = "bpfel"
define i64 @entrypoint(ptr %in) {
  %a = load i64, ptr %in
  %q = sdiv i64 %a, 7
  ret i64 %q
}
"""

# memcmp of run-time length on instruction data: entrypoint(input) with the input layout of
# a zero-account instruction: [u64 0][u64 len][data...]; data = [n][a: n bytes][b: n bytes].
MEMCMP = """
target triple = "bpfel"
declare i32 @memcmp(ptr, ptr, i64)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
define i64 @entrypoint(ptr %in) {
  %d = getelementptr i8, ptr %in, i64 16
  %nb = load i8, ptr %d
  %n = zext i8 %nb to i64
  %a = getelementptr i8, ptr %d, i64 1
  %b = getelementptr i8, ptr %a, i64 %n
  %buf = alloca [64 x i8]
  call void @llvm.memcpy.p0.p0.i64(ptr %buf, ptr %b, i64 %n, i1 false)
  %c = call i32 @memcmp(ptr %a, ptr %buf, i64 %n)
  %neg = icmp slt i32 %c, 0
  %pos = icmp sgt i32 %c, 0
  %r1 = select i1 %pos, i64 200, i64 100
  %r = select i1 %neg, i64 300, i64 %r1
  ret i64 %r
}
"""


def test_more_than_five_arguments_is_a_codegen_error(bitcode: Bitcode) -> None:
    with pytest.raises(CodegenError, match="stack arguments are not supported|too many arguments"):
        codegen([bitcode(SIX_ARGS)], ["entrypoint"])


def test_i128_arithmetic_is_a_codegen_error(bitcode: Bitcode) -> None:
    with pytest.raises(CodegenError, match="__multi3"):
        codegen([bitcode(I128)], ["entrypoint"])


def test_signed_division_is_a_codegen_error(bitcode: Bitcode) -> None:
    with pytest.raises(CodegenError, match="signed division"):
        codegen([bitcode(SDIV)], ["entrypoint"])


def test_not_bitcode() -> None:
    with pytest.raises(CodegenError, match="not LLVM bitcode"):
        codegen([b"garbage"], ["entrypoint"])


def test_non_exported_symbols_are_internalized(bitcode: Bitcode) -> None:
    ir = """
target triple = "bpfel"
define i64 @unused_public() { ret i64 1 }
define i64 @entrypoint(ptr %in) { ret i64 0 }
"""
    prog = link_program(codegen([bitcode(ir)], ["entrypoint"]))
    assert "unused_public" not in prog.functions  # removed by globaldce once internal


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(b"abc", b"abc", 100), (b"abd", b"abc", 200), (b"abb", b"abc", 300), (b"", b"", 100)],
)
def test_memcmp_and_memcpy_map_to_syscalls(
    bitcode: Bitcode, svm_payer: tuple[LiteSVM, Keypair], a: bytes, b: bytes, expected: int
) -> None:
    prog = link_program(codegen([bitcode(MEMCMP)], ["entrypoint"]))
    assert {"sol_memcpy_", "sol_memcmp_"} <= set(prog.syscalls)
    svm, payer = svm_payer
    pid = Pubkey.new_unique()
    svm.add_program(pid, prog.so)
    result = send(svm, [Instruction(pid, struct.pack("<B", len(a)) + a + b, [])], [payer])
    assert f"custom program error: {expected:#x}" in str(result.meta().logs())  # type: ignore[attr-defined]


SRET = """
target triple = "bpfel"
%pair = type { i64, i64, i64 }
define internal void @make(ptr sret(%pair) %out, i64 %a) noinline {
  %b = mul i64 %a, 3
  %c = add i64 %a, 4
  store i64 %a, ptr %out
  %p1 = getelementptr i8, ptr %out, i64 8
  store i64 %b, ptr %p1
  %p2 = getelementptr i8, ptr %out, i64 16
  store i64 %c, ptr %p2
  ret void
}
define i64 @entrypoint(ptr %in) {
  %d = getelementptr i8, ptr %in, i64 16
  %x8 = load i8, ptr %d
  %x = zext i8 %x8 to i64
  %r = alloca %pair
  call void @make(ptr sret(%pair) %r, i64 %x)
  %p1 = getelementptr i8, ptr %r, i64 8
  %b = load i64, ptr %p1
  %p2 = getelementptr i8, ptr %r, i64 16
  %c = load i64, ptr %p2
  %s = add i64 %b, %c
  ret i64 %s
}
"""


def test_sret_functions_compile_and_run(
    bitcode: Bitcode, svm_payer: tuple[LiteSVM, Keypair]
) -> None:
    # LLVM's BPF backend refuses any function with an sret parameter; codegen strips the
    # attribute on both sides, which must keep the values flowing through the pointer.
    prog = link_program(codegen([bitcode(SRET)], ["entrypoint"]))
    svm, payer = svm_payer
    pid = Pubkey.new_unique()
    svm.add_program(pid, prog.so)
    result = send(svm, [Instruction(pid, bytes([5]), [])], [payer])
    # 5*3 + (5+4) = 24 = 0x18, returned as Custom(24)
    assert "custom program error: 0x18" in str(result.meta().logs())  # type: ignore[attr-defined]
