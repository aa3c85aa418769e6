"""The pipeline probe program, built with cargo + our linker, answers correctly in LiteSVM.

Every command is run both from ``LiteSVM.add_program`` (lenient loader) and from a real
deploy through the upgradeable loader (strict checks), and must answer the same.
"""

from __future__ import annotations

import hashlib
import struct

import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.transaction_metadata import FailedTransactionMetadata, TransactionMetadata

from solinbox.build import BuildResult, elf
from solinbox.localnet.svm import deploy_upgradeable, send

GREETINGS = ["gm", "hello, sBPF v0", "compressed inbox", "\N{OPEN MAILBOX WITH RAISED FLAG} mail"]


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def copies_expected(body: bytes) -> bytes:
    n = len(body)
    buf = bytearray(96)
    buf[:n] = body
    buf[64 : 64 + n // 2] = b"\xab" * (n // 2)
    buf[1 : 1 + n] = bytes(buf[0:n])
    buf[95] = int(bytes(buf[1 : 1 + n]) == body)
    k = min(n, 8)
    buf[94] = int(bytes(buf[:k]) < bytes(buf[1 : 1 + k]))
    return bytes(buf)


@pytest.fixture(scope="module", params=["add_program", "deploy"])
def probe(
    request: pytest.FixtureRequest, probe_build: BuildResult
) -> tuple[LiteSVM, Keypair, Pubkey]:
    svm = LiteSVM()
    payer = Keypair()
    svm.airdrop(payer.pubkey(), 100 * 10**9)
    so = probe_build.so_path.read_bytes()
    if request.param == "add_program":
        pid = Pubkey.new_unique()
        svm.add_program(pid, so)
    else:
        pid = deploy_upgradeable(svm, payer, Keypair(), so)
    return svm, payer, pid


def call(
    probe: tuple[LiteSVM, Keypair, Pubkey], data: bytes
) -> TransactionMetadata | FailedTransactionMetadata:
    svm, payer, pid = probe
    return send(svm, [Instruction(pid, data, [])], [payer])


def answer(probe: tuple[LiteSVM, Keypair, Pubkey], data: bytes) -> bytes:
    result = call(probe, data)
    assert isinstance(result, TransactionMetadata), result
    return bytes(result.return_data().data)


def custom_error(probe: tuple[LiteSVM, Keypair, Pubkey], data: bytes) -> str:
    result = call(probe, data)
    assert isinstance(result, FailedTransactionMetadata)
    return str(result.err())


@pytest.mark.parametrize("payload", [b"", b"hello", bytes(range(200))])
def test_sha256_syscall(probe: tuple[LiteSVM, Keypair, Pubkey], payload: bytes) -> None:
    assert answer(probe, b"\x00" + payload) == hashlib.sha256(payload).digest()


@pytest.mark.parametrize("index", range(4))
def test_rodata_string_table(probe: tuple[LiteSVM, Keypair, Pubkey], index: int) -> None:
    result = call(probe, bytes([1, index]))
    assert isinstance(result, TransactionMetadata)
    assert bytes(result.return_data().data) == GREETINGS[index].encode()
    assert f"Program log: {GREETINGS[index]}" in result.logs()


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        (0, 40, 2, 42),
        (1, 6, 7, 42),
        (2, 0xFF00, 0x0FF0, 0xF0F0),
        (3, 1, 63, 1 << 63),
        (0, 2**64 - 1, 2, 1),
    ],
)
def test_function_pointer_table(
    probe: tuple[LiteSVM, Keypair, Pubkey], op: int, a: int, b: int, expected: int
) -> None:
    data = bytes([2, op]) + struct.pack("<QQ", a, b)
    assert answer(probe, data) == struct.pack("<Q", expected)


def test_slices_sort_and_sum(probe: tuple[LiteSVM, Keypair, Pubkey]) -> None:
    payload = bytes([9, 200, 3, 3, 77, 1, 0, 255])
    out = answer(probe, b"\x03" + payload)
    pairs = sum(struct.unpack("<4H", payload))
    assert struct.unpack_from("<Q", out)[0] == pairs
    assert out[8:] == bytes(sorted(payload))


def test_result_ok_and_err(probe: tuple[LiteSVM, Keypair, Pubkey]) -> None:
    assert answer(probe, b"\x04" + struct.pack("<3Q", 1, 2, 3)) == struct.pack("<Q", 6)
    assert "Custom(2)" in custom_error(probe, b"\x04" + struct.pack("<2Q", 2**64 - 1, 1))
    assert "Custom(1)" in custom_error(probe, b"\x04" + b"\x01\x02")  # truncated u64
    assert "Custom(3)" in custom_error(probe, b"\x63")
    assert "Custom(4)" in custom_error(probe, b"\x01\x09")


@pytest.mark.parametrize("body", [b"", b"x", b"abcde", bytes(range(33)), b"z" * 64])
def test_variable_length_copies(probe: tuple[LiteSVM, Keypair, Pubkey], body: bytes) -> None:
    assert answer(probe, bytes([5, len(body)]) + body) == copies_expected(body)


def test_recursion_and_log64(probe: tuple[LiteSVM, Keypair, Pubkey]) -> None:
    result = call(probe, bytes([6, 15]))
    assert isinstance(result, TransactionMetadata)
    assert bytes(result.return_data().data) == struct.pack("<Q", fib(15))
    assert f"Program log: 0xf, {fib(15):#x}, 0x3, 0x4, 0x5" in result.logs()


def test_panic_aborts(probe: tuple[LiteSVM, Keypair, Pubkey]) -> None:
    result = call(probe, b"\x07")
    assert isinstance(result, FailedTransactionMetadata)
    assert "SBF program panicked" in " ".join(result.meta().logs())


def test_shared_object_shape(probe_build: BuildResult) -> None:
    so = probe_build.so_path.read_bytes()
    obj = elf.parse_object(so)
    names = [s.name for s in obj.sections]
    assert names.count(".text") == 1
    assert not any(n.startswith((".debug", ".bss", ".eh_frame")) or n == ".data" for n in names)
    assert all(len(n) < 16 for n in names)
    offsets = [s.offset for s in obj.sections if s.type != elf.SHT_NULL]
    assert offsets == sorted(offsets)
    assert all(s.addr == s.offset for s in obj.sections if s.alloc)
