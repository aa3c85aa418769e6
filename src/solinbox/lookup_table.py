"""Address lookup tables for inbox transactions (pure builders, no IO).

Every thread write names the same eight accounts: the Light system program, our CPI authority,
Light's registered-program PDA, the account-compression authority and program, the system
program, our program and the output tree. In a lookup table each costs 1 byte instead of 32,
which leaves ~220 more bytes of a 1,232-byte transaction for the message body
(``docs/protocol.md`` has the measured limits).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from solders.address_lookup_table_account import (
    AddressLookupTable,
    AddressLookupTableAccount,
    derive_lookup_table_address,
)
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_AUTHORITY,
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    SYSTEM_PROGRAM_ID,
)
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.instructions import DEFAULT_OUTPUT_TREE
from solinbox.program.pda import cpi_authority

__all__ = [
    "create_lookup_table",
    "decode_lookup_table",
    "extend_lookup_table",
    "inbox_lookup_addresses",
]

ADDRESS_LOOKUP_TABLE_ID = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
_CREATE = 0
_EXTEND = 2


def inbox_lookup_addresses(
    output_tree: Pubkey = DEFAULT_OUTPUT_TREE, program_id: Pubkey = PROGRAM_ID
) -> list[Pubkey]:
    """The accounts every record-writing inbox instruction names."""
    return [
        LIGHT_SYSTEM_PROGRAM_ID,
        cpi_authority(program_id)[0],
        REGISTERED_PROGRAM_PDA,
        ACCOUNT_COMPRESSION_AUTHORITY,
        ACCOUNT_COMPRESSION_PROGRAM_ID,
        SYSTEM_PROGRAM_ID,
        program_id,
        output_tree,
    ]


def create_lookup_table(
    authority: Pubkey, payer: Pubkey, recent_slot: int
) -> tuple[Instruction, Pubkey]:
    """``CreateLookupTable`` at the address derived from ``(authority, recent_slot)``."""
    table, bump = derive_lookup_table_address(authority, recent_slot)
    data = struct.pack("<IQB", _CREATE, recent_slot, bump)
    metas = [
        AccountMeta(table, False, True),
        AccountMeta(authority, True, False),
        AccountMeta(payer, True, True),
        AccountMeta(SYSTEM_PROGRAM_ID, False, False),
    ]
    return Instruction(ADDRESS_LOOKUP_TABLE_ID, data, metas), table


def extend_lookup_table(
    table: Pubkey, authority: Pubkey, payer: Pubkey, addresses: Sequence[Pubkey]
) -> Instruction:
    """``ExtendLookupTable`` with ``addresses`` (usable from the next slot on)."""
    data = struct.pack("<IQ", _EXTEND, len(addresses)) + b"".join(bytes(a) for a in addresses)
    metas = [
        AccountMeta(table, False, True),
        AccountMeta(authority, True, False),
        AccountMeta(payer, True, True),
        AccountMeta(SYSTEM_PROGRAM_ID, False, False),
    ]
    return Instruction(ADDRESS_LOOKUP_TABLE_ID, data, metas)


def decode_lookup_table(key: Pubkey, data: bytes) -> AddressLookupTableAccount:
    """The table account's addresses, ready for ``MessageV0.try_compile``."""
    table = AddressLookupTable.deserialize(data)
    return AddressLookupTableAccount(key, list(table.addresses))
