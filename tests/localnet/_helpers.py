from __future__ import annotations

from solana.rpc.async_api import AsyncClient
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction

from solinbox.localnet.bank import Bank


async def funded(client: AsyncClient, lamports: int = 10 * 10**9) -> Keypair:
    kp = Keypair()
    sig = (await client.request_airdrop(kp.pubkey(), lamports)).value
    await client.confirm_transaction(sig, sleep_seconds=0.05)
    return kp


def signed(
    bank_or_hash: Bank | object, payer: Keypair, ixs: list[Instruction], *extra: Keypair
) -> VersionedTransaction:
    blockhash = (
        bank_or_hash.latest_blockhash("processed")[0]
        if isinstance(bank_or_hash, Bank)
        else bank_or_hash
    )
    return VersionedTransaction(
        MessageV0.try_compile(payer.pubkey(), ixs, [], blockhash), [payer, *extra]
    )  # type: ignore[arg-type]


def pay(payer: Keypair, to: Pubkey, lamports: int) -> Instruction:
    return transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=lamports))


async def send_and_confirm(client: AsyncClient, tx: VersionedTransaction) -> Signature:
    sig = (await client.send_transaction(tx)).value
    await client.confirm_transaction(sig, sleep_seconds=0.05)
    return sig
