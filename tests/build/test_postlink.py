"""The post-link step on hand-written objects: what it accepts runs, what it refuses says why."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

from solinbox.build import elf
from solinbox.build.postlink import link_program
from solinbox.errors import LinkError
from solinbox.localnet.svm import deploy_upgradeable, send

Assemble = Callable[..., bytes]

PROLOGUE = """
    .text
    .globl entrypoint
    .type entrypoint,@function
entrypoint:
"""


def run(svm: LiteSVM, payer: Keypair, so: bytes, data: bytes = b"") -> object:
    pid = Pubkey.new_unique()
    svm.add_program(pid, so)
    return send(svm, [Instruction(pid, data, [])], [payer])


def test_minimal_program_links_deploys_and_runs(
    assemble: Assemble, svm_payer: tuple[LiteSVM, Keypair]
) -> None:
    obj = assemble(PROLOGUE + "    r0 = 0\n    exit\n")
    prog = link_program(obj)
    parsed = elf.parse_object(prog.so)
    assert parsed.type == elf.ET_DYN and parsed.machine == elf.EM_BPF
    names = [s.name for s in parsed.sections]
    assert names[1] == ".text" and all(len(n) <= 15 for n in names)
    for s in parsed.sections:
        if s.alloc:
            assert s.addr == s.offset, s.name  # the loader's strict rule
    svm, payer = svm_payer
    program = Keypair()
    deploy_upgradeable(svm, payer, program, prog.so)
    result = send(svm, [Instruction(program.pubkey(), b"", [])], [payer])
    assert not hasattr(result, "err"), result


def test_syscalls_become_dynamic_relocations(
    assemble: Assemble, svm_payer: tuple[LiteSVM, Keypair]
) -> None:
    src = (
        PROLOGUE
        + """
    r1 = 11
    r2 = 22
    r3 = 33
    r4 = 44
    r5 = 55
    call sol_log_64_
    r0 = 0
    exit
"""
    )
    prog = link_program(assemble(src))
    assert prog.syscalls == ["sol_log_64_"]
    svm, payer = svm_payer
    result = run(svm, payer, prog.so)
    assert "Program log: 0xb, 0x16, 0x21, 0x2c, 0x37" in result.logs()  # type: ignore[attr-defined]


def test_static_helper_call_by_hash_is_converted(
    assemble: Assemble, svm_payer: tuple[LiteSVM, Keypair]
) -> None:
    # `call <murmur3("abort")>` is what solana-define-syscall's static-syscalls feature emits.
    prog = link_program(assemble(PROLOGUE + "    call 0xb6fc1a11\n    exit\n"))
    assert prog.syscalls == ["abort"]
    svm, payer = svm_payer
    result = run(svm, payer, prog.so)
    assert "SBF program panicked" in str(result.meta().logs())  # type: ignore[attr-defined]


def test_unknown_helper_hash_is_rejected(assemble: Assemble) -> None:
    with pytest.raises(LinkError, match="unknown helper"):
        link_program(assemble(PROLOGUE + "    call 0x1234\n    exit\n"))


def test_undefined_symbol_is_rejected_with_caller(assemble: Assemble) -> None:
    with pytest.raises(LinkError, match="undefined symbol 'not_a_syscall' called from entrypoint"):
        link_program(assemble(PROLOGUE + "    call not_a_syscall\n    exit\n"))


def test_internal_calls_across_sections(
    assemble: Assemble, svm_payer: tuple[LiteSVM, Keypair]
) -> None:
    src = (
        """
    .section .text.helper,"ax",@progbits
    .globl helper
    .type helper,@function
helper:
    r0 = r1
    r0 *= 3
    exit
"""
        + PROLOGUE.replace(".text\n", '.section .text.entry,"ax",@progbits\n')
        + """
    r1 = 14
    call helper
    exit
"""
    )
    prog = link_program(assemble(src))
    assert {"helper", "entrypoint"} <= prog.functions.keys()
    svm, payer = svm_payer
    result = run(svm, payer, prog.so)
    # 42 = Custom(42): the return value proves the call reached `helper` and came back.
    assert "custom program error: 0x2a" in str(result.meta().logs())  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "cpu", "needle"),
    [
        ("    w1 += 1\n", "v3", "32-bit ALU"),
        ("    if w1 > 2 goto +0\n", "v3", "JMP32"),
        ("    lock *(u64 *)(r1 + 0) += r2\n", "v3", "atomic"),
        ("    r1 = bswap16 r1\n", "v4", "bswap"),
        ("    r1 = (s8)r2\n", "v4", "v4 form"),
        ("    r1 s/= r2\n", "v4", "v4 form"),
        ("    r1 = *(s8 *)(r2 + 0)\n", "v4", "sign-extending load"),
    ],
)
def test_forbidden_instructions_in_objects(
    assemble: Assemble, body: str, cpu: str, needle: str
) -> None:
    with pytest.raises(LinkError, match=f"{needle}.*in entrypoint"):
        link_program(assemble(PROLOGUE + body + "    exit\n", cpu=cpu))


def test_writable_data_is_rejected(assemble: Assemble) -> None:
    src = (
        PROLOGUE
        + """
    r0 = 0
    exit
    .data
    .globl COUNTER
COUNTER:
    .quad 7
"""
    )
    with pytest.raises(LinkError, match=r"writable section '\.data' \(COUNTER\)"):
        link_program(assemble(src))


def test_missing_entrypoint_is_rejected(assemble: Assemble) -> None:
    src = "    .text\n    .globl start\n    .type start,@function\nstart:\n    exit\n"
    with pytest.raises(LinkError, match="no function named 'entrypoint'"):
        link_program(assemble(src))


def test_not_an_object() -> None:
    with pytest.raises(LinkError, match="cannot read the object"):
        link_program(b"not an elf at all")


def test_rodata_pointers_are_resolved(
    assemble: Assemble, svm_payer: tuple[LiteSVM, Keypair]
) -> None:
    # A pointer in read-only data to a string in another rodata section: both sections merge,
    # the pointer becomes 0x1_0000_0000 + vaddr, and the program reads the string through it.
    src = (
        PROLOGUE
        + """
    r6 = table ll
    r1 = *(u64 *)(r6 + 0)
    r2 = 5
    call sol_log_
    r0 = 0
    exit
    .section .rodata.str,"a",@progbits
msg:
    .ascii "hello"
    .section .data.rel.ro.table,"aw",@progbits
table:
    .quad msg
"""
    )
    prog = link_program(assemble(src))
    svm, payer = svm_payer
    result = run(svm, payer, prog.so)
    assert "Program log: hello" in result.logs()  # type: ignore[attr-defined]


def test_callx_register_moves_to_imm(
    assemble: Assemble, svm_payer: tuple[LiteSVM, Keypair]
) -> None:
    src = (
        PROLOGUE
        + """
    r3 = target ll
    callx r3
    exit
    .globl target
    .type target,@function
target:
    r0 = 9
    exit
"""
    )
    prog = link_program(assemble(src))
    text = elf.parse_object(prog.so).sections[1].data
    callx = [struct.unpack_from("<BBhi", text, i) for i in range(0, len(text), 8)]
    assert any(op == 0x8D and imm == 3 for op, _, _, imm in callx)
    svm, payer = svm_payer
    result = run(svm, payer, prog.so)
    assert "custom program error: 0x9" in str(result.meta().logs())  # type: ignore[attr-defined]
