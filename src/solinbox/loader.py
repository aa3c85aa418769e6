"""Pure instruction builders for the BPF upgradeable loader (loader v3).

A program is deployed the way the Solana CLI does it: create and initialise a buffer account,
``Write`` the ``.so`` into it in chunks that fit a transaction, then create the program account
and ``DeployWithMaxDataLen`` (or ``Upgrade`` an existing program from a new buffer). These
builders do no IO; :mod:`solinbox.localnet` and the deploy command send them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from solders.account import Account
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.sysvar import CLOCK, RENT

__all__ = [
    "BUFFER_METADATA_SIZE",
    "LOADER_V3",
    "PROGRAMDATA_METADATA_SIZE",
    "PROGRAM_ACCOUNT_SIZE",
    "WRITE_CHUNK",
    "close_buffer",
    "create_buffer",
    "deploy_with_max_data_len",
    "program_data_address",
    "upgrade",
    "upgradeable_program_accounts",
    "write",
    "write_chunks",
]

LOADER_V3 = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")

#: Buffer account header: enum tag u32 + Option<Pubkey> authority.
BUFFER_METADATA_SIZE = 37
#: Program account: enum tag u32 + programdata address.
PROGRAM_ACCOUNT_SIZE = 36
#: ProgramData header: tag u32 + slot u64 + Option<Pubkey> upgrade authority.
PROGRAMDATA_METADATA_SIZE = 45
#: Bytes of program per Write transaction: fits a 1232-byte transaction with two signatures.
WRITE_CHUNK = 950

_INITIALIZE_BUFFER = 0
_WRITE = 1
_DEPLOY_WITH_MAX_DATA_LEN = 2
_UPGRADE = 3
_CLOSE = 5


def program_data_address(program: Pubkey) -> Pubkey:
    """The ProgramData account of ``program`` (PDA of the loader)."""
    return Pubkey.find_program_address([bytes(program)], LOADER_V3)[0]


def upgradeable_program_accounts(
    program: Pubkey, so: bytes, authority: Pubkey | None, rent: Callable[[int], int], slot: int = 0
) -> list[tuple[Pubkey, Account]]:
    """The ProgramData and Program accounts of ``so`` deployed at ``program`` (in that order).

    ``UpgradeableLoaderState::ProgramData {slot, upgrade_authority}`` then the ELF, and
    ``Program {programdata_address}``, rent-exempt, owned by the upgradeable loader; no
    ``authority`` makes the program immutable.
    """
    data_address = program_data_address(program)
    authority_option = b"\x01" + bytes(authority) if authority is not None else b"\x00" + bytes(32)
    program_data = struct.pack("<IQ", 3, slot) + authority_option + so
    program_account = struct.pack("<I", 2) + bytes(data_address)
    return [
        (data_address, Account(rent(len(program_data)), program_data, LOADER_V3, False, 0)),
        (program, Account(rent(len(program_account)), program_account, LOADER_V3, True, 0)),
    ]


def create_buffer(
    payer: Pubkey, buffer: Pubkey, authority: Pubkey, program_len: int, lamports: int
) -> list[Instruction]:
    """Create a buffer account big enough for ``program_len`` bytes and initialise it."""
    space = BUFFER_METADATA_SIZE + program_len
    return [
        create_account(
            CreateAccountParams(
                from_pubkey=payer, to_pubkey=buffer, lamports=lamports, space=space, owner=LOADER_V3
            )
        ),
        Instruction(
            LOADER_V3,
            struct.pack("<I", _INITIALIZE_BUFFER),
            [AccountMeta(buffer, False, True), AccountMeta(authority, False, False)],
        ),
    ]


def write(buffer: Pubkey, authority: Pubkey, offset: int, data: bytes) -> Instruction:
    """Write ``data`` at ``offset`` of the buffer's program area."""
    payload = struct.pack("<IIQ", _WRITE, offset, len(data)) + data
    return Instruction(
        LOADER_V3, payload, [AccountMeta(buffer, False, True), AccountMeta(authority, True, False)]
    )


def write_chunks(so: bytes, chunk: int = WRITE_CHUNK) -> Iterator[tuple[int, bytes]]:
    """Split a program into ``(offset, bytes)`` pieces for :func:`write`."""
    for off in range(0, len(so), chunk):
        yield off, so[off : off + chunk]


def deploy_with_max_data_len(
    payer: Pubkey,
    program: Pubkey,
    buffer: Pubkey,
    authority: Pubkey,
    program_lamports: int,
    max_data_len: int,
) -> list[Instruction]:
    """Create the program account and deploy the buffer into a new ProgramData account."""
    programdata = program_data_address(program)
    return [
        create_account(
            CreateAccountParams(
                from_pubkey=payer,
                to_pubkey=program,
                lamports=program_lamports,
                space=PROGRAM_ACCOUNT_SIZE,
                owner=LOADER_V3,
            )
        ),
        Instruction(
            LOADER_V3,
            struct.pack("<IQ", _DEPLOY_WITH_MAX_DATA_LEN, max_data_len),
            [
                AccountMeta(payer, True, True),
                AccountMeta(programdata, False, True),
                AccountMeta(program, False, True),
                AccountMeta(buffer, False, True),
                AccountMeta(RENT, False, False),
                AccountMeta(CLOCK, False, False),
                AccountMeta(SYSTEM_PROGRAM, False, False),
                AccountMeta(authority, True, False),
            ],
        ),
    ]


def upgrade(program: Pubkey, buffer: Pubkey, authority: Pubkey, spill: Pubkey) -> Instruction:
    """Replace ``program``'s code with the buffer's; the buffer's lamports go to ``spill``."""
    return Instruction(
        LOADER_V3,
        struct.pack("<I", _UPGRADE),
        [
            AccountMeta(program_data_address(program), False, True),
            AccountMeta(program, False, True),
            AccountMeta(buffer, False, True),
            AccountMeta(spill, False, True),
            AccountMeta(RENT, False, False),
            AccountMeta(CLOCK, False, False),
            AccountMeta(authority, True, False),
        ],
    )


def close_buffer(buffer: Pubkey, recipient: Pubkey, authority: Pubkey) -> Instruction:
    """Close a buffer and return its lamports (abandon a half-written deploy)."""
    return Instruction(
        LOADER_V3,
        struct.pack("<I", _CLOSE),
        [
            AccountMeta(buffer, False, True),
            AccountMeta(recipient, False, True),
            AccountMeta(authority, True, False),
        ],
    )
