"""Keccak-256 (the original Keccak padding, as used by Solana and Ethereum), in pure Python.

The standard library only has SHA3-256, which runs the same permutation with a different
padding byte; OpenSSL exposes ``KECCAK-256`` only from version 3.2 on. Light hashes a handful of
32-byte public keys per transaction with it, so a small pure-Python implementation is plenty.

The round constants and rotation offsets are derived from their definitions in FIPS 202
(the rc LFSR and the (x, y) -> (y, 2x + 3y) walk) rather than written out as tables.
"""

from __future__ import annotations

__all__ = ["keccak256"]

_MASK = (1 << 64) - 1
_RATE = 136  # bytes: 1600 - 2 * 256 bits of capacity
_ROUNDS = 24


def _rc_bit(t: int) -> int:
    """Return bit ``rc(t)`` of the FIPS 202 LFSR x^8 + x^6 + x^5 + x^4 + 1."""
    if t % 255 == 0:
        return 1
    r = 1
    for _ in range(t % 255):
        r <<= 1
        if r & 0x100:
            r ^= 0x171
    return r & 1


def _round_constants() -> tuple[int, ...]:
    constants = []
    for round_index in range(_ROUNDS):
        value = 0
        for j in range(7):
            if _rc_bit(j + 7 * round_index):
                value |= 1 << ((1 << j) - 1)
        constants.append(value)
    return tuple(constants)


def _rotation_offsets() -> tuple[int, ...]:
    offsets = [0] * 25
    x, y = 1, 0
    for t in range(24):
        offsets[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(offsets)


_RC = _round_constants()
_ROT = _rotation_offsets()
# Destination lane of pi for every source lane: B[y, 2x + 3y] = rot(A[x, y]).
_PI = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))
_PI_SRC = tuple(x + 5 * y for y in range(5) for x in range(5))


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _permute(lanes: list[int]) -> None:
    """Apply Keccak-f[1600] in place to 25 little-endian 64-bit lanes indexed x + 5y."""
    for rc in _RC:
        # theta
        c = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        for i in range(25):
            lanes[i] ^= d[i % 5]
        # rho and pi
        b = [0] * 25
        for src, dst in zip(_PI_SRC, _PI, strict=True):
            b[dst] = _rotl(lanes[src], _ROT[src])
        # chi
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                lanes[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5] & _MASK)
        # iota
        lanes[0] ^= rc


def _sponge_256(data: bytes, domain: int) -> bytes:
    padded = bytearray(data)
    padded.append(domain)
    padded.extend(b"\x00" * (-len(padded) % _RATE))
    padded[-1] |= 0x80
    lanes = [0] * 25
    for offset in range(0, len(padded), _RATE):
        block = padded[offset : offset + _RATE]
        for i in range(_RATE // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _permute(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


def keccak256(data: bytes) -> bytes:
    """Return the 32-byte Keccak-256 digest of ``data`` (padding byte 0x01, not SHA3's 0x06)."""
    return _sponge_256(bytes(data), 0x01)
