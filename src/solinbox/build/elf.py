"""Minimal ELF64 little-endian reading and writing, for BPF objects and sBPF shared objects."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = [
    "ElfObject",
    "Relocation",
    "Section",
    "StringTable",
    "Symbol",
    "parse_object",
]

# ELF constants used here.
ET_REL, ET_DYN = 1, 3
EM_BPF = 247
SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA = 0, 1, 2, 3, 4
SHT_DYNAMIC, SHT_NOBITS, SHT_REL, SHT_DYNSYM = 6, 8, 9, 11
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
STB_LOCAL, STB_GLOBAL = 0, 1
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION = 0, 1, 2, 3
SHN_UNDEF, SHN_ABS = 0, 0xFFF1
PT_LOAD, PT_DYNAMIC = 1, 2
PF_X, PF_W, PF_R = 1, 2, 4
DT_NULL, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SYMENT = 0, 5, 6, 10, 11
DT_REL, DT_RELSZ, DT_RELENT, DT_TEXTREL, DT_FLAGS = 17, 18, 19, 22, 30
DF_TEXTREL = 0x4

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
SHDR = struct.Struct("<IIQQQQIIQQ")
PHDR = struct.Struct("<IIQQQQQQ")
SYM = struct.Struct("<IBBHQQ")
REL = struct.Struct("<QQ")
RELA = struct.Struct("<QQq")
DYN = struct.Struct("<qQ")


@dataclass(slots=True)
class Section:
    """One section header and its bytes."""

    index: int
    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    addralign: int
    entsize: int
    data: bytes

    @property
    def alloc(self) -> bool:
        """True if the section occupies memory at run time."""
        return bool(self.flags & SHF_ALLOC)


@dataclass(frozen=True, slots=True)
class Symbol:
    """One symbol-table entry."""

    index: int
    name: str
    bind: int
    type: int
    shndx: int
    value: int
    size: int

    @property
    def defined(self) -> bool:
        """True if the symbol is defined in this object (not external)."""
        return self.shndx != SHN_UNDEF


@dataclass(frozen=True, slots=True)
class Relocation:
    """One REL/RELA entry; ``addend`` is None for REL (implicit addend in place)."""

    offset: int
    type: int
    symbol: int
    addend: int | None


@dataclass(slots=True)
class ElfObject:
    """A parsed relocatable object."""

    machine: int
    type: int
    sections: list[Section]
    symbols: list[Symbol]
    #: relocations keyed by the index of the section they apply to
    relocations: dict[int, list[Relocation]] = field(default_factory=dict)


class StringTable:
    """Builds an ELF string table, deduplicating names."""

    def __init__(self) -> None:
        self._data = bytearray(b"\0")
        self._index: dict[str, int] = {"": 0}

    def add(self, name: str) -> int:
        """Return the offset of ``name``, adding it if needed."""
        if name not in self._index:
            self._index[name] = len(self._data)
            self._data += name.encode() + b"\0"
        return self._index[name]

    def bytes(self) -> bytes:
        """The table's bytes."""
        return bytes(self._data)


def _cstr(blob: bytes, offset: int) -> str:
    end = blob.index(b"\0", offset)
    return blob[offset:end].decode("utf-8", "replace")


def parse_object(blob: bytes) -> ElfObject:
    """Parse an ELF64 LE object; raises ``ValueError`` on anything malformed."""
    if len(blob) < EHDR.size or blob[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    if blob[4] != 2 or blob[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    (_, e_type, e_machine, _, _, _, e_shoff, _, _, _, _, e_shentsize, e_shnum, e_shstrndx) = (
        EHDR.unpack_from(blob, 0)
    )
    if e_shentsize != SHDR.size or e_shoff + e_shnum * SHDR.size > len(blob):
        raise ValueError("bad section header table")
    raw = [SHDR.unpack_from(blob, e_shoff + i * SHDR.size) for i in range(e_shnum)]
    names = raw[e_shstrndx]
    shstr = blob[names[4] : names[4] + names[5]]
    sections: list[Section] = []
    for i, (nm, typ, flags, addr, off, size, link, info, align, entsize) in enumerate(raw):
        data = b"" if typ == SHT_NOBITS else blob[off : off + size]
        if typ != SHT_NOBITS and len(data) != size:
            raise ValueError(f"section {i} extends past the end of the file")
        sections.append(
            Section(
                i, _cstr(shstr, nm), typ, flags, addr, off, size, link, info, align, entsize, data
            )
        )
    symbols: list[Symbol] = []
    symtab = next((s for s in sections if s.type == SHT_SYMTAB), None)
    if symtab is not None:
        strtab = sections[symtab.link].data
        for i, (nm, info, _other, shndx, value, size) in enumerate(SYM.iter_unpack(symtab.data)):
            name = _cstr(strtab, nm)
            if info & 0xF == STT_SECTION and not name:
                name = sections[shndx].name
            symbols.append(Symbol(i, name, info >> 4, info & 0xF, shndx, value, size))
    relocations: dict[int, list[Relocation]] = {}
    for s in sections:
        if s.type == SHT_REL:
            relocations[s.info] = [
                Relocation(off, info & 0xFFFF_FFFF, info >> 32, None)
                for off, info in REL.iter_unpack(s.data)
            ]
        elif s.type == SHT_RELA:
            relocations[s.info] = [
                Relocation(off, info & 0xFFFF_FFFF, info >> 32, addend)
                for off, info, addend in RELA.iter_unpack(s.data)
            ]
    return ElfObject(e_machine, e_type, sections, symbols, relocations)
