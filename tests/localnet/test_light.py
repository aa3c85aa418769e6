"""The Light programs are live behind the RPC: a compression lands, and the hook sees its outputs."""

from __future__ import annotations

from solana.rpc.async_api import AsyncClient

from solinbox.light import STATE_TREES_V1, invoke_compress_sol, outputs_from_litesvm
from solinbox.light.ids import LIGHT_SYSTEM_PROGRAM_ID
from solinbox.localnet.bank import TransactionRecord
from solinbox.localnet.server import Localnet

from ._helpers import funded, send_and_confirm, signed


async def test_compress_sol_over_rpc(net: Localnet, client: AsyncClient) -> None:
    seen: list[TransactionRecord] = []
    net.bank.subscribe_transactions(seen.append)
    payer = await funded(client, 5 * 10**9)
    blockhash = (await client.get_latest_blockhash()).value.blockhash
    ix = invoke_compress_sol(payer.pubkey(), 1_000_000, STATE_TREES_V1[0].tree)
    sig = await send_and_confirm(client, signed(blockhash, payer, [ix]))
    fetched = (await client.get_transaction(sig, max_supported_transaction_version=0)).value
    assert fetched is not None and fetched.transaction.meta is not None
    meta = fetched.transaction.meta
    assert meta.err is None and meta.inner_instructions, "Light CPIs into account compression"
    assert any(str(LIGHT_SYSTEM_PROGRAM_ID) in line for line in meta.log_messages or [])
    record = next(r for r in seen if r.signature == sig)
    (output,) = outputs_from_litesvm(record.transaction, record.meta)
    assert output.lamports == 1_000_000 and output.owner == payer.pubkey()
    assert output.tree == STATE_TREES_V1[0].tree
    by_address = (await client.get_signatures_for_address(STATE_TREES_V1[0].tree)).value
    assert [s.signature for s in by_address] == [sig]
