"""``jsonParsed`` transactions read back with solana-py (solders parses every instruction)."""

from __future__ import annotations

from solana.rpc.async_api import AsyncClient
from solders.compute_budget import set_compute_unit_price
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction_status import ParsedInstruction, UiPartiallyDecodedInstruction
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import (
    create_idempotent_associated_token_account,
    get_associated_token_address,
    initialize_mint,
    mint_to_checked,
)
from spl.token.models import InitializeMintParams, MintToCheckedParams

from solinbox.localnet.server import Localnet
from solinbox.lookup_table import create_lookup_table

from ._helpers import pay, signed

MEMO = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")


async def test_instructions_are_parsed_like_a_validator(manual: Localnet) -> None:
    bank = manual.bank
    payer, mint, dest = Keypair(), Keypair(), Keypair()
    bank.airdrop(payer.pubkey(), 10**10)
    manual.produce_block()
    ata = get_associated_token_address(payer.pubkey(), mint.pubkey())
    table_ix, table = create_lookup_table(payer.pubkey(), payer.pubkey(), bank.confirmed_slot)
    ixs = [
        set_compute_unit_price(5),  # a validator does not parse compute budget: partially decoded
        pay(payer, dest.pubkey(), 1_000_000),
        Instruction(MEMO, b"hello, memo", [AccountMeta(payer.pubkey(), True, False)]),
        create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=mint.pubkey(),
                                           lamports=bank.minimum_balance_for_rent_exemption(82),
                                           space=82, owner=TOKEN_PROGRAM_ID)),
        initialize_mint(InitializeMintParams(decimals=2, program_id=TOKEN_PROGRAM_ID, mint=mint.pubkey(),
                                             mint_authority=payer.pubkey(), freeze_authority=None)),
        create_idempotent_associated_token_account(payer.pubkey(), payer.pubkey(), mint.pubkey()),
        mint_to_checked(MintToCheckedParams(program_id=TOKEN_PROGRAM_ID, mint=mint.pubkey(), dest=ata,
                                            mint_authority=payer.pubkey(), amount=1050, decimals=2)),
        table_ix,
    ]  # fmt: skip
    tx = signed(bank, payer, ixs, mint)
    record = bank.process(tx)
    assert getattr(record, "err", "rejected") is None, record
    manual.produce_block()
    async with AsyncClient(manual.rpc_url) as rpc:
        got = await rpc.get_transaction(tx.signatures[0], encoding="jsonParsed", commitment="confirmed",
                                        max_supported_transaction_version=0)  # fmt: skip
    assert got.value is not None
    message = got.value.transaction.transaction.message
    keys = message.account_keys
    assert keys[0].pubkey == payer.pubkey() and keys[0].signer and keys[0].writable
    assert keys[1].signer and keys[1].pubkey == mint.pubkey()
    program_key = next(k for k in keys if k.pubkey == TOKEN_PROGRAM_ID)
    assert not program_key.writable and not program_key.signer
    budget, transfer, memo, create, init, ata_ix, mint_ix, alt = message.instructions
    assert isinstance(budget, UiPartiallyDecodedInstruction)
    assert isinstance(transfer, ParsedInstruction) and transfer.program == "system"
    assert transfer.parsed == {"info": {"destination": str(dest.pubkey()), "lamports": 1_000_000,
                                        "source": str(payer.pubkey())}, "type": "transfer"}  # fmt: skip
    assert isinstance(memo, ParsedInstruction) and memo.parsed == "hello, memo"
    assert memo.program == "spl-memo"
    assert isinstance(create, ParsedInstruction) and create.parsed["type"] == "createAccount"
    assert (
        create.parsed["info"]["owner"] == str(TOKEN_PROGRAM_ID)
        and create.parsed["info"]["space"] == 82
    )
    assert isinstance(init, ParsedInstruction) and init.program == "spl-token"
    assert init.parsed == {"info": {"decimals": 2, "mint": str(mint.pubkey()), "mintAuthority": str(payer.pubkey()),
                                    "rentSysvar": "SysvarRent111111111111111111111111111111111"},
                           "type": "initializeMint"}  # fmt: skip
    assert isinstance(ata_ix, ParsedInstruction) and ata_ix.parsed["type"] == "createIdempotent"
    assert (
        ata_ix.parsed["info"]["account"] == str(ata)
        and ata_ix.program == "spl-associated-token-account"
    )
    assert isinstance(mint_ix, ParsedInstruction) and mint_ix.parsed["type"] == "mintToChecked"
    assert mint_ix.parsed["info"]["tokenAmount"]["uiAmountString"] == "10.5"
    assert isinstance(alt, ParsedInstruction) and alt.program == "address-lookup-table"
    assert alt.parsed["info"]["lookupTableAccount"] == str(table)
    # the ATA program's CPIs, parsed too, with their stack height
    inner = [
        i for group in got.value.transaction.meta.inner_instructions for i in group.instructions
    ]
    assert inner and all(i.stack_height == 2 for i in inner)
    assert any(
        isinstance(i, ParsedInstruction) and i.parsed["type"] == "initializeAccount3" for i in inner
    )
