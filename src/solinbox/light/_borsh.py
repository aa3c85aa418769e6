"""A minimal borsh reader and writer: just the primitives Light's instruction data uses."""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import TypeVar

from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError

__all__ = ["BorshReader", "BorshWriter", "LightDecodeError"]

T = TypeVar("T")


class LightDecodeError(SolinboxError, ValueError):
    """Bytes that do not decode as the expected Light instruction layout."""


class BorshWriter:
    """Append-only borsh encoder."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def getvalue(self) -> bytes:
        """Return everything written so far."""
        return b"".join(self._parts)

    def u8(self, value: int) -> None:
        """Write an unsigned 8-bit integer."""
        self._parts.append(struct.pack("<B", value))

    def u16(self, value: int) -> None:
        """Write a little-endian unsigned 16-bit integer."""
        self._parts.append(struct.pack("<H", value))

    def u32(self, value: int) -> None:
        """Write a little-endian unsigned 32-bit integer."""
        self._parts.append(struct.pack("<I", value))

    def u64(self, value: int) -> None:
        """Write a little-endian unsigned 64-bit integer."""
        self._parts.append(struct.pack("<Q", value))

    def bool(self, value: bool) -> None:
        """Write a bool as one byte, 0 or 1."""
        self.u8(1 if value else 0)

    def fixed(self, value: bytes, size: int) -> None:
        """Write a ``[u8; size]`` array."""
        if len(value) != size:
            raise ValueError(f"expected {size} bytes, got {len(value)}")
        self._parts.append(bytes(value))

    def pubkey(self, value: Pubkey) -> None:
        """Write a 32-byte public key."""
        self._parts.append(bytes(value))

    def bytes_vec(self, value: bytes) -> None:
        """Write a ``Vec<u8>``: u32 length then the bytes."""
        self.u32(len(value))
        self._parts.append(bytes(value))

    def vec(self, items: Sequence[T], write_item: Callable[[BorshWriter, T], None]) -> None:
        """Write a ``Vec<T>``: u32 length then each item."""
        self.u32(len(items))
        for item in items:
            write_item(self, item)

    def option(self, value: T | None, write_value: Callable[[BorshWriter, T], None]) -> None:
        """Write an ``Option<T>``: tag byte 0 (None) or 1 followed by the value."""
        if value is None:
            self.u8(0)
        else:
            self.u8(1)
            write_value(self, value)


class BorshReader:
    """Sequential borsh decoder over a byte string; raises :class:`LightDecodeError` on short input."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self._data = bytes(data)
        self.offset = offset

    @property
    def remaining(self) -> int:
        """Number of bytes not read yet."""
        return len(self._data) - self.offset

    def take(self, size: int) -> bytes:
        """Read ``size`` raw bytes."""
        end = self.offset + size
        if size < 0 or end > len(self._data):
            raise LightDecodeError(
                f"need {size} bytes at offset {self.offset}, only {self.remaining} left"
            )
        chunk = self._data[self.offset : end]
        self.offset = end
        return chunk

    def u8(self) -> int:
        """Read an unsigned 8-bit integer."""
        return self.take(1)[0]

    def u16(self) -> int:
        """Read a little-endian unsigned 16-bit integer."""
        return int.from_bytes(self.take(2), "little")

    def u32(self) -> int:
        """Read a little-endian unsigned 32-bit integer."""
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        """Read a little-endian unsigned 64-bit integer."""
        return int.from_bytes(self.take(8), "little")

    def bool(self) -> bool:
        """Read a bool; any byte other than 0 or 1 is an error."""
        value = self.u8()
        if value > 1:
            raise LightDecodeError(f"invalid bool byte {value} at offset {self.offset - 1}")
        return value == 1

    def fixed(self, size: int) -> bytes:
        """Read a ``[u8; size]`` array."""
        return self.take(size)

    def pubkey(self) -> Pubkey:
        """Read a 32-byte public key."""
        return Pubkey.from_bytes(self.take(32))

    def bytes_vec(self) -> bytes:
        """Read a ``Vec<u8>``."""
        return self.take(self.u32())

    def vec(self, read_item: Callable[[BorshReader], T]) -> tuple[T, ...]:
        """Read a ``Vec<T>`` (u32 length prefix)."""
        count = self.u32()
        if count > self.remaining:  # every element takes at least one byte
            raise LightDecodeError(f"vector length {count} exceeds the {self.remaining} bytes left")
        return tuple(read_item(self) for _ in range(count))

    def option(self, read_value: Callable[[BorshReader], T]) -> T | None:
        """Read an ``Option<T>``."""
        tag = self.u8()
        if tag == 0:
            return None
        if tag == 1:
            return read_value(self)
        raise LightDecodeError(f"invalid option tag {tag} at offset {self.offset - 1}")

    def expect_end(self) -> None:
        """Raise unless every byte has been consumed."""
        if self.remaining:
            raise LightDecodeError(f"{self.remaining} trailing bytes at offset {self.offset}")
