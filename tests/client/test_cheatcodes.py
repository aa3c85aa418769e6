"""Cheatcodes over HTTP: an escrow refund test jumps past the refund delay in one call; accounts,
token balances, warps and snapshots, read back with solana-py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solders.account import Account
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.client import InboxClient
from solinbox.jsonrpc import JsonRpcError
from solinbox.localnet import Cheats
from solinbox.localnet.bank import NATIVE_MINT
from solinbox.localnet.server import Localnet
from solinbox.program import errors as program_errors
from solinbox.program.instructions import PaymentRuleInput

MakeClient = Callable[..., Awaitable[InboxClient]]
WEEK = 7 * 86_400


async def test_refund_after_the_delay_by_time_travel(
    net: Localnet, make_client: MakeClient
) -> None:
    alice, bob = await make_client(), await make_client()
    await alice.create_inbox(0, payment_rule=PaymentRuleInput(amount=10_000_000, escrow=True,
                                                              refund_after_secs=WEEK))  # fmt: skip
    thread = await bob.create_thread(alice.me, "pay me back if you never answer")
    mine = bob.thread(thread.inbox, thread.id)
    with pytest.raises(program_errors.RefundTooEarly):
        await mine.refund_escrow()
    async with Cheats(net.rpc_url) as cheats:
        before = await cheats.forward(0)
        after = await cheats.forward(WEEK + 1)
    assert after - before == WEEK + 1
    balance = (await bob.rpc.get_balance(bob.me)).value
    await mine.refund_escrow()
    assert (await bob.rpc.get_balance(bob.me)).value > balance + 9_000_000  # the escrow came back


async def test_accounts_tokens_warp_and_snapshots(net: Localnet) -> None:
    key, wallet = Keypair().pubkey(), Keypair().pubkey()
    async with Cheats(net.rpc_url) as cheats, AsyncClient(net.rpc_url, commitment=Confirmed) as rpc:
        await cheats.set_account(
            key,
            Account(
                5_000_000,
                b"\x01\x02\x03",
                Pubkey.from_string("Vote111111111111111111111111111111111111111"),
            ),
        )
        got = (await rpc.get_account_info(key)).value
        assert got is not None and got.lamports == 5_000_000 and bytes(got.data) == b"\x01\x02\x03"
        await cheats.set_lamports(key, 42)
        assert (await rpc.get_balance(key)).value == 42
        snap = await cheats.snapshot()
        ata = await cheats.set_token_balance(wallet, NATIVE_MINT, 2_500_000_000)
        assert (await rpc.get_token_account_balance(ata)).value.ui_amount_string == "2.5"
        assert (await rpc.get_token_supply(NATIVE_MINT)).value.amount == "2500000000"
        slot = (await rpc.get_slot()).value
        working = await cheats.warp_slot(slot + 1000)
        block = await cheats.produce_block()
        assert working == slot + 1000 and block >= working  # (the localnet's clock runs too)
        assert (await rpc.get_block_height()).value < block  # the warped-over slots are skipped
        produced = await cheats.call("getBlocks", slot + 2, block, {"commitment": "confirmed"})
        assert working in produced and not [b for b in produced if slot + 10 < b < working]
        await cheats.revert(snap)
        assert (await rpc.get_balance(key)).value == 42
        assert (await rpc.get_account_info(ata)).value is None  # after the snapshot: gone
        assert (await rpc.get_slot()).value < block
        with pytest.raises(JsonRpcError, match="unknown snapshot"):
            await cheats.revert(snap)  # used up
        with pytest.raises(JsonRpcError, match="forward"):
            await cheats.set_clock(0)
