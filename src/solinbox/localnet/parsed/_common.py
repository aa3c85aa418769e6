"""Little-endian readers for instruction data, and the error a parser raises on bad data."""

from __future__ import annotations

import struct

from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError

__all__ = ["ParseError", "Reader"]


class ParseError(SolinboxError, ValueError):
    """Instruction data a parser does not recognise (the instruction stays unparsed)."""


class Reader:
    """A cursor over instruction data."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, n: int) -> bytes:
        """The next ``n`` bytes."""
        if self.at + n > len(self.data):
            raise ParseError("instruction data too short")
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def u8(self) -> int:
        """One byte."""
        return self.take(1)[0]

    def u32(self) -> int:
        """A little-endian u32."""
        return int(struct.unpack("<I", self.take(4))[0])

    def u64(self) -> int:
        """A little-endian u64."""
        return int(struct.unpack("<Q", self.take(8))[0])

    def pubkey(self) -> str:
        """A 32-byte address, base58."""
        return str(Pubkey.from_bytes(self.take(32)))

    def string(self) -> str:
        """A bincode string (u64 length, UTF-8)."""
        return self.take(self.u64()).decode()

    def option_pubkey(self, tag_size: int = 1) -> str | None:
        """A ``COption<Pubkey>`` (SPL: u32 tag) or ``Option<Pubkey>`` (u8 tag)."""
        tag = self.u8() if tag_size == 1 else self.u32()
        return self.pubkey() if tag else None

    def done(self) -> None:
        """Refuse trailing bytes."""
        if self.at != len(self.data):
            raise ParseError("trailing instruction data")
