"""Sealing and opening message bodies (see the package docstring)."""

from __future__ import annotations

from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey
from nacl.signing import SigningKey, VerifyKey
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError

__all__ = [
    "ENVELOPE_OVERHEAD",
    "ENVELOPE_VERSION",
    "DecryptionError",
    "open_body",
    "seal_body",
    "x25519_public_key",
]

ENVELOPE_VERSION = 1
_NONCE = Box.NONCE_SIZE
ENVELOPE_OVERHEAD = 1 + _NONCE + 16


class DecryptionError(SolinboxError):
    """A body cannot be opened: tampered, truncated, not for this key pair, or not an envelope."""


def _secret(keypair: Keypair) -> PrivateKey:
    seed = bytes(keypair)[:32]
    return SigningKey(seed).to_curve25519_private_key()


def x25519_public_key(wallet: Pubkey) -> bytes:
    """The X25519 public key of an ed25519 wallet address (raises ValueError if not a point)."""
    try:
        return bytes(VerifyKey(bytes(wallet)).to_curve25519_public_key())
    except (CryptoError, ValueError) as exc:
        raise ValueError(f"{wallet} is not an ed25519 public key (a PDA?)") from exc


def _box(me: Keypair, other: Pubkey) -> Box:
    try:
        return Box(_secret(me), PublicKey(x25519_public_key(other)))
    except ValueError as exc:
        raise DecryptionError(str(exc)) from exc


def seal_body(plaintext: bytes, sender: Keypair, recipient: Pubkey) -> bytes:
    """Seal ``plaintext`` so that only ``sender`` and ``recipient`` can open it."""
    encrypted = _box(sender, recipient).encrypt(plaintext)
    return bytes([ENVELOPE_VERSION]) + bytes(encrypted)


def open_body(envelope: bytes, me: Keypair, other: Pubkey) -> bytes:
    """Open a body sealed between ``me`` and ``other`` (either of them may have sealed it)."""
    if len(envelope) < ENVELOPE_OVERHEAD:
        raise DecryptionError(
            f"envelope of {len(envelope)} bytes is shorter than {ENVELOPE_OVERHEAD}"
        )
    if envelope[0] != ENVELOPE_VERSION:
        raise DecryptionError(f"unknown envelope version {envelope[0]}")
    try:
        return bytes(_box(me, other).decrypt(envelope[1:]))
    except CryptoError as exc:
        raise DecryptionError(
            "the body was tampered with or is not sealed for this key pair"
        ) from exc
