"""Wallet-key encryption: both participants read, nobody else does, tampering is detected."""

from __future__ import annotations

import pytest
from solders.keypair import Keypair

from solinbox.crypto import ENVELOPE_OVERHEAD, DecryptionError, open_body, seal_body
from solinbox.program.pda import inbox_address


@pytest.mark.parametrize("body", [b"", b"hi", "Grüße 📬".encode(), bytes(range(256)) * 4])
def test_both_sides_open_what_either_sealed(body: bytes) -> None:
    alice, bob = Keypair(), Keypair()
    sealed = seal_body(body, alice, bob.pubkey())
    assert len(sealed) == len(body) + ENVELOPE_OVERHEAD
    assert body == b"" or body not in sealed
    assert open_body(sealed, bob, alice.pubkey()) == body  # the recipient
    assert open_body(sealed, alice, bob.pubkey()) == body  # the sender re-reads its own message
    assert seal_body(body, alice, bob.pubkey()) != sealed  # fresh nonce every time


def test_third_party_cannot_open() -> None:
    alice, bob, eve = Keypair(), Keypair(), Keypair()
    sealed = seal_body(b"secret", alice, bob.pubkey())
    with pytest.raises(DecryptionError, match="not sealed for this key pair"):
        open_body(sealed, eve, alice.pubkey())
    with pytest.raises(DecryptionError):
        open_body(sealed, eve, bob.pubkey())


@pytest.mark.parametrize("position", [0, 1, 12, 25, 30, -1])
def test_any_flipped_byte_is_detected(position: int) -> None:
    alice, bob = Keypair(), Keypair()
    sealed = bytearray(seal_body(b"pay 5 SOL to bob", alice, bob.pubkey()))
    sealed[position] ^= 0x01
    with pytest.raises(DecryptionError):
        open_body(bytes(sealed), bob, alice.pubkey())


def test_truncated_and_garbage_envelopes() -> None:
    alice, bob = Keypair(), Keypair()
    sealed = seal_body(b"hello", alice, bob.pubkey())
    for bad in (
        b"",
        sealed[:10],
        sealed[:-1],
        b"\x01" + bytes(60),
        b"plain text, not sealed at all",
    ):
        with pytest.raises(DecryptionError):
            open_body(bad, bob, alice.pubkey())


def test_off_curve_address_is_a_clear_error() -> None:
    alice = Keypair()
    pda = inbox_address(alice.pubkey(), 0)[0]  # PDAs are not on the curve: no key to encrypt to
    with pytest.raises(DecryptionError, match="not an ed25519 public key"):
        seal_body(b"x", alice, pda)
