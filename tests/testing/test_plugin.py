"""The pytest plugin, used the way a wallet test suite would (its fixtures, no conftest)."""

from __future__ import annotations

from collections.abc import Callable

from solders.keypair import Keypair

from solinbox.program import instructions as ix
from solinbox.program.pda import inbox_address
from solinbox.testing import LocalChain


def test_three_line_wallet_test(
    solinbox_chain: LocalChain, funded_wallet: Callable[..., Keypair]
) -> None:
    alice, bob = funded_wallet(), funded_wallet(sol=1)
    solinbox_chain.send(ix.create_inbox(alice.pubkey(), 0), alice)
    inbox = inbox_address(alice.pubkey(), 0)[0]
    sent = solinbox_chain.send(
        ix.create_thread(bob.pubkey(), inbox, alice.pubkey(), 1, ix.MessageInput(b"hi")), bob
    )
    assert [type(r).__name__ for r in sent.records()] == ["ThreadHeader", "Message"]
    assert solinbox_chain.balance(bob.pubkey()) < 10**9


def test_each_test_gets_a_fresh_chain(
    solinbox_chain: LocalChain, funded_wallet: Callable[..., Keypair]
) -> None:
    alice = funded_wallet()
    # inbox 0 of a new wallet never exists at the start of a test
    assert solinbox_chain.data(inbox_address(alice.pubkey(), 0)[0]) is None


async def test_localnet_fixture_serves_the_program(solinbox_localnet: object) -> None:
    from solana.rpc.async_api import AsyncClient

    from solinbox.localnet.server import Localnet
    from solinbox.program.ids import PROGRAM_ID

    assert isinstance(solinbox_localnet, Localnet)
    async with AsyncClient(solinbox_localnet.rpc_url) as rpc:
        account = (await rpc.get_account_info(PROGRAM_ID)).value
    assert account is not None and account.executable


async def test_full_stack_fixtures(solinbox_localnet: object, solinbox_indexer: object) -> None:
    """The client scenario on the plugin's localnet + indexer fixtures."""
    from solana.rpc.async_api import AsyncClient
    from solders.keypair import Keypair as Kp

    from solinbox.client import InboxClient
    from solinbox.indexer import PhotonServer
    from solinbox.localnet.server import Localnet
    from solinbox.photon import PhotonReader

    assert isinstance(solinbox_localnet, Localnet) and isinstance(solinbox_indexer, PhotonServer)
    a, b = Kp(), Kp()
    for kp in (a, b):
        solinbox_localnet.bank.airdrop(kp.pubkey(), 10**9)
    solinbox_localnet.produce_block()
    async with (
        AsyncClient(solinbox_localnet.rpc_url) as rpc,
        PhotonReader(solinbox_indexer.url) as photon,
    ):
        alice, bob = InboxClient(rpc, a, photon=photon), InboxClient(rpc, b, photon=photon)
        await alice.create_inbox(0)
        thread = await bob.create_thread(alice.me, "via fixtures")
        messages = await alice.thread(thread.inbox, thread.id).load_messages()
    assert [m.content for m in messages] == [b"via fixtures"]


async def test_cheats_fixture_moves_the_clock(
    solinbox_localnet: object, solinbox_cheats: object
) -> None:
    from solana.rpc.async_api import AsyncClient

    from solinbox.localnet import Cheats, Localnet

    assert isinstance(solinbox_localnet, Localnet) and isinstance(solinbox_cheats, Cheats)
    before = solinbox_localnet.bank.now()
    await solinbox_cheats.forward(3600)
    async with AsyncClient(solinbox_localnet.rpc_url) as rpc:
        slot = await solinbox_cheats.produce_block()
        block_time = (await rpc.get_block_time(slot)).value
    assert block_time is not None and block_time >= before + 3600
