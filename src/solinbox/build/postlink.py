"""Turn an upstream-LLVM BPF relocatable object into an sBPF v0 shared object.

The loader's rules (``docs/toolchain.md``, from solana-sbpf's lenient ELF parser) decide every
step here:

* all ``.text*`` merge into one ``.text``, ``.rodata*`` into ``.rodata`` and ``.data.rel.ro*`` into
  ``.data.rel.ro``; section names stay ≤ 15 bytes; debug, BTF and ``.eh_frame`` sections go;
  writable data (``.data``, ``.bss``) is refused — programs cannot have mutable statics;
* every section is laid out with virtual address == file offset, so the loader's strict
  (deployment) checks pass;
* internal calls become pc-relative ``call`` immediates; data and ``lddw`` addresses are
  resolved to ``0x1_0000_0000 + vaddr`` (the program region); nothing but syscalls is left
  for the loader, as ``R_BPF_64_32`` dynamic relocations against undefined dynamic symbols;
* ``memcpy``/``memmove``/``memset`` calls go to the ``sol_mem*_`` syscalls, ``memcmp``/``bcmp``
  to a small synthesised wrapper around ``sol_memcmp_`` (which returns its result through a
  pointer), ``__bpf_trap`` to ``abort``; ``callx`` carries its register in the immediate;
* every instruction is checked against the sBPF v0 set (:mod:`solinbox.build.sbpf`).
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass, field

from solinbox.build import elf
from solinbox.build.elf import ElfObject, StringTable
from solinbox.build.sbpf import (
    CALL_IMM,
    CALL_REG,
    INSN_SIZE,
    KNOWN_SYSCALLS,
    LD_DW_IMM,
    MM_PROGRAM_START,
    InvalidInstruction,
    decode,
    syscall_name_for_hash,
    validate_text,
)
from solinbox.errors import LinkError

__all__ = ["LinkedProgram", "link_program"]

# BPF relocation types (LLVM's ELFRelocs/BPF.def)
R_BPF_NONE = 0
R_BPF_64_64 = 1
R_BPF_64_ABS64 = 2
R_BPF_64_ABS32 = 3
R_BPF_64_NODYLD32 = 4
R_BPF_64_32 = 10
# What the sBPF loader calls the dynamic relocation for syscalls (same number).
R_SBF_SYSCALL = 10

#: undefined symbols with a fixed meaning on sBPF
_ALIASES = {
    "memcpy": "sol_memcpy_",
    "memmove": "sol_memmove_",
    "memset": "sol_memset_",
    "__bpf_trap": "abort",
}
_MEMCMP_HELPER = "__solinbox_memcmp"

_DROP_PREFIXES = (".debug", ".BTF", ".eh_frame", ".comment", ".note", ".llvm", ".stack_sizes")
_HEADER_END = elf.EHDR.size + 3 * elf.PHDR.size  # ELF header + three program headers


@dataclass(slots=True)
class LinkedProgram:
    """The shared object and what went into it (for reports and tests)."""

    so: bytes
    entrypoint: int
    text_size: int
    rodata_size: int
    syscalls: list[str] = field(default_factory=list)
    functions: dict[str, int] = field(default_factory=dict)


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a if a > 1 else n


def _memcmp_helper() -> bytes:
    """memcmp(s1, s2, n) -> int, via sol_memcmp_(s1, s2, n, &result).

    The result slot lives in the helper's own stack frame (r10 - 8); the i32 result is
    sign-extended to 64 bits so callers may use either width.
    """
    return b"".join(
        [
            struct.pack("<BBhi", 0xBF, 0xA4, 0, 0),  # mov64 r4, r10
            struct.pack("<BBhi", 0x07, 0x04, 0, -8),  # add64 r4, -8
            struct.pack("<BBhi", 0x7A, 0x0A, -8, 0),  # stdw [r10-8], 0
            struct.pack("<BBhi", CALL_IMM, 0x10, 0, -1),  # call sol_memcmp_ (relocated)
            struct.pack("<BBhi", 0x61, 0xA0, -8, 0),  # ldxw r0, [r10-8]
            struct.pack("<BBhi", 0x67, 0x00, 0, 32),  # lsh64 r0, 32
            struct.pack("<BBhi", 0xC7, 0x00, 0, 32),  # arsh64 r0, 32
            struct.pack("<BBhi", 0x95, 0x00, 0, 0),  # exit
        ]
    )


class _Linker:
    def __init__(self, obj: ElfObject, entry: str) -> None:
        self.obj = obj
        self.entry = entry
        self.text = bytearray()
        self.ro = bytearray()  # .rodata
        self.relro = bytearray()  # .data.rel.ro
        self.base: dict[int, int] = {}  # input section index -> output vaddr
        self.kind: dict[int, str] = {}  # input section index -> "text"|"rodata"|"relro"
        self.syscalls: list[str] = []
        self.dyn_relocs: list[tuple[int, str]] = []  # (vaddr of call, syscall name)
        self.func_starts: list[int] = []
        self.func_names: list[str] = []

    # -- layout -----------------------------------------------------------------------------
    def classify(self) -> None:
        for s in self.obj.sections:
            if s.type in (elf.SHT_NULL, elf.SHT_SYMTAB, elf.SHT_STRTAB, elf.SHT_REL, elf.SHT_RELA):
                continue
            if s.name.startswith(_DROP_PREFIXES) or not s.alloc:
                continue
            if s.flags & elf.SHF_EXECINSTR:
                if not s.name.startswith(".text"):
                    raise LinkError(f"executable section {s.name!r} is not a .text section")
                self.kind[s.index] = "text"
            elif s.name.startswith(".data.rel.ro"):
                self.kind[s.index] = "relro"
            elif s.name.startswith(".rodata"):
                self.kind[s.index] = "rodata"
            elif s.size == 0:
                continue
            elif s.flags & elf.SHF_WRITE or s.name.startswith((".data", ".bss")):
                names = [
                    sym.name
                    for sym in self.obj.symbols
                    if sym.shndx == s.index and sym.name != s.name
                ]
                raise LinkError(
                    f"writable section {s.name!r} ({', '.join(names) or 'no symbols'}): sBPF "
                    "programs cannot have mutable statics; keep state in accounts or the heap"
                )
            else:
                raise LinkError(f"unsupported allocated section {s.name!r}")

    def layout(self) -> None:
        """Place text, then the memcmp helper, then rodata and data.rel.ro; vaddr == offset."""

        def append(buf: bytearray, start: int, kind: str, min_align: int) -> None:
            for i, k in sorted(self.kind.items()):
                if k != kind:
                    continue
                s = self.obj.sections[i]
                pad = _align(start + len(buf), max(s.addralign, min_align)) - start - len(buf)
                buf += b"\0" * pad
                self.base[i] = start + len(buf)
                buf += s.data if s.type != elf.SHT_NOBITS else b"\0" * s.size

        self.text_start = _HEADER_END
        append(self.text, self.text_start, "text", INSN_SIZE)
        self.memcmp_at = self.text_start + len(self.text)
        self.needs_memcmp = any(
            sym.name in ("memcmp", "bcmp") and not sym.defined for sym in self.obj.symbols
        )
        if self.needs_memcmp:
            self.text += _memcmp_helper()
        self.rodata_start = _align(self.text_start + len(self.text), 16)
        append(self.ro, self.rodata_start, "rodata", 1)
        self.relro_start = _align(self.rodata_start + len(self.ro), 16)
        append(self.relro, self.relro_start, "relro", 8)
        self.end = self.relro_start + len(self.relro)

    # -- symbols ----------------------------------------------------------------------------
    def symbol_address(self, sym: elf.Symbol) -> int | None:
        if sym.shndx == elf.SHN_ABS:
            return sym.value
        if sym.shndx in self.base:
            return self.base[sym.shndx] + sym.value
        return None

    def index_functions(self) -> None:
        pairs = sorted(
            (addr, sym.name)
            for sym in self.obj.symbols
            if sym.type == elf.STT_FUNC
            and (addr := self.symbol_address(sym)) is not None
            and self.kind.get(sym.shndx) == "text"
        )
        if self.needs_memcmp:
            pairs.append((self.memcmp_at, _MEMCMP_HELPER))
        self.func_starts = [a for a, _ in pairs]
        self.func_names = [n for _, n in pairs]

    def function_at(self, vaddr: int) -> str:
        i = bisect.bisect_right(self.func_starts, vaddr) - 1
        return self.func_names[i] if i >= 0 else "<unknown function>"

    def syscall(self, name: str) -> str:
        if name not in KNOWN_SYSCALLS:
            raise LinkError(f"unknown syscall {name!r}")
        if name not in self.syscalls:
            self.syscalls.append(name)
        return name

    # -- relocation -------------------------------------------------------------------------
    def out_buffer(self, kind: str) -> tuple[bytearray, int]:
        if kind == "text":
            return self.text, self.text_start
        if kind == "rodata":
            return self.ro, self.rodata_start
        return self.relro, self.relro_start

    def apply_relocations(self) -> set[int]:
        relocated: set[int] = set()  # vaddrs of call instructions handled by a relocation
        for shndx, rels in sorted(self.obj.relocations.items()):
            kind = self.kind.get(shndx)
            if kind is None:
                continue
            buf, start = self.out_buffer(kind)
            sec_base = self.base[shndx]
            for rel in rels:
                where = sec_base + rel.offset  # output vaddr of the patched bytes
                at = where - start
                sym = self.obj.symbols[rel.symbol]
                if kind == "text":
                    self.relocate_text(buf, at, where, rel, sym)
                    relocated.add(where)
                else:
                    self.relocate_data(buf, at, where, rel, sym)
        return relocated

    def target_of(self, sym: elf.Symbol, where: int) -> int:
        addr = self.symbol_address(sym)
        if addr is None:
            raise LinkError(
                f"symbol {sym.name!r} referenced from {self.function_at(where)} is not defined"
            )
        return addr

    def relocate_text(
        self, buf: bytearray, at: int, where: int, rel: elf.Relocation, sym: elf.Symbol
    ) -> None:
        insn = decode(buf, at // INSN_SIZE)
        if rel.type == R_BPF_64_64:
            if insn.opc != LD_DW_IMM:
                raise LinkError(
                    f"R_BPF_64_64 on a non-lddw instruction in {self.function_at(where)}"
                )
            addend = insn.lo_imm if rel.addend is None else rel.addend
            value = MM_PROGRAM_START + self.target_of(sym, where) + addend
            struct.pack_into("<I", buf, at + 4, value & 0xFFFF_FFFF)
            struct.pack_into("<I", buf, at + 12, value >> 32)
        elif rel.type == R_BPF_64_32:
            if insn.opc != CALL_IMM:
                raise LinkError(
                    f"R_BPF_64_32 on a non-call instruction in {self.function_at(where)}"
                )
            if sym.defined:
                # implicit addend: the callee is (imm + 1) slots past the symbol
                addend = (insn.imm + 1) * INSN_SIZE if rel.addend is None else rel.addend
                target = self.target_of(sym, where) + addend
                if self.kind.get(sym.shndx) != "text":
                    raise LinkError(f"call to non-code symbol {sym.name!r}")
                self.write_call(buf, at, target, where)
            else:
                self.resolve_external_call(buf, at, where, sym.name)
        elif rel.type == R_BPF_NONE:
            return
        else:
            raise LinkError(
                f"relocation type {rel.type} in .text is not supported (in {self.function_at(where)})"
            )

    def write_call(self, buf: bytearray, at: int, target: int, where: int) -> None:
        rel = (target - (where + INSN_SIZE)) // INSN_SIZE
        buf[at + 1] = (buf[at + 1] & 0x0F) | 0x10  # src = 1: internal call
        struct.pack_into("<i", buf, at + 4, rel)

    def resolve_external_call(self, buf: bytearray, at: int, where: int, name: str) -> None:
        if name in ("memcmp", "bcmp"):
            self.write_call(buf, at, self.memcmp_at, where)
            return
        real = _ALIASES.get(name, name)
        if real not in KNOWN_SYSCALLS:
            raise LinkError(
                f"undefined symbol {name!r} called from {self.function_at(where)}: not a function "
                "of the program and not an sBPF syscall"
            )
        self.emit_syscall(buf, at, where, real)

    def emit_syscall(self, buf: bytearray, at: int, where: int, name: str) -> None:
        self.syscall(name)
        buf[at + 1] = buf[at + 1] & 0x0F  # src = 0, imm = -1: resolved by the loader
        struct.pack_into("<i", buf, at + 4, -1)
        self.dyn_relocs.append((where, name))

    def relocate_data(
        self, buf: bytearray, at: int, where: int, rel: elf.Relocation, sym: elf.Symbol
    ) -> None:
        if rel.type == R_BPF_64_ABS64:
            addend = struct.unpack_from("<q", buf, at)[0] if rel.addend is None else rel.addend
            value = MM_PROGRAM_START + self.target_of(sym, where) + addend
            struct.pack_into("<Q", buf, at, value)
        elif rel.type == R_BPF_NONE:
            return
        else:
            raise LinkError(
                f"relocation type {rel.type} at {where:#x} in read-only data is not supported "
                f"(symbol {sym.name!r})"
            )

    def fix_unrelocated_calls(self, relocated: set[int]) -> None:
        """Static ``call <hash>`` forms become syscalls; ``callx`` gets its register in imm."""
        text = self.text
        n = len(text) // INSN_SIZE
        i = 0
        while i < n:
            insn = decode(text, i)
            where = self.text_start + i * INSN_SIZE
            if insn.opc == LD_DW_IMM:
                i += 2
                continue
            if insn.opc == CALL_IMM and where not in relocated:
                if insn.src == 0:  # static helper call: call <murmur3(name)>
                    name = syscall_name_for_hash(insn.imm)
                    if name is None:
                        raise LinkError(
                            f"call to unknown helper {insn.lo_imm:#x} in {self.function_at(where)}"
                        )
                    self.emit_syscall(text, i * INSN_SIZE, where, name)
            elif insn.opc == CALL_REG:
                struct.pack_into("<i", text, i * INSN_SIZE + 4, insn.dst)
            i += 1

    # -- driver -----------------------------------------------------------------------------
    def run(self) -> LinkedProgram:
        if self.obj.machine != elf.EM_BPF:
            raise LinkError(f"not a BPF object (e_machine {self.obj.machine})")
        self.classify()
        if "text" not in self.kind.values():
            raise LinkError("the object has no code")
        self.layout()
        self.index_functions()
        try:
            validate_text(bytes(self.text), lambda i: self.function_at(self.text_start + i * 8))
        except InvalidInstruction as exc:
            raise LinkError(f"not valid sBPF v0: {exc}") from exc
        relocated = self.apply_relocations()
        if self.needs_memcmp:  # the helper's own call to sol_memcmp_
            call_at = self.memcmp_at + 3 * INSN_SIZE
            self.emit_syscall(self.text, call_at - self.text_start, call_at, "sol_memcmp_")
            relocated.add(call_at)
        self.fix_unrelocated_calls(relocated)
        entry = next(
            (
                s
                for s in self.obj.symbols
                if s.name == self.entry and s.defined and s.type == elf.STT_FUNC
            ),
            None,
        )
        if entry is None or self.kind.get(entry.shndx) != "text":
            raise LinkError(f"no function named {self.entry!r} (the program entrypoint)")
        entry_addr = self.target_of(entry, 0)
        so = _write_shared_object(self, entry_addr, entry.size)
        funcs = {name: addr for addr, name in zip(self.func_starts, self.func_names, strict=True)}
        return LinkedProgram(so, entry_addr, len(self.text), len(self.ro) + len(self.relro),
                             sorted(self.syscalls), funcs)  # fmt: skip


def _write_shared_object(lk: _Linker, entry_addr: int, entry_size: int) -> bytes:
    """Lay out and serialise the v0 ELF (vaddr == file offset for every section)."""
    out = bytearray(lk.end)
    out[lk.text_start : lk.text_start + len(lk.text)] = lk.text
    if lk.ro:
        out[lk.rodata_start : lk.rodata_start + len(lk.ro)] = lk.ro
    if lk.relro:
        out[lk.relro_start : lk.relro_start + len(lk.relro)] = lk.relro

    names = ["entrypoint", *lk.syscalls]
    dynstr = StringTable()
    for n in names:
        dynstr.add(n)
    text_shndx = 1
    dynsym = bytearray(elf.SYM.size)  # null symbol
    dynsym += elf.SYM.pack(
        dynstr.add("entrypoint"),
        (elf.STB_GLOBAL << 4) | elf.STT_FUNC,
        0,
        text_shndx,
        entry_addr,
        entry_size,
    )
    sym_index = {"entrypoint": 1}
    for n in lk.syscalls:
        sym_index[n] = len(dynsym) // elf.SYM.size
        dynsym += elf.SYM.pack(dynstr.add(n), (elf.STB_GLOBAL << 4) | elf.STT_NOTYPE, 0, 0, 0, 0)
    reldyn = b"".join(
        elf.REL.pack(where, (sym_index[name] << 32) | R_SBF_SYSCALL)
        for where, name in sorted(lk.dyn_relocs)
    )

    def place(blob: bytes, align: int = 8) -> int:
        at = _align(len(out), align)
        out.extend(b"\0" * (at - len(out)))
        out.extend(blob)
        return at

    n_dyn = 7 + (4 if reldyn else 0)
    dynamic_at = _align(len(out), 8)
    dynsym_at = dynamic_at + n_dyn * elf.DYN.size
    dynstr_blob = dynstr.bytes()
    dynstr_at = dynsym_at + len(dynsym)
    reldyn_at = _align(dynstr_at + len(dynstr_blob), 8)
    entries = [
        (elf.DT_SYMTAB, dynsym_at),
        (elf.DT_SYMENT, elf.SYM.size),
        (elf.DT_STRTAB, dynstr_at),
        (elf.DT_STRSZ, len(dynstr_blob)),
    ]
    if reldyn:
        entries += [
            (elf.DT_REL, reldyn_at),
            (elf.DT_RELSZ, len(reldyn)),
            (elf.DT_RELENT, elf.REL.size),
            (elf.DT_TEXTREL, 0),
        ]
    entries += [(elf.DT_FLAGS, elf.DF_TEXTREL if reldyn else 0), (elf.DT_NULL, 0), (elf.DT_NULL, 0)]
    assert len(entries) == n_dyn
    dynamic = b"".join(elf.DYN.pack(t, v) for t, v in entries)
    assert place(dynamic) == dynamic_at
    assert place(bytes(dynsym)) == dynsym_at
    assert place(dynstr_blob, 1) == dynstr_at
    if reldyn:
        assert place(reldyn) == reldyn_at
    dyn_end = len(out)

    shstr = StringTable()
    sections: list[tuple[str, int, int, int, int, int, int, int, int]] = []
    # (name, type, flags, offset, size, link, info, align, entsize)
    sections.append((".text", elf.SHT_PROGBITS, elf.SHF_ALLOC | elf.SHF_EXECINSTR, lk.text_start,
                     len(lk.text), 0, 0, 8, 0))  # fmt: skip
    if lk.ro:
        sections.append((".rodata", elf.SHT_PROGBITS, elf.SHF_ALLOC, lk.rodata_start, len(lk.ro),
                         0, 0, 8, 0))  # fmt: skip
    if lk.relro:
        sections.append((".data.rel.ro", elf.SHT_PROGBITS, elf.SHF_ALLOC, lk.relro_start,
                         len(lk.relro), 0, 0, 8, 0))  # fmt: skip
    first_dyn = len(sections) + 1
    sections.append((".dynamic", elf.SHT_DYNAMIC, elf.SHF_ALLOC, dynamic_at, len(dynamic),
                     first_dyn + 2, 0, 8, elf.DYN.size))  # fmt: skip
    sections.append((".dynsym", elf.SHT_DYNSYM, elf.SHF_ALLOC, dynsym_at, len(dynsym),
                     first_dyn + 2, 1, 8, elf.SYM.size))  # fmt: skip
    sections.append((".dynstr", elf.SHT_STRTAB, elf.SHF_ALLOC, dynstr_at, len(dynstr_blob),
                     0, 0, 1, 0))  # fmt: skip
    if reldyn:
        sections.append((".rel.dyn", elf.SHT_REL, elf.SHF_ALLOC, reldyn_at, len(reldyn),
                         first_dyn + 1, 0, 8, elf.REL.size))  # fmt: skip
    for s in sections:
        shstr.add(s[0])
    shstr.add(".shstrtab")
    shstr_blob = shstr.bytes()
    shstr_at = place(shstr_blob, 1)
    sections.append((".shstrtab", elf.SHT_STRTAB, 0, shstr_at, len(shstr_blob), 0, 0, 1, 0))
    shoff = _align(len(out), 8)
    out.extend(b"\0" * (shoff - len(out)))
    out += b"\0" * elf.SHDR.size  # SHT_NULL
    for name, typ, flags, off, size, link, info, align, entsize in sections:
        addr = off if flags & elf.SHF_ALLOC else 0
        out += elf.SHDR.pack(
            shstr.add(name), typ, flags, addr, off, size, link, info, align, entsize
        )
    shnum = len(sections) + 1

    load1_end = lk.end
    phdrs = [
        elf.PHDR.pack(elf.PT_LOAD, elf.PF_R | elf.PF_X, lk.text_start, lk.text_start,
                      lk.text_start, load1_end - lk.text_start, load1_end - lk.text_start, 8),
        elf.PHDR.pack(elf.PT_LOAD, elf.PF_R, dynsym_at, dynsym_at, dynsym_at,
                      dyn_end - dynsym_at, dyn_end - dynsym_at, 8),
        elf.PHDR.pack(elf.PT_DYNAMIC, elf.PF_R, dynamic_at, dynamic_at, dynamic_at,
                      len(dynamic), len(dynamic), 8),
    ]  # fmt: skip
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    header = elf.EHDR.pack(ident, elf.ET_DYN, elf.EM_BPF, 1, entry_addr, elf.EHDR.size, shoff, 0,
                           elf.EHDR.size, elf.PHDR.size, len(phdrs), elf.SHDR.size, shnum, shnum - 1)  # fmt: skip
    out[0 : elf.EHDR.size] = header
    out[elf.EHDR.size : _HEADER_END] = b"".join(phdrs)
    return bytes(out)


def link_program(obj_bytes: bytes, *, entry: str = "entrypoint") -> LinkedProgram:
    """Link one BPF relocatable object (from :func:`solinbox.build.llvm.codegen`) into a v0 ``.so``."""
    try:
        obj = elf.parse_object(obj_bytes)
    except ValueError as exc:
        raise LinkError(f"cannot read the object: {exc}") from exc
    return _Linker(obj, entry).run()
