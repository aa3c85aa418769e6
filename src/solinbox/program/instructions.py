"""Pure instruction builders for every instruction of the inbox program (no IO).

Each builder returns a :class:`solders.instruction.Instruction` whose data is the 8-byte Anchor
discriminator followed by the Borsh-encoded arguments the IDL declares, and whose accounts are
in the order the program reads them (each processor's doc comment in
``programs/inbox/src/instructions/`` lists them). Optional accounts are passed as the program
id, Anchor's convention for ``None``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_AUTHORITY,
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    LIGHT_SYSTEM_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    STATE_TREES_V1,
    SYSTEM_PROGRAM_ID,
)
from solinbox.program.constants import MAX_CONTENT_LEN, InboxKind, MessageType
from solinbox.program.discriminators import instruction_discriminator
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import block_marker, cpi_authority, inbox_address, thread_page_for

__all__ = [
    "DEFAULT_OUTPUT_TREE",
    "MessageInput",
    "PaymentRuleInput",
    "TokenAccounts",
    "approve_escrow",
    "block_sender",
    "claim_escrow",
    "close_inbox",
    "create_inbox",
    "create_thread",
    "light_accounts",
    "mark_read",
    "react",
    "refund_escrow",
    "send_message",
    "set_archived",
    "set_inbox_metadata",
    "set_payment_rule",
    "unblock_sender",
]

#: Where records go unless told otherwise: the V1 state tree (no forester needed).
DEFAULT_OUTPUT_TREE = STATE_TREES_V1[0].tree


@dataclass(frozen=True, slots=True)
class PaymentRuleInput:
    """A payment rule as ``create_inbox`` / ``set_payment_rule`` take it.

    ``mint = None`` means native SOL. Escrow rules need ``refund_after_secs > 0``; direct rules
    must leave it 0.
    """

    amount: int
    mint: Pubkey | None = None
    escrow: bool = False
    refund_after_secs: int = 0

    def encode(self) -> bytes:
        """Borsh ``PaymentRuleArgs``."""
        mint = self.mint or Pubkey.default()
        return bytes(mint) + struct.pack("<Q?Q", self.amount, self.escrow, self.refund_after_secs)


@dataclass(frozen=True, slots=True)
class MessageInput:
    """A message body as ``create_thread`` / ``send_message`` take it."""

    content: bytes
    message_type: MessageType = MessageType.TEXT
    other_type: int = 0
    encrypted: bool = False

    def encode(self) -> bytes:
        """Borsh ``message_type u8, other_type u16, flags u8, content Vec<u8>``."""
        if len(self.content) > MAX_CONTENT_LEN:
            raise ValueError(
                f"content is {len(self.content)} bytes; the program takes at most {MAX_CONTENT_LEN}"
            )
        return (
            struct.pack(
                "<BHBI", self.message_type, self.other_type, int(self.encrypted), len(self.content)
            )
            + self.content
        )


@dataclass(frozen=True, slots=True)
class TokenAccounts:
    """The accounts of a token payment: the mint, the paying and receiving token accounts."""

    mint: Pubkey
    source: Pubkey
    destination: Pubkey
    token_program: Pubkey


def _w(key: Pubkey) -> AccountMeta:
    return AccountMeta(key, is_signer=False, is_writable=True)


def _r(key: Pubkey) -> AccountMeta:
    return AccountMeta(key, is_signer=False, is_writable=False)


def _sw(key: Pubkey) -> AccountMeta:
    return AccountMeta(key, is_signer=True, is_writable=True)


def _s(key: Pubkey) -> AccountMeta:
    return AccountMeta(key, is_signer=True, is_writable=False)


def _ix(name: str, args: bytes, metas: Sequence[AccountMeta], program_id: Pubkey) -> Instruction:
    return Instruction(program_id, instruction_discriminator(name) + args, list(metas))


def _bytes(value: bytes) -> bytes:
    return struct.pack("<I", len(value)) + value


def _absent(program_id: Pubkey) -> AccountMeta:
    return _r(program_id)


def light_accounts(
    output_tree: Pubkey = DEFAULT_OUTPUT_TREE, program_id: Pubkey = PROGRAM_ID
) -> list[AccountMeta]:
    """The six Light accounts that follow an instruction's own (the system program is shared)."""
    return [
        _r(LIGHT_SYSTEM_PROGRAM_ID),
        _r(cpi_authority(program_id)[0]),
        _r(REGISTERED_PROGRAM_PDA),
        _r(ACCOUNT_COMPRESSION_AUTHORITY),
        _r(ACCOUNT_COMPRESSION_PROGRAM_ID),
        _w(output_tree),
    ]


def _token_metas(token: TokenAccounts | None, program_id: Pubkey) -> list[AccountMeta]:
    if token is None:
        return [_absent(program_id)] * 4
    return [_r(token.mint), _w(token.source), _w(token.destination), _r(token.token_program)]


def create_inbox(
    owner: Pubkey,
    inbox_id: int,
    *,
    kind: InboxKind = InboxKind.STANDARD,
    expires_at: int = 0,
    payment_rule: PaymentRuleInput | None = None,
    name: str = "",
    uri: str = "",
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Create inbox ``inbox_id`` of ``owner`` (the owner pays the rent)."""
    args = struct.pack("<QBQ", inbox_id, kind, expires_at)
    args += b"\x01" + payment_rule.encode() if payment_rule else b"\x00"
    args += _bytes(name.encode()) + _bytes(uri.encode())
    mint = payment_rule.mint if payment_rule and payment_rule.mint else None
    return _ix(
        "create_inbox",
        args,
        [
            _sw(owner),
            _w(inbox_address(owner, inbox_id, program_id)[0]),
            _r(SYSTEM_PROGRAM_ID),
            _r(mint) if mint else _absent(program_id),
        ],
        program_id,
    )


def set_inbox_metadata(
    owner: Pubkey, inbox: Pubkey, name: str, uri: str, *, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """Replace a Standard inbox's name and uri."""
    return _ix(
        "set_inbox_metadata",
        _bytes(name.encode()) + _bytes(uri.encode()),
        [_s(owner), _w(inbox)],
        program_id,
    )


def set_payment_rule(
    owner: Pubkey, inbox: Pubkey, rule: PaymentRuleInput | None, *, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """Set (or remove, with None) the inbox's payment rule for threads opened afterwards."""
    args = b"\x01" + rule.encode() if rule else b"\x00"
    mint = rule.mint if rule and rule.mint else None
    return _ix(
        "set_payment_rule",
        args,
        [_s(owner), _w(inbox), _r(mint) if mint else _absent(program_id)],
        program_id,
    )


def close_inbox(
    owner: Pubkey,
    inbox: Pubkey,
    pages: Sequence[tuple[Pubkey, Pubkey]],
    *,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Close an Ephemeral inbox; ``pages`` = every ``(page, payer)`` in page order."""
    metas = [_sw(owner), _w(inbox)]
    for page, payer in pages:
        metas += [_w(page), _w(payer)]
    return _ix("close_inbox", b"", metas, program_id)


def create_thread(
    sender: Pubkey,
    inbox: Pubkey,
    inbox_owner: Pubkey,
    thread_id: int,
    message: MessageInput,
    *,
    payment_amount: int = 0,
    token: TokenAccounts | None = None,
    expected_thread_id: int | None = None,
    output_tree: Pubkey = DEFAULT_OUTPUT_TREE,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Open thread ``thread_id`` (= the inbox's ``thread_count + 1``) with its first message.

    ``payment_amount`` must cover the inbox's rule; the program refuses the call if another
    thread took the id first (``expected_thread_id`` defaults to ``thread_id``; pass 0 to accept
    any id — the page account must still match the id the program assigns).
    """
    expected = thread_id if expected_thread_id is None else expected_thread_id
    args = struct.pack("<QQ", expected, payment_amount) + message.encode()
    metas = [
        _sw(sender),
        _w(inbox),
        _w(thread_page_for(inbox, thread_id, program_id)),
        _r(block_marker(inbox, sender, program_id)[0]),
        _r(SYSTEM_PROGRAM_ID),
        _w(inbox_owner),
        *_token_metas(token, program_id),
        *light_accounts(output_tree, program_id),
    ]
    return _ix("create_thread", args, metas, program_id)


def send_message(
    poster: Pubkey,
    inbox: Pubkey,
    thread_id: int,
    message: MessageInput,
    *,
    reply_to: int = 0,
    payment_amount: int = 0,
    recipient: Pubkey | None = None,
    token: TokenAccounts | None = None,
    output_tree: Pubkey = DEFAULT_OUTPUT_TREE,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Post the next message of a thread (the sender or the inbox owner).

    A SOL payment needs ``recipient`` (the other participant's wallet); a token payment
    ``token`` with the other participant's token account as destination.
    """
    args = struct.pack("<QIQ", thread_id, reply_to, payment_amount) + message.encode()
    metas = [
        _sw(poster),
        _r(inbox),
        _w(thread_page_for(inbox, thread_id, program_id)),
        _r(SYSTEM_PROGRAM_ID),
        _w(recipient) if recipient else _absent(program_id),
        *_token_metas(token, program_id),
        *light_accounts(output_tree, program_id),
    ]
    return _ix("send_message", args, metas, program_id)


def mark_read(
    reader: Pubkey, inbox: Pubkey, thread_id: int, seq: int, *, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """Move the reader's read mark to ``seq`` (never backwards)."""
    page = thread_page_for(inbox, thread_id, program_id)
    return _ix(
        "mark_read",
        struct.pack("<QI", thread_id, seq),
        [_s(reader), _r(inbox), _w(page)],
        program_id,
    )


def set_archived(
    member: Pubkey,
    inbox: Pubkey,
    thread_id: int,
    archived: bool,
    *,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Archive or unarchive a thread for the signer's side."""
    page = thread_page_for(inbox, thread_id, program_id)
    return _ix(
        "set_archived",
        struct.pack("<Q?", thread_id, archived),
        [_s(member), _r(inbox), _w(page)],
        program_id,
    )


def block_sender(
    owner: Pubkey, inbox: Pubkey, sender: Pubkey, *, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """Stop ``sender`` from opening threads in ``inbox``."""
    marker = block_marker(inbox, sender, program_id)[0]
    return _ix(
        "block_sender",
        bytes(sender),
        [_sw(owner), _r(inbox), _w(marker), _r(SYSTEM_PROGRAM_ID)],
        program_id,
    )


def unblock_sender(
    owner: Pubkey, inbox: Pubkey, sender: Pubkey, *, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """Lift a block; the marker's rent returns to the owner."""
    marker = block_marker(inbox, sender, program_id)[0]
    return _ix("unblock_sender", bytes(sender), [_sw(owner), _r(inbox), _w(marker)], program_id)


def approve_escrow(
    sender: Pubkey, inbox: Pubkey, thread_id: int, *, program_id: Pubkey = PROGRAM_ID
) -> Instruction:
    """The thread's sender releases its escrow to the owner."""
    page = thread_page_for(inbox, thread_id, program_id)
    return _ix(
        "approve_escrow",
        struct.pack("<Q", thread_id),
        [_s(sender), _r(inbox), _w(page)],
        program_id,
    )


def _escrow_ix(
    name: str,
    signer: Pubkey,
    inbox: Pubkey,
    thread_id: int,
    token: TokenAccounts | None,
    program_id: Pubkey,
) -> Instruction:
    page = thread_page_for(inbox, thread_id, program_id)
    metas = [_sw(signer), _w(inbox), _w(page), *_token_metas(token, program_id)]
    return _ix(name, struct.pack("<Q", thread_id), metas, program_id)


def claim_escrow(
    owner: Pubkey,
    inbox: Pubkey,
    thread_id: int,
    *,
    token: TokenAccounts | None = None,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """The owner takes a released (or answered) escrow. Tokens: source = the inbox vault."""
    return _escrow_ix("claim_escrow", owner, inbox, thread_id, token, program_id)


def refund_escrow(
    sender: Pubkey,
    inbox: Pubkey,
    thread_id: int,
    *,
    token: TokenAccounts | None = None,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """The sender takes back an unanswered escrow after the deadline. Tokens: source = vault."""
    return _escrow_ix("refund_escrow", sender, inbox, thread_id, token, program_id)


def react(
    member: Pubkey,
    inbox: Pubkey,
    thread_id: int,
    seq: int,
    reaction: int,
    *,
    added: bool = True,
    output_tree: Pubkey = DEFAULT_OUTPUT_TREE,
    program_id: Pubkey = PROGRAM_ID,
) -> Instruction:
    """Add (or remove) reaction ``reaction`` (an index into ``REACTIONS``) to message ``seq``."""
    page = thread_page_for(inbox, thread_id, program_id)
    metas = [
        _sw(member),
        _r(inbox),
        _r(page),
        _r(SYSTEM_PROGRAM_ID),
        *light_accounts(output_tree, program_id),
    ]
    return _ix("react", struct.pack("<QIB?", thread_id, seq, reaction, added), metas, program_id)
