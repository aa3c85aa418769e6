"""Light `invoke` against the real programs in LiteSVM, and reading the outputs back."""

from __future__ import annotations

import dataclasses

import pytest
from solders.instruction import AccountMeta
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

from solinbox.light import (
    LIGHT_SYSTEM_PROGRAM_ID,
    SOL_POOL_PDA,
    STATE_TREES_V1,
    STATE_TREES_V2,
    CompressedAccount,
    CompressedAccountData,
    InsertIntoQueues,
    InstructionDataInvoke,
    LightPackage,
    OutputCompressedAccountWithPackedContext,
    TreeType,
    data_hash_sha256,
    decode_light_system_instruction,
    flatten_instructions,
    invoke,
    invoke_compress_sol,
    outputs_from_litesvm,
    parse_light_outputs,
)
from solinbox.light.ids import ACCOUNT_COMPRESSION_AUTHORITY, REGISTERED_PROGRAM_PDA
from solinbox.localnet.genesis import build_light_svm

from ._helpers import Sent, send

SOL = 10**9
SMT1 = STATE_TREES_V1[0].tree
OQ1 = STATE_TREES_V2[0].output_queue
BMT1 = STATE_TREES_V2[0].tree


def _balance(svm: LiteSVM, key: Pubkey) -> int:
    return svm.get_balance(key) or 0


def _insert(sent: Sent) -> InsertIntoQueues:
    (group,) = sent.meta.inner_instructions()
    last = group[-1].instruction()
    return InsertIntoQueues.from_instruction_data(bytes(last.data))


@pytest.mark.parametrize(
    ("output_tree", "tree", "tree_type", "tree_fee", "first_seq"),
    [
        (SMT1, SMT1, TreeType.STATE_V1, 300, 1),  # rollover fee only (no V1 network fee)
        (OQ1, BMT1, TreeType.STATE_V2, 5_001, 0),  # network fee 5,000 + rollover fee 1
    ],
    ids=["v1-smt1", "v2-oq1"],
)
def test_compress_sol(
    svm: LiteSVM,
    payer: Keypair,
    output_tree: Pubkey,
    tree: Pubkey,
    tree_type: TreeType,
    tree_fee: int,
    first_seq: int,
) -> None:
    for leaf_index in (0, 1):
        before = {key: _balance(svm, key) for key in (payer.pubkey(), SOL_POOL_PDA, output_tree)}
        sent = send(svm, [invoke_compress_sol(payer.pubkey(), SOL, output_tree)], [payer])
        meta = sent.meta

        # Balances: the pool holds the SOL, the tree / queue got its fees, the payer paid both.
        assert _balance(svm, SOL_POOL_PDA) - before[SOL_POOL_PDA] == SOL
        assert _balance(svm, output_tree) - before[output_tree] == tree_fee
        assert before[payer.pubkey()] - _balance(svm, payer.pubkey()) == (
            SOL + tree_fee + meta.fee()
        )
        assert meta.fee() == 5_000

        # The inner account-compression CPI.
        (group,) = meta.inner_instructions()
        assert [inner.stack_height() for inner in group] == [2, 2, 2]
        insert_ix = group[-1].instruction()
        keys = sent.tx.message.account_keys
        assert [keys[i] for i in bytes(insert_ix.accounts)] == [
            ACCOUNT_COMPRESSION_AUTHORITY,
            REGISTERED_PROGRAM_PDA,
            output_tree,
        ]
        insert = _insert(sent)
        assert insert.output_leaf_indices == (leaf_index,)
        (sequence,) = insert.output_sequence_numbers
        assert (sequence.tree, sequence.queue, sequence.tree_type) == (tree, output_tree, tree_type)
        assert sequence.seq == first_seq + leaf_index
        assert insert.nullifiers == () and insert.addresses == ()

        # Reconstruction, with the leaf hash recomputed in Python.
        (output,) = outputs_from_litesvm(sent.tx, meta)
        assert output.hash == insert.leaves[0].leaf
        assert output.compute_hash() == output.hash
        assert (output.owner, output.lamports, output.address, output.data) == (
            payer.pubkey(),
            SOL,
            None,
            None,
        )
        assert (output.leaf_index, output.tree, output.queue, output.tree_type) == (
            leaf_index,
            tree,
            output_tree,
            tree_type,
        )


def test_several_outputs_across_trees(svm: LiteSVM, payer: Keypair) -> None:
    def outputs(count: int, index: int) -> tuple[OutputCompressedAccountWithPackedContext, ...]:
        account = CompressedAccount(owner=Pubkey.new_unique())  # owner is not checked by invoke
        return (OutputCompressedAccountWithPackedContext(account, index),) * count

    data = InstructionDataInvoke(output_compressed_accounts=outputs(2, 0) + outputs(3, 1))
    trees = [AccountMeta(SMT1, False, True), AccountMeta(OQ1, False, True)]
    first = send(svm, [invoke(data, fee_payer=payer.pubkey(), remaining_accounts=trees)], [payer])
    found = outputs_from_litesvm(first.tx, first.meta, verify_hashes=True)
    assert [(o.queue, o.leaf_index, o.seq, o.output_index) for o in found] == [
        (SMT1, 0, 1, 0),  # V1: seq is the tree's sequence number after this append
        (SMT1, 1, 2, 1),
        (OQ1, 0, 0, 2),  # V2: seq is the leaf (queue) index
        (OQ1, 1, 1, 3),
        (OQ1, 2, 2, 4),
    ]
    second = send(svm, [invoke_compress_sol(payer.pubkey(), 1_000, SMT1)], [payer])
    (next_output,) = outputs_from_litesvm(second.tx, second.meta, verify_hashes=True)
    assert (next_output.leaf_index, next_output.seq) == (2, 3)


def test_parent_found_without_stack_heights(svm: LiteSVM, payer: Keypair) -> None:
    sent = send(svm, [invoke_compress_sol(payer.pubkey(), SOL, OQ1)], [payer])
    flat = flatten_instructions(
        sent.tx.message.account_keys,
        sent.tx.message.instructions,
        sent.meta.inner_instructions(),
    )
    assert [ix.stack_height for ix in flat] == [1, 2, 2, 2]
    no_heights = [dataclasses.replace(ix, stack_height=None) for ix in flat]
    assert parse_light_outputs(no_heights) == parse_light_outputs(flat)
    assert len(parse_light_outputs(flat)) == 1


def test_outer_instruction_decodes(svm: LiteSVM, payer: Keypair) -> None:
    instruction = invoke_compress_sol(payer.pubkey(), 123, SMT1)
    decoded = decode_light_system_instruction(bytes(instruction.data))
    assert isinstance(decoded, InstructionDataInvoke)
    assert decoded.compress_or_decompress_lamports == 123 and decoded.is_compress
    assert instruction.program_id == LIGHT_SYSTEM_PROGRAM_ID
    assert [meta.pubkey for meta in instruction.accounts][6:] == [
        SOL_POOL_PDA,
        LIGHT_SYSTEM_PROGRAM_ID,
        Pubkey.default(),
        SMT1,
    ]


def test_output_with_data_needs_an_invoking_program(svm: LiteSVM, payer: Keypair) -> None:
    data = CompressedAccountData(b"\x01" * 8, b"hello", data_hash_sha256(b"hello"))
    body = InstructionDataInvoke(
        output_compressed_accounts=(
            OutputCompressedAccountWithPackedContext(
                CompressedAccount(owner=payer.pubkey(), data=data), 0
            ),
        )
    )
    ix = invoke(body, fee_payer=payer.pubkey(), remaining_accounts=[AccountMeta(OQ1, False, True)])
    sent = send(svm, [ix], [payer])
    assert sent.custom_error() == 6014  # InvokingProgramNotProvided


def test_eleven_outputs_to_a_v2_queue_fail(svm: LiteSVM, payer: Keypair) -> None:
    def body(count: int) -> InstructionDataInvoke:
        out = OutputCompressedAccountWithPackedContext(CompressedAccount(owner=payer.pubkey()), 0)
        return InstructionDataInvoke(output_compressed_accounts=(out,) * count)

    queue = [AccountMeta(OQ1, False, True)]
    ten = send(svm, [invoke(body(10), fee_payer=payer.pubkey(), remaining_accounts=queue)], [payer])
    assert len(outputs_from_litesvm(ten.tx, ten.meta, verify_hashes=True)) == 10
    eleven = send(
        svm, [invoke(body(11), fee_payer=payer.pubkey(), remaining_accounts=queue)], [payer]
    )
    assert eleven.custom_error() == 6029  # TooManyLeaves


def test_first_compress_without_sol_pool_needs_rent(light_package: LightPackage) -> None:
    svm = build_light_svm(package=light_package, fund_sol_pool=False)
    payer = Keypair()
    svm.airdrop(payer.pubkey(), 10 * SOL)
    small = send(svm, [invoke_compress_sol(payer.pubkey(), 1_000, OQ1)], [payer])
    assert "InsufficientFundsForRent" in small.failure()
    enough = send(svm, [invoke_compress_sol(payer.pubkey(), SOL, OQ1)], [payer])
    assert enough.meta is not None
