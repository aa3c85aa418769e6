"""Light called through CPI by another program: the shipped compressed-token `mint_to`.

The compressed-token program calls the light system program's ``invoke_cpi`` with its own
``cpi_authority`` PDA, exactly as the inbox program will: Light sits at stack height 2 and
``insert_into_queues`` at 3, and the outputs are program-owned and carry data.
"""

from __future__ import annotations

import hashlib

import pytest
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account

from solinbox.light import (
    STATE_TREES_V1,
    STATE_TREES_V2,
    InstructionDataInvokeCpi,
    TreeType,
    cpi_authority_pda,
    flatten_instructions,
    parse_light_invocations,
)
from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_AUTHORITY,
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    COMPRESSED_TOKEN_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
    NOOP_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    SYSTEM_PROGRAM_ID,
)

from ._helpers import send

TOKEN_PROGRAM_ID = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
MINT_SIZE = 82


def _anchor(name: str) -> bytes:
    return hashlib.sha256(f"global:{name}".encode()).digest()[:8]


def _meta(key: Pubkey, *, signer: bool = False, writable: bool = False) -> AccountMeta:
    return AccountMeta(key, is_signer=signer, is_writable=writable)


def _create_mint_with_pool(svm: LiteSVM, payer: Keypair) -> tuple[Pubkey, Pubkey]:
    mint = Keypair()
    init_mint2 = Instruction(
        TOKEN_PROGRAM_ID,
        bytes([20, 0]) + bytes(payer.pubkey()) + b"\x00",  # InitializeMint2, 0 decimals
        [_meta(mint.pubkey(), writable=True)],
    )
    create = create_account(
        CreateAccountParams(
            from_pubkey=payer.pubkey(),
            to_pubkey=mint.pubkey(),
            lamports=svm.minimum_balance_for_rent_exemption(MINT_SIZE),
            space=MINT_SIZE,
            owner=TOKEN_PROGRAM_ID,
        )
    )
    assert send(svm, [create, init_mint2], [payer, mint]).meta
    pool, _ = Pubkey.find_program_address(
        [b"pool", bytes(mint.pubkey())], COMPRESSED_TOKEN_PROGRAM_ID
    )
    cpi_signer, _ = cpi_authority_pda(COMPRESSED_TOKEN_PROGRAM_ID)
    create_pool = Instruction(
        COMPRESSED_TOKEN_PROGRAM_ID,
        _anchor("create_token_pool"),
        [
            _meta(payer.pubkey(), signer=True, writable=True),
            _meta(pool, writable=True),
            _meta(SYSTEM_PROGRAM_ID),
            _meta(mint.pubkey()),
            _meta(TOKEN_PROGRAM_ID),
            _meta(cpi_signer),
        ],
    )
    assert send(svm, [create_pool], [payer]).meta
    return mint.pubkey(), pool


def _mint_to(
    payer: Keypair, mint: Pubkey, pool: Pubkey, tree: Pubkey, recipients: list[Pubkey]
) -> Instruction:
    data = (
        _anchor("mint_to")
        + len(recipients).to_bytes(4, "little")
        + b"".join(bytes(key) for key in recipients)
        + len(recipients).to_bytes(4, "little")
        + b"".join((100 + i).to_bytes(8, "little") for i in range(len(recipients)))
        + b"\x00"  # lamports: None
    )
    cpi_signer, _ = cpi_authority_pda(COMPRESSED_TOKEN_PROGRAM_ID)
    accounts = [
        _meta(payer.pubkey(), signer=True, writable=True),  # fee payer
        _meta(payer.pubkey(), signer=True),  # mint authority
        _meta(cpi_signer),
        _meta(mint, writable=True),
        _meta(pool, writable=True),
        _meta(TOKEN_PROGRAM_ID),
        _meta(LIGHT_SYSTEM_PROGRAM_ID),
        _meta(REGISTERED_PROGRAM_PDA),
        _meta(NOOP_PROGRAM_ID),
        _meta(ACCOUNT_COMPRESSION_AUTHORITY),
        _meta(ACCOUNT_COMPRESSION_PROGRAM_ID),
        _meta(tree, writable=True),
        _meta(COMPRESSED_TOKEN_PROGRAM_ID),  # self program
        _meta(SYSTEM_PROGRAM_ID),
        _meta(COMPRESSED_TOKEN_PROGRAM_ID),  # sol pool: None (Anchor optional account)
    ]
    return Instruction(COMPRESSED_TOKEN_PROGRAM_ID, data, accounts)


@pytest.mark.parametrize(
    ("output_tree", "tree", "tree_type"),
    [
        (STATE_TREES_V1[0].tree, STATE_TREES_V1[0].tree, TreeType.STATE_V1),
        (STATE_TREES_V2[0].output_queue, STATE_TREES_V2[0].tree, TreeType.STATE_V2),
    ],
    ids=["v1-smt1", "v2-oq1"],
)
def test_outputs_created_through_cpi(
    svm: LiteSVM, payer: Keypair, output_tree: Pubkey, tree: Pubkey, tree_type: TreeType
) -> None:
    mint, pool = _create_mint_with_pool(svm, payer)
    recipients = [Pubkey.new_unique(), Pubkey.new_unique()]
    sent = send(svm, [_mint_to(payer, mint, pool, output_tree, recipients)], [payer])
    meta = sent.meta

    flat = flatten_instructions(
        sent.tx.message.account_keys, sent.tx.message.instructions, meta.inner_instructions()
    )
    heights = [(ix.program_id, ix.stack_height) for ix in flat]
    assert (LIGHT_SYSTEM_PROGRAM_ID, 2) in heights
    assert (ACCOUNT_COMPRESSION_PROGRAM_ID, 3) in heights

    (invocation,) = parse_light_invocations(flat, verify_hashes=True)
    assert isinstance(invocation.instruction, InstructionDataInvokeCpi)
    outputs = invocation.outputs
    assert [o.leaf_index for o in outputs] == [0, 1]
    for output, recipient, amount in zip(outputs, recipients, (100, 101), strict=True):
        assert output.owner == COMPRESSED_TOKEN_PROGRAM_ID
        assert (output.tree, output.queue, output.tree_type) == (tree, output_tree, tree_type)
        assert output.data is not None and output.data_hash is not None
        # Token data: mint, owner, amount, ...
        assert output.data[:32] == bytes(mint)
        assert output.data[32:64] == bytes(recipient)
        assert int.from_bytes(output.data[64:72], "little") == amount
        assert output.compute_hash() == output.hash
