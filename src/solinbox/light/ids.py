"""Addresses of the Light Protocol programs, PDAs and shared trees.

Program ids are those of ``SYSTEM_PROGRAMS`` in ``@lightprotocol/zk-compression-cli@0.28.3``
(``dist/utils/initTestEnv.js``); tree, queue and CPI-context addresses are the account dumps
shipped in the same package (``accounts/*.json``) and are the same on devnet and mainnet.
The PDAs are re-derived by the tests with :meth:`Pubkey.find_program_address`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from solders.pubkey import Pubkey

__all__ = [
    "ACCOUNT_COMPRESSION_AUTHORITY",
    "ACCOUNT_COMPRESSION_PROGRAM_ID",
    "ADDRESS_QUEUE_V1",
    "ADDRESS_TREES_V2",
    "ADDRESS_TREE_V1",
    "COMPRESSED_TOKEN_PROGRAM_ID",
    "CPI_AUTHORITY_SEED",
    "GROUP_AUTHORITY_PDA",
    "LIGHT_PROGRAMS",
    "LIGHT_REGISTRY_PROGRAM_ID",
    "LIGHT_SYSTEM_PROGRAM_ID",
    "NOOP_PROGRAM_ID",
    "REGISTERED_PROGRAM_PDA",
    "SOL_POOL_PDA",
    "SOL_POOL_SEED",
    "STATE_TREES_V1",
    "STATE_TREES_V2",
    "SYSTEM_PROGRAM_ID",
    "StateTreeV1",
    "StateTreeV2",
    "cpi_authority_pda",
    "state_tree_v2_for_queue",
]

_pk = Pubkey.from_string

LIGHT_SYSTEM_PROGRAM_ID = _pk("SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7")
"""The light system program (``light_system_program_pinocchio.so``)."""
ACCOUNT_COMPRESSION_PROGRAM_ID = _pk("compr6CUsB5m2jS4Y3831ztGSTnDpnKJTKS95d64XVq")
"""The account-compression program that owns the trees and queues."""
NOOP_PROGRAM_ID = _pk("noopb9bkMVfRPU8AsbpTUg8AQkHtKwMYZiFUjNRtMmV")
"""SPL noop; only passed in a legacy account slot of ``invoke``, never invoked."""
COMPRESSED_TOKEN_PROGRAM_ID = _pk("cTokenmWW8bLPjZEBAUgYy3zKxQZW6VKi7bqNFEVv3m")
"""The compressed-token program."""
LIGHT_REGISTRY_PROGRAM_ID = _pk("Lighton6oQpVkeewmo2mcPTQQp7kYHr4fWpAgJyEmDX")
"""The registry program (foresters, epochs, protocol config)."""
SYSTEM_PROGRAM_ID = _pk("11111111111111111111111111111111")
"""The Solana system program."""

LIGHT_PROGRAMS: Mapping[str, Pubkey] = MappingProxyType(
    {
        "account_compression": ACCOUNT_COMPRESSION_PROGRAM_ID,
        "light_compressed_token": COMPRESSED_TOKEN_PROGRAM_ID,
        "light_registry": LIGHT_REGISTRY_PROGRAM_ID,
        "light_system_program_pinocchio": LIGHT_SYSTEM_PROGRAM_ID,
        "spl_noop": NOOP_PROGRAM_ID,
    }
)
"""Program id of each shipped ``bin/<name>.so``, keyed by ``name``."""

CPI_AUTHORITY_SEED = b"cpi_authority"
"""Seed of a program's CPI signer PDA: ``PDA([CPI_AUTHORITY_SEED], program)``."""
SOL_POOL_SEED = b"sol_pool_pda"
"""Seed of the light system program's SOL pool PDA."""

REGISTERED_PROGRAM_PDA = _pk("35hkDgaAKwMCaxRz2ocSZ6NaUrtKkyNqU6c4RV3tYJRh")
"""``PDA([LIGHT_SYSTEM_PROGRAM_ID], ACCOUNT_COMPRESSION_PROGRAM_ID)``: registers the system program."""
ACCOUNT_COMPRESSION_AUTHORITY = _pk("HwXnGK3tPkkVY6P439H2p68AxpeuWXd5PcrAxFpbmfbA")
"""``PDA([b"cpi_authority"], LIGHT_SYSTEM_PROGRAM_ID)`` (bump 255): signs insert_into_queues."""
SOL_POOL_PDA = _pk("CHK57ywWSDncAoRu1F8QgwYJeXuAJyyBYT4LixLXvMZ1")
"""``PDA([b"sol_pool_pda"], LIGHT_SYSTEM_PROGRAM_ID)`` (bump 255): holds compressed lamports."""
GROUP_AUTHORITY_PDA = _pk("24rt4RgeyjUCWGS2eF7L7gyNMuz6JWdqYpAvb1KRoHxs")
"""The group that owns every shipped tree and the registered-program PDA."""


@dataclass(frozen=True, slots=True)
class StateTreeV1:
    """A V1 (concurrent Merkle tree) state tree: outputs are appended to the tree itself."""

    tree: Pubkey
    nullifier_queue: Pubkey
    cpi_context: Pubkey


@dataclass(frozen=True, slots=True)
class StateTreeV2:
    """A V2 batched state tree: outputs go to ``output_queue``, inputs reference ``tree``."""

    tree: Pubkey
    output_queue: Pubkey
    cpi_context: Pubkey


STATE_TREES_V1: tuple[StateTreeV1, ...] = (
    StateTreeV1(
        tree=_pk("smt1NamzXdq4AMqS2fS2F1i5KTYPZRhoHgWx38d8WsT"),
        nullifier_queue=_pk("nfq1NvQDJ2GEgnS8zt9prAe8rjjpAW1zFkrvZoBR148"),
        cpi_context=_pk("cpi1uHzrEhBG733DoEJNgHCyRS3XmmyVNZx5fonubE4"),
    ),
    StateTreeV1(
        tree=_pk("smt2rJAFdyJJupwMKAqTNAJwvjhmiZ4JYGZmbVRw1Ho"),
        nullifier_queue=_pk("nfq2hgS7NYemXsFaFUCe3EMXSDSfnZnAe27jC6aPP1X"),
        cpi_context=_pk("cpi2cdhkH5roePvcudTgUL8ppEBfTay1desGh8G8QxK"),
    ),
)
"""``smt1``/``smt2`` with their nullifier queues and CPI-context accounts (2^26 leaves each)."""

STATE_TREES_V2: tuple[StateTreeV2, ...] = (
    StateTreeV2(
        tree=_pk("bmt1LryLZUMmF7ZtqESaw7wifBXLfXHQYoE4GAmrahU"),
        output_queue=_pk("oq1na8gojfdUhsfCpyjNt6h4JaDWtHf1yQj4koBWfto"),
        cpi_context=_pk("cpi15BoVPKgEPw5o8wc2T816GE7b378nMXnhH3Xbq4y"),
    ),
    StateTreeV2(
        tree=_pk("bmt2UxoBxB9xWev4BkLvkGdapsz6sZGkzViPNph7VFi"),
        output_queue=_pk("oq2UkeMsJLfXt2QHzim242SUi3nvjJs8Pn7Eac9H9vg"),
        cpi_context=_pk("cpi2yGapXUR3As5SjnHBAVvmApNiLsbeZpF3euWnW6B"),
    ),
    StateTreeV2(
        tree=_pk("bmt3ccLd4bqSVZVeCJnH1F6C8jNygAhaDfxDwePyyGb"),
        output_queue=_pk("oq3AxjekBWgo64gpauB6QtuZNesuv19xrhaC1ZM1THQ"),
        cpi_context=_pk("cpi3mbwMpSX8FAGMZVP85AwxqCaQMfEk9Em1v8QK9Rf"),
    ),
    StateTreeV2(
        tree=_pk("bmt4d3p1a4YQgk9PeZv5s4DBUmbF5NxqYpk9HGjQsd8"),
        output_queue=_pk("oq4ypwvVGzCUMoiKKHWh4S1SgZJ9vCvKpcz6RT6A8dq"),
        cpi_context=_pk("cpi4yyPDc4bCgHAnsenunGA8Y77j3XEDyjgfyCKgcoc"),
    ),
    StateTreeV2(
        tree=_pk("bmt5yU97jC88YXTuSukYHa8Z5Bi2ZDUtmzfkDTA2mG2"),
        output_queue=_pk("oq5oh5ZR3yGomuQgFduNDzjtGvVWfDRGLuDVjv9a96P"),
        cpi_context=_pk("cpi5ZTjdgYpZ1Xr7B1cMLLUE81oTtJbNNAyKary2nV6"),
    ),
)
"""``bmt1..bmt5`` with their output queues ``oq1..oq5`` and CPI contexts (100 leaves per queue
without a forester)."""

ADDRESS_TREE_V1 = _pk("amt1Ayt45jfbdw5YSo7iz6WZxUmnZsQTYXy82hVwyC2")
"""The V1 address tree (new addresses need a non-inclusion proof)."""
ADDRESS_QUEUE_V1 = _pk("aq1S9z4reTSQAdgWHGD2zDaS39sjGrAxbR31vxJ2F4F")
"""The V1 address tree's queue."""
ADDRESS_TREES_V2: tuple[Pubkey, ...] = (
    _pk("amt2kaJA14v3urZbZvnc5v2np8jqvc4Z8zDep5wbtzx"),
    _pk("EzKE84aVTkCUhDHLELqyJaq1Y7UVVmqxXqZjVHwHY3rK"),
)
"""The V2 batched address trees (each is its own queue)."""


def cpi_authority_pda(program_id: Pubkey) -> tuple[Pubkey, int]:
    """Return ``(pda, bump)`` of ``program_id``'s Light CPI signer, seed ``b"cpi_authority"``.

    A program calling ``invoke_cpi`` / ``invoke_cpi_with_read_only`` signs with this PDA; no
    registration is needed.
    """
    return Pubkey.find_program_address([CPI_AUTHORITY_SEED], program_id)


def state_tree_v2_for_queue(output_queue: Pubkey) -> StateTreeV2 | None:
    """Return the shipped V2 tree whose output queue is ``output_queue``, or ``None``."""
    for info in STATE_TREES_V2:
        if info.output_queue == output_queue:
            return info
    return None
