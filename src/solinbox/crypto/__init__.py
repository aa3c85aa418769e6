"""End-to-end encryption of message bodies with the participants' wallet keys.

A thread has two participants, each with an ed25519 wallet key. Both keys convert to X25519
(the same curve, in Montgomery form), and X25519 Diffie-Hellman gives the two of them — and
nobody else — the same shared key: ``Box(alice_secret, bob_public) == Box(bob_secret,
alice_public)``. So a body sealed by one side opens for both sides (the sender can re-read
what it sent) and for no third party. PyNaCl's ``Box`` is XSalsa20-Poly1305 with a random
24-byte nonce; tampering with any byte makes opening fail with :class:`DecryptionError`.

Envelope: ``version (1) ‖ nonce (24) ‖ ciphertext + 16-byte tag`` — 41 bytes of overhead.
The on-chain message carries the ``encrypted`` flag (``MessageInput(encrypted=True)``).
"""

from solinbox.crypto._box import (
    ENVELOPE_OVERHEAD,
    ENVELOPE_VERSION,
    DecryptionError,
    open_body,
    seal_body,
    x25519_public_key,
)

__all__ = [
    "ENVELOPE_OVERHEAD",
    "ENVELOPE_VERSION",
    "DecryptionError",
    "open_body",
    "seal_body",
    "x25519_public_key",
]
