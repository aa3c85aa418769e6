"""Base58 (Bitcoin alphabet) for arbitrary byte strings: memcmp filters, cursors, RPC data.

(``solders.pubkey.Pubkey`` covers exactly 32 bytes; this covers any length.)
"""

from __future__ import annotations

__all__ = ["b58decode", "b58encode"]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def b58encode(raw: bytes) -> str:
    """Encode bytes; each leading zero byte becomes a leading ``1``."""
    n = int.from_bytes(raw, "big")
    text = ""
    while n:
        n, r = divmod(n, 58)
        text = _ALPHABET[r] + text
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + text


def b58decode(text: str) -> bytes:
    """Decode base58 (``ValueError`` on a character outside the alphabet)."""
    n = 0
    for ch in text:
        try:
            n = n * 58 + _INDEX[ch]
        except KeyError:
            raise ValueError(f"invalid base58 character {ch!r}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body
