"""Keccak, hash-to-field, Poseidon and the compressed-account leaf hash."""

from __future__ import annotations

import hashlib
import os

import pytest
from solders.pubkey import Pubkey

from solinbox.light import LightPackage, compressed_account_hash, data_hash_sha256
from solinbox.light._keccak import _sponge_256, keccak256
from solinbox.light.hashing import (
    BN254_FIELD_MODULUS,
    hash_pubkey_to_field,
    hash_to_bn254_field_size_be,
    poseidon,
)
from solinbox.light.ids import STATE_TREES_V2
from solinbox.localnet.genesis import light_accounts


def test_keccak256_vectors() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )


@pytest.mark.parametrize("size", [0, 1, 135, 136, 137, 272, 1000])
def test_keccak_permutation_matches_sha3(size: int) -> None:
    # SHA3-256 is the same sponge with domain byte 0x06: checks the permutation and padding.
    data = os.urandom(size)
    assert _sponge_256(data, 0x06) == hashlib.sha3_256(data).digest()


def test_hash_to_field_matches_the_queue_header(light_package: LightPackage) -> None:
    # Output queues store hash_to_bn254_field_size_be(tree pubkey) in their header.
    for v2 in STATE_TREES_V2:
        hashed = hash_pubkey_to_field(v2.tree)
        assert hashed[0] == 0
        assert hashed == hash_to_bn254_field_size_be(bytes(v2.tree))
        assert hashed in light_accounts(light_package)[v2.output_queue].account.data


def test_poseidon_circom_vector() -> None:
    one, two = (1).to_bytes(32, "big"), (2).to_bytes(32, "big")
    assert poseidon(one, two).hex() == (
        "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
    )
    with pytest.raises(ValueError, match="below the BN254 modulus"):
        poseidon(BN254_FIELD_MODULUS.to_bytes(32, "big"))
    with pytest.raises(ValueError, match="32 bytes"):
        poseidon(b"\x01")


def test_data_hash_sha256_zeroes_first_byte() -> None:
    digest = data_hash_sha256(b"hello")
    assert digest[0] == 0
    assert digest[1:] == hashlib.sha256(b"hello").digest()[1:]


def test_compressed_account_hash_endianness_and_fields() -> None:
    owner = Pubkey.new_unique()
    tree = Pubkey.new_unique()
    v1 = compressed_account_hash(owner, 1, tree, 100, None, None, None, is_batched=False)
    v2 = compressed_account_hash(owner, 1, tree, 100, None, None, None, is_batched=True)
    assert v1 != v2
    manual_v1 = poseidon(
        hash_pubkey_to_field(owner),
        bytes(28) + (1).to_bytes(4, "little"),
        hash_pubkey_to_field(tree),
        bytes(23) + b"\x01" + (100).to_bytes(8, "little"),
    )
    assert v1 == manual_v1
    # Zero lamports are left out; data adds the prefixed discriminator and the data hash.
    with_data = compressed_account_hash(
        owner, 0, tree, 0, bytes(32), b"\x02" + bytes(7), data_hash_sha256(b"x"), is_batched=True
    )
    assert with_data == poseidon(
        hash_pubkey_to_field(owner),
        bytes(32),
        hash_pubkey_to_field(tree),
        bytes(32),
        bytes(23) + b"\x02\x02" + bytes(7),
        data_hash_sha256(b"x"),
    )
    with pytest.raises(ValueError, match="together"):
        compressed_account_hash(owner, 0, tree, 0, None, bytes(8), None, is_batched=True)
