"""Program-derived addresses of the inbox program."""

from __future__ import annotations

from solders.pubkey import Pubkey

from solinbox.program.constants import SLOTS_PER_PAGE
from solinbox.program.ids import PROGRAM_ID

__all__ = [
    "ASSOCIATED_TOKEN_PROGRAM_ID",
    "TOKEN_2022_PROGRAM_ID",
    "TOKEN_PROGRAM_ID",
    "associated_token_address",
    "block_marker",
    "cpi_authority",
    "inbox_address",
    "page_of",
    "thread_page",
    "thread_page_for",
    "vault_address",
]

TOKEN_PROGRAM_ID = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM_ID = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ASSOCIATED_TOKEN_PROGRAM_ID = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")


def inbox_address(
    owner: Pubkey, inbox_id: int, program_id: Pubkey = PROGRAM_ID
) -> tuple[Pubkey, int]:
    """``["inbox", owner, u64 id LE]``."""
    return Pubkey.find_program_address(
        [b"inbox", bytes(owner), inbox_id.to_bytes(8, "little")], program_id
    )


def page_of(thread_id: int) -> tuple[int, int]:
    """``(page, slot)`` of a thread id (ids start at 1)."""
    if thread_id < 1:
        raise ValueError("thread ids start at 1")
    return (thread_id - 1) // SLOTS_PER_PAGE, (thread_id - 1) % SLOTS_PER_PAGE


def thread_page(inbox: Pubkey, page: int, program_id: Pubkey = PROGRAM_ID) -> tuple[Pubkey, int]:
    """``["thread_page", inbox, u32 page LE]``."""
    return Pubkey.find_program_address(
        [b"thread_page", bytes(inbox), page.to_bytes(4, "little")], program_id
    )


def thread_page_for(inbox: Pubkey, thread_id: int, program_id: Pubkey = PROGRAM_ID) -> Pubkey:
    """The page account holding ``thread_id``."""
    return thread_page(inbox, page_of(thread_id)[0], program_id)[0]


def block_marker(
    inbox: Pubkey, sender: Pubkey, program_id: Pubkey = PROGRAM_ID
) -> tuple[Pubkey, int]:
    """``["block", inbox, sender]``."""
    return Pubkey.find_program_address([b"block", bytes(inbox), bytes(sender)], program_id)


def cpi_authority(program_id: Pubkey = PROGRAM_ID) -> tuple[Pubkey, int]:
    """``["cpi_authority"]``: signs the program's Light CPIs."""
    return Pubkey.find_program_address([b"cpi_authority"], program_id)


def associated_token_address(
    owner: Pubkey, mint: Pubkey, token_program: Pubkey = TOKEN_PROGRAM_ID
) -> Pubkey:
    """The associated token account of ``owner`` for ``mint``."""
    return Pubkey.find_program_address(
        [bytes(owner), bytes(token_program), bytes(mint)], ASSOCIATED_TOKEN_PROGRAM_ID
    )[0]


def vault_address(inbox: Pubkey, mint: Pubkey, token_program: Pubkey = TOKEN_PROGRAM_ID) -> Pubkey:
    """The token vault that holds an inbox's token escrows: the inbox PDA's associated account."""
    return associated_token_address(inbox, mint, token_program)
