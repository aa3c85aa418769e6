"""Compressed-token instructions for the tests, run against the real pinned program in LiteSVM.

``create_mint_with_pool`` makes an SPL mint and registers its token pool; ``mint_to`` mints
compressed tokens (V1 tree or V2 output queue). ``approve`` and ``freeze`` spend one compressed
token account of the first V2 queue **proved by index** (it is still in the output queue), so
they need no validity proof: the program turns the all-zero proof into ``None``.
"""

from __future__ import annotations

import hashlib
import struct

from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account

from solinbox.light import cpi_authority_pda
from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_AUTHORITY,
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    COMPRESSED_TOKEN_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
    NOOP_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    SYSTEM_PROGRAM_ID,
    StateTreeV2,
)

from ._helpers import send

TOKEN_PROGRAM_ID = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
MINT_SIZE = 82


def anchor(name: str) -> bytes:
    """An Anchor instruction discriminator."""
    return hashlib.sha256(f"global:{name}".encode()).digest()[:8]


def meta(key: Pubkey, *, signer: bool = False, writable: bool = False) -> AccountMeta:
    return AccountMeta(key, is_signer=signer, is_writable=writable)


def create_mint(
    payer: Pubkey, mint: Pubkey, rent: int, *, freeze_authority: Pubkey | None = None
) -> list[Instruction]:
    """Create and initialize an SPL mint (0 decimals, ``payer`` its mint authority)."""
    freeze = b"\x00" if freeze_authority is None else b"\x01" + bytes(freeze_authority)
    create = create_account(
        CreateAccountParams(
            from_pubkey=payer,
            to_pubkey=mint,
            lamports=rent,
            space=MINT_SIZE,
            owner=TOKEN_PROGRAM_ID,
        )
    )
    init_mint2 = Instruction(
        TOKEN_PROGRAM_ID,
        bytes([20, 0]) + bytes(payer) + freeze,  # InitializeMint2, 0 decimals
        [meta(mint, writable=True)],
    )
    return [create, init_mint2]


def create_pool(payer: Pubkey, mint: Pubkey) -> tuple[Instruction, Pubkey]:
    """``create_token_pool`` for ``mint``, and the pool's address."""
    pool, _ = Pubkey.find_program_address([b"pool", bytes(mint)], COMPRESSED_TOKEN_PROGRAM_ID)
    cpi_signer, _ = cpi_authority_pda(COMPRESSED_TOKEN_PROGRAM_ID)
    ix = Instruction(
        COMPRESSED_TOKEN_PROGRAM_ID,
        anchor("create_token_pool"),
        [
            meta(payer, signer=True, writable=True),
            meta(pool, writable=True),
            meta(SYSTEM_PROGRAM_ID),
            meta(mint),
            meta(TOKEN_PROGRAM_ID),
            meta(cpi_signer),
        ],
    )
    return ix, pool


def create_mint_with_pool(
    svm: LiteSVM, payer: Keypair, *, freeze_authority: Pubkey | None = None
) -> tuple[Pubkey, Pubkey]:
    """A new SPL mint (0 decimals, ``payer`` its mint authority) and its compressed-token pool."""
    mint = Keypair()
    rent = svm.minimum_balance_for_rent_exemption(MINT_SIZE)
    setup = create_mint(payer.pubkey(), mint.pubkey(), rent, freeze_authority=freeze_authority)
    assert send(svm, setup, [payer, mint]).meta
    create_pool_ix, pool = create_pool(payer.pubkey(), mint.pubkey())
    assert send(svm, [create_pool_ix], [payer]).meta
    return mint.pubkey(), pool


def mint_to(
    payer: Keypair,
    mint: Pubkey,
    pool: Pubkey,
    tree: Pubkey,
    recipients: list[Pubkey],
    amounts: list[int] | None = None,
) -> Instruction:
    """``mint_to``: one compressed token account per recipient (amounts default to 100, 101, …)."""
    if amounts is None:
        amounts = [100 + i for i in range(len(recipients))]
    data = (
        anchor("mint_to")
        + len(recipients).to_bytes(4, "little")
        + b"".join(bytes(key) for key in recipients)
        + len(amounts).to_bytes(4, "little")
        + b"".join(amount.to_bytes(8, "little") for amount in amounts)
        + b"\x00"  # lamports: None
    )
    cpi_signer, _ = cpi_authority_pda(COMPRESSED_TOKEN_PROGRAM_ID)
    accounts = [
        meta(payer.pubkey(), signer=True, writable=True),  # fee payer
        meta(payer.pubkey(), signer=True),  # mint authority
        meta(cpi_signer),
        meta(mint, writable=True),
        meta(pool, writable=True),
        meta(TOKEN_PROGRAM_ID),
        meta(LIGHT_SYSTEM_PROGRAM_ID),
        meta(REGISTERED_PROGRAM_PDA),
        meta(NOOP_PROGRAM_ID),
        meta(ACCOUNT_COMPRESSION_AUTHORITY),
        meta(ACCOUNT_COMPRESSION_PROGRAM_ID),
        meta(tree, writable=True),
        meta(COMPRESSED_TOKEN_PROGRAM_ID),  # self program
        meta(SYSTEM_PROGRAM_ID),
        meta(COMPRESSED_TOKEN_PROGRAM_ID),  # sol pool: None (Anchor optional account)
    ]
    return Instruction(COMPRESSED_TOKEN_PROGRAM_ID, data, accounts)


def _input_by_index(amount: int, leaf_index: int) -> bytes:
    """``InputTokenDataWithContext`` of an undelegated account in the V2 queue (remaining[1]),
    proved by index: amount, delegate_index None, merkle context (tree 0, queue 1, leaf,
    prove_by_index), root_index 0, lamports None, tlv None."""
    return (
        struct.pack("<QB", amount, 0)
        + struct.pack("<BBIB", 0, 1, leaf_index, 1)
        + struct.pack("<HBB", 0, 0, 0)
    )


def _generic_accounts(payer: Keypair, authority: Pubkey) -> list[AccountMeta]:
    cpi_signer, _ = cpi_authority_pda(COMPRESSED_TOKEN_PROGRAM_ID)
    return [
        meta(payer.pubkey(), signer=True, writable=True),  # fee payer
        meta(authority, signer=True),
        meta(cpi_signer),
        meta(LIGHT_SYSTEM_PROGRAM_ID),
        meta(REGISTERED_PROGRAM_PDA),
        meta(NOOP_PROGRAM_ID),
        meta(ACCOUNT_COMPRESSION_AUTHORITY),
        meta(ACCOUNT_COMPRESSION_PROGRAM_ID),
        meta(COMPRESSED_TOKEN_PROGRAM_ID),  # self program
        meta(SYSTEM_PROGRAM_ID),
    ]


def _anchor_vec(name: str, inputs: bytes) -> bytes:
    return anchor(name) + struct.pack("<I", len(inputs)) + inputs


def approve(
    payer: Keypair,
    owner: Pubkey,
    mint: Pubkey,
    trees: StateTreeV2,
    *,
    amount: int,
    leaf_index: int,
    delegate: Pubkey,
    delegated_amount: int,
) -> Instruction:
    """``approve``: spends ``owner``'s account (``amount`` at ``leaf_index`` of ``trees``' queue)
    into one delegated to ``delegate`` (``delegated_amount``) and the change, both to the queue."""
    inputs = (
        bytes(128)  # CompressedProof::default() -> None
        + bytes(mint)
        + struct.pack("<I", 1)
        + _input_by_index(amount, leaf_index)
        + b"\x00"  # cpi_context: None
        + bytes(delegate)
        + struct.pack("<QBB", delegated_amount, 1, 1)  # both outputs to remaining[1]
        + b"\x00"  # delegate_lamports: None
    )
    accounts = [
        *_generic_accounts(payer, owner),
        meta(trees.tree, writable=True),
        meta(trees.output_queue, writable=True),
    ]
    return Instruction(COMPRESSED_TOKEN_PROGRAM_ID, _anchor_vec("approve", inputs), accounts)


def freeze(
    authority: Keypair,
    owner: Pubkey,
    mint: Pubkey,
    trees: StateTreeV2,
    *,
    amount: int,
    leaf_index: int,
) -> Instruction:
    """``freeze`` (by the mint's freeze authority): ``owner``'s account at ``leaf_index`` of
    ``trees``' queue becomes a frozen one (same amount) in the queue."""
    inputs = (
        bytes(128)
        + bytes(owner)
        + struct.pack("<I", 1)
        + _input_by_index(amount, leaf_index)
        + b"\x00"  # cpi_context: None
        + b"\x01"  # outputs_merkle_tree_index: remaining[1]
    )
    accounts = [
        *_generic_accounts(authority, authority.pubkey()),
        meta(mint),
        meta(trees.tree, writable=True),
        meta(trees.output_queue, writable=True),
    ]
    return Instruction(COMPRESSED_TOKEN_PROGRAM_ID, _anchor_vec("freeze", inputs), accounts)
