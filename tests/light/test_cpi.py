"""Light called through CPI by another program: the shipped compressed-token `mint_to`.

The compressed-token program calls the light system program's ``invoke_cpi`` with its own
``cpi_authority`` PDA, exactly as the inbox program will: Light sits at stack height 2 and
``insert_into_queues`` at 3, and the outputs are program-owned and carry data.
"""

from __future__ import annotations

import pytest
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

from solinbox.light import (
    STATE_TREES_V1,
    STATE_TREES_V2,
    InstructionDataInvokeCpi,
    TreeType,
    flatten_instructions,
    parse_light_invocations,
)
from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    COMPRESSED_TOKEN_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
)

from ._helpers import send
from ._token import create_mint_with_pool, mint_to


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
    mint, pool = create_mint_with_pool(svm, payer)
    recipients = [Pubkey.new_unique(), Pubkey.new_unique()]
    sent = send(svm, [mint_to(payer, mint, pool, output_tree, recipients)], [payer])
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
