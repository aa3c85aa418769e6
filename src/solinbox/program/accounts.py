"""Decoders for the program's regular accounts (layouts in ``docs/protocol.md``).

Each class has a pure ``decode(data)`` that checks the 8-byte discriminator and the length and
raises :class:`AccountDecodeError` otherwise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar, Self

from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError
from solinbox.program.constants import (
    SLOTS_PER_PAGE,
    EscrowState,
    InboxKind,
    Side,
    TokenProgramKind,
)
from solinbox.program.discriminators import account_discriminator

__all__ = [
    "AccountDecodeError",
    "BlockMarker",
    "Inbox",
    "PaymentRule",
    "ThreadPage",
    "ThreadSlot",
]

NATIVE_MINT_PLACEHOLDER = Pubkey.default()


class AccountDecodeError(SolinboxError, ValueError):
    """Account data is not the expected account type."""


def _check(data: bytes, disc: bytes, size: int, name: str) -> None:
    if len(data) < size:
        raise AccountDecodeError(f"{name}: {len(data)} bytes, expected at least {size}")
    if data[:8] != disc:
        raise AccountDecodeError(f"{name}: wrong discriminator {data[:8].hex()}")


@dataclass(frozen=True, slots=True)
class PaymentRule:
    """What opening a thread costs. ``mint == Pubkey.default()`` means native SOL."""

    mint: Pubkey
    amount: int
    escrow: bool
    token_program: TokenProgramKind
    decimals: int
    refund_after_secs: int

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<32sQBBBxQ")

    @property
    def is_sol(self) -> bool:
        """True for a rule in native SOL."""
        return self.mint == NATIVE_MINT_PLACEHOLDER

    @classmethod
    def unpack(cls, raw: bytes) -> Self:
        """Decode the 52-byte rule block."""
        mint, amount, escrow, tp, decimals, refund = cls.LAYOUT.unpack(raw)
        return cls(Pubkey(mint), amount, bool(escrow), TokenProgramKind(tp), decimals, refund)


@dataclass(frozen=True, slots=True)
class Inbox:
    """An inbox: PDA ``["inbox", owner, u64 id]``."""

    kind: InboxKind
    bump: int
    owner: Pubkey
    id: int
    thread_count: int
    created_at: int
    expires_at: int
    open_escrows: int
    payment_rule: PaymentRule | None
    name: str | None
    uri: str | None
    version: int = 1

    DISCRIMINATOR: ClassVar[bytes] = account_discriminator("Inbox")
    EPHEMERAL_LEN: ClassVar[int] = 132
    STANDARD_LEN: ClassVar[int] = 366
    #: Offset of ``owner`` in the account data (for getProgramAccounts memcmp filters).
    OWNER_OFFSET: ClassVar[int] = 12
    _HEAD: ClassVar[struct.Struct] = struct.Struct("<8sBBBB32sQQQQI")

    @property
    def next_thread_id(self) -> int:
        """The id the next ``create_thread`` will get."""
        return self.thread_count + 1

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode account data."""
        _check(data, cls.DISCRIMINATOR, cls.EPHEMERAL_LEN, "Inbox")
        (_, version, kind, bump, flags, owner, ident, count, created, expires, open_escrows) = (
            cls._HEAD.unpack_from(data)
        )
        rule = PaymentRule.unpack(data[80:132]) if flags & 1 else None
        name = uri = None
        if kind == InboxKind.STANDARD:
            if len(data) < cls.STANDARD_LEN:
                raise AccountDecodeError("Inbox: Standard inbox without its metadata block")
            name = data[133 : 133 + data[132]].decode("utf-8", "replace")
            uri = data[166 : 166 + data[165]].decode("utf-8", "replace")
        return cls(InboxKind(kind), bump, Pubkey(owner), ident, count, created, expires,
                   open_escrows, rule, name, uri, version)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ThreadSlot:
    """One thread's mutable state in its page."""

    thread_id: int
    sender: Pubkey
    created_at: int
    updated_at: int
    message_count: int
    read_by_sender: int
    read_by_owner: int
    archived_by_sender: bool
    archived_by_owner: bool
    owner_replied: bool
    escrow_state: EscrowState
    escrow_token_program: TokenProgramKind
    escrow_decimals: int
    escrow_amount: int
    refund_at: int
    escrow_mint: Pubkey

    SIZE: ClassVar[int] = 112
    _LAYOUT: ClassVar[struct.Struct] = struct.Struct("<32sQQIIIBBBBQQ32s")

    def unread(self, side: Side) -> int:
        """Messages the given side has not read."""
        read = self.read_by_sender if side == Side.SENDER else self.read_by_owner
        return max(0, self.message_count - read)

    @classmethod
    def unpack(cls, thread_id: int, raw: bytes) -> Self:
        """Decode one 112-byte slot."""
        (frm, created, updated, count, rf, rt, flags, state, tp, dec, amount, refund_at, mint) = (
            cls._LAYOUT.unpack(raw)
        )
        return cls(thread_id, Pubkey(frm), created, updated, count, rf, rt, bool(flags & 2),
                   bool(flags & 4), bool(flags & 8), EscrowState(state), TokenProgramKind(tp), dec,
                   amount, refund_at, Pubkey(mint))  # fmt: skip


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """A page of the thread directory: PDA ``["thread_page", inbox, u32 page]``."""

    bump: int
    inbox: Pubkey
    page: int
    used: int
    payer: Pubkey
    slots: tuple[ThreadSlot | None, ...]
    version: int = 1

    DISCRIMINATOR: ClassVar[bytes] = account_discriminator("ThreadPage")
    LEN: ClassVar[int] = 84 + SLOTS_PER_PAGE * 112
    _HEAD: ClassVar[struct.Struct] = struct.Struct("<8sBB2x32sII32s")

    def thread(self, thread_id: int) -> ThreadSlot | None:
        """The slot of ``thread_id`` if it is on this page and exists."""
        index = thread_id - 1 - self.page * SLOTS_PER_PAGE
        if not 0 <= index < SLOTS_PER_PAGE:
            return None
        return self.slots[index]

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode account data; unused slots are None."""
        _check(data, cls.DISCRIMINATOR, cls.LEN, "ThreadPage")
        _, version, bump, inbox, page, used, payer = cls._HEAD.unpack_from(data)
        slots: list[ThreadSlot | None] = []
        for i in range(SLOTS_PER_PAGE):
            raw = data[84 + i * 112 : 84 + (i + 1) * 112]
            used_flag = raw[60] & 1
            slots.append(
                ThreadSlot.unpack(page * SLOTS_PER_PAGE + i + 1, raw) if used_flag else None
            )
        return cls(bump, Pubkey(inbox), page, used, Pubkey(payer), tuple(slots), version)


@dataclass(frozen=True, slots=True)
class BlockMarker:
    """``["block", inbox, sender]``: ``sender`` may not open threads in ``inbox``."""

    bump: int
    inbox: Pubkey
    sender: Pubkey

    DISCRIMINATOR: ClassVar[bytes] = account_discriminator("BlockMarker")
    LEN: ClassVar[int] = 73

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode account data."""
        _check(data, cls.DISCRIMINATOR, cls.LEN, "BlockMarker")
        return cls(data[8], Pubkey(data[9:41]), Pubkey(data[41:73]))
