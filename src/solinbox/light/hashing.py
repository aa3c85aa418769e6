"""Light compressed-account leaf hashes, recomputed off-chain.

Follows ``light-compressed-account``'s ``hash_with_hashed_values`` (0.11.0)::

    Poseidon(H(owner), leaf_index_32, H(tree), [lamports_32], [address], [disc_32, data_hash])

with ``H = hash_to_bn254_field_size_be``; ``leaf_index_32`` holds the u32 leaf index in bytes
28..32 and ``lamports_32`` the u64 in bytes 24..32 with byte 23 set to 1 (only when lamports
are non-zero); ``disc_32`` holds the 8-byte discriminator in bytes 24..32 with byte 23 set to 2.
Integers are little-endian for V1 trees and big-endian for V2 (batched) trees. For V2 the
hashed tree is the batched tree (``bmt…``), not its output queue.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Literal

import light_poseidon_python
from solders.pubkey import Pubkey

from solinbox.light._keccak import keccak256

__all__ = [
    "BN254_FIELD_MODULUS",
    "compressed_account_hash",
    "data_hash_sha256",
    "hash_pubkey_to_field",
    "hash_to_bn254_field_size_be",
    "poseidon",
]

BN254_FIELD_MODULUS = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001
"""The BN254 scalar field modulus; every Poseidon input must be below it."""

_HASH_TO_FIELD_BUMP = b"\xff"


def hash_to_bn254_field_size_be(data: bytes) -> bytes:
    """Hash ``data`` into the BN254 field: ``keccak256(data || 0xff)`` with byte 0 zeroed.

    Matches ``light_hasher::hash_to_field_size::hash_to_bn254_field_size_be`` and stateless.js
    ``hashToBn254FieldSizeBe`` (whose bump search always stops at 255 because the zeroed first
    byte already puts the value below the modulus).
    """
    digest = bytearray(keccak256(bytes(data) + _HASH_TO_FIELD_BUMP))
    digest[0] = 0
    return bytes(digest)


@lru_cache(maxsize=4096)
def hash_pubkey_to_field(pubkey: Pubkey) -> bytes:
    """Return :func:`hash_to_bn254_field_size_be` of a public key (cached)."""
    return hash_to_bn254_field_size_be(bytes(pubkey))


def poseidon(*inputs: bytes) -> bytes:
    """Circom-compatible BN254 Poseidon of big-endian 32-byte inputs, as 32 big-endian bytes.

    Raises:
        ValueError: an input is not 32 bytes or not below :data:`BN254_FIELD_MODULUS`
            (Light's on-chain hasher rejects those too).

    """
    for item in inputs:
        if len(item) != 32:
            raise ValueError(f"Poseidon inputs must be 32 bytes, got {len(item)}")
        if int.from_bytes(item, "big") >= BN254_FIELD_MODULUS:
            raise ValueError(f"Poseidon input {item.hex()} is not below the BN254 modulus")
    result: str = light_poseidon_python.poseidon_hash_bytes([bytes(item) for item in inputs])
    return int(result, 16).to_bytes(32, "big")


def compressed_account_hash(
    owner: Pubkey,
    leaf_index: int,
    merkle_tree: Pubkey,
    lamports: int,
    address: bytes | None,
    data_discriminator: bytes | None,
    data_hash: bytes | None,
    *,
    is_batched: bool,
) -> bytes:
    """Return the leaf hash of a compressed account.

    Args:
        owner: The compressed account's owner program or wallet.
        leaf_index: Its leaf index in the tree (the output queue index for V2).
        merkle_tree: The state tree: ``smt…`` for V1, the batched tree ``bmt…`` for V2.
        lamports: Its lamports (omitted from the hash when 0).
        address: Its 32-byte address, if any.
        data_discriminator: The 8-byte data discriminator; ``None`` when the account has no data.
        data_hash: The 32-byte data hash; ``None`` exactly when ``data_discriminator`` is.
        is_batched: ``True`` for V2 (big-endian integers), ``False`` for V1 (little-endian).

    Returns:
        The 32-byte big-endian Poseidon hash the account-compression program inserts.

    """
    if (data_discriminator is None) != (data_hash is None):
        raise ValueError("data_discriminator and data_hash must be given together")
    order: Literal["big", "little"] = "big" if is_batched else "little"
    leaf_index_bytes = bytes(28) + leaf_index.to_bytes(4, order)
    inputs = [hash_pubkey_to_field(owner), leaf_index_bytes, hash_pubkey_to_field(merkle_tree)]
    if lamports:
        inputs.append(bytes(23) + b"\x01" + lamports.to_bytes(8, order))
    if address is not None:
        inputs.append(bytes(address))
    if data_discriminator is not None and data_hash is not None:
        if len(data_discriminator) != 8:
            raise ValueError("data_discriminator must be 8 bytes")
        inputs.append(bytes(23) + b"\x02" + bytes(data_discriminator))
        inputs.append(bytes(data_hash))
    return poseidon(*inputs)


def data_hash_sha256(data: bytes) -> bytes:
    """Return ``sha256(data)`` with byte 0 zeroed: the data-hash convention of solinbox records.

    Zeroing the first byte keeps the value below the BN254 modulus, as Light requires.
    """
    digest = bytearray(hashlib.sha256(bytes(data)).digest())
    digest[0] = 0
    return bytes(digest)
