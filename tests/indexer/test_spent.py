"""Spent inputs: a real Light transfer that nullifies a compressed account (proved by index in a
V2 output queue, so no validity proof is needed) is indexed on the localnet — the account
leaves its owner's lists and balance, keeps its history, and shows up as closed in
``getTransactionWithCompressionInfo`` (V1 and V2 shapes, schema-checked)."""

from __future__ import annotations

from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from solinbox._base58 import b58encode
from solinbox.light import STATE_TREES_V2, invoke_compress_sol
from solinbox.light.hashing import poseidon
from solinbox.light.instructions import (
    CompressedAccount,
    InstructionDataInvoke,
    OutputCompressedAccountWithPackedContext,
    PackedCompressedAccountWithMerkleContext,
    PackedMerkleContext,
    invoke,
)

from .conftest import Stack


async def send(stack: Stack, payer: Keypair, ix: Instruction) -> tuple[Signature, int]:
    blockhash = (await stack.rpc.get_latest_blockhash()).value.blockhash
    tx = VersionedTransaction(MessageV0.try_compile(payer.pubkey(), [ix], [], blockhash), [payer])
    sig = (await stack.rpc.send_transaction(tx)).value
    await stack.rpc.confirm_transaction(sig)
    slot = (await stack.rpc.get_signature_statuses([sig])).value[0]
    assert slot is not None and slot.err is None
    await stack.reader.wait_for_slot(slot.slot)
    return sig, slot.slot


def transfer(owner: Keypair, lamports: int, leaf_index: int, to: Pubkey) -> Instruction:
    """Spend ``owner``'s compressed SOL account at ``leaf_index`` of the first V2 queue."""
    trees = STATE_TREES_V2[0]
    data = InstructionDataInvoke(
        input_compressed_accounts_with_merkle_context=(
            PackedCompressedAccountWithMerkleContext(
                CompressedAccount(owner=owner.pubkey(), lamports=lamports),
                PackedMerkleContext(0, 1, leaf_index, prove_by_index=True),
                root_index=0,
                read_only=False,
            ),
        ),
        output_compressed_accounts=(
            OutputCompressedAccountWithPackedContext(
                CompressedAccount(owner=to, lamports=lamports), merkle_tree_index=1
            ),
        ),
    )
    remaining = [AccountMeta(trees.tree, False, True), AccountMeta(trees.output_queue, False, True)]
    return invoke(data, fee_payer=owner.pubkey(), remaining_accounts=remaining)


async def test_spent_accounts_are_closed(stack: Stack) -> None:
    alice, bob = Keypair(), Keypair().pubkey()
    stack.net.bank.airdrop(alice.pubkey(), 10**9)
    stack.net.produce_block()
    created, _ = await send(stack, alice, invoke_compress_sol(alice.pubkey(), 700_000, STATE_TREES_V2[0].output_queue))  # fmt: skip
    [mine] = [a async for a in stack.reader.accounts_by_owner(alice.pubkey())]
    assert mine.lamports == 700_000 and mine.seq is None  # still in the output queue
    spent, _ = await send(stack, alice, transfer(alice, 700_000, mine.leaf_index, bob))

    # gone from the owner's view, arrived at bob's
    assert [a async for a in stack.reader.accounts_by_owner(alice.pubkey())] == []
    [theirs] = [a async for a in stack.reader.accounts_by_owner(bob)]
    assert theirs.lamports == 700_000
    balance = await stack.reader.call("getCompressedBalanceByOwner", {"owner": str(alice.pubkey())})
    assert balance["value"] == 0
    # the account's history: created, then spent (newest first)
    history = await stack.reader.call(
        "getCompressionSignaturesForAccount", {"hash": b58encode(mine.hash)}
    )
    assert [i["signature"] for i in history["value"]["items"]] == [str(spent), str(created)]
    owner_sigs = await stack.reader.signatures_for_owner(alice.pubkey())
    assert [i["signature"] for i in owner_sigs] == [str(spent), str(created)]

    # closed accounts in both shapes; V2 carries the batched nullifier
    v1 = await stack.reader.call("getTransactionWithCompressionInfo", {"signature": str(spent)})
    [closed] = v1["compressionInfo"]["closedAccounts"]
    assert closed["account"]["hash"] == b58encode(mine.hash)
    assert [o["account"]["owner"] for o in v1["compressionInfo"]["openedAccounts"]] == [str(bob)]
    v2 = await stack.reader.call("getTransactionWithCompressionInfoV2", {"signature": str(spent)})
    [closed2] = v2["compressionInfo"]["closedAccounts"]
    entry = closed2["account"]
    assert entry["account"]["hash"] == b58encode(mine.hash)
    tx_hash = bytes(Pubkey.from_string(entry["txHash"]))
    assert tx_hash != bytes(32)
    expected = poseidon(mine.hash, mine.leaf_index.to_bytes(32, "big"), tx_hash)
    assert entry["nullifier"] == b58encode(expected) != entry["account"]["hash"]

    # replaying the block changes nothing
    before = stack.store.count(), stack.store.balance_by_owner(alice.pubkey())
    for record in list(stack.net.bank._history.values()):
        if record.err is None and record.signature == spent:
            stack.indexer.ingest_litesvm(spent, record.slot, record.transaction, record.meta)
    assert (stack.store.count(), stack.store.balance_by_owner(alice.pubkey())) == before
