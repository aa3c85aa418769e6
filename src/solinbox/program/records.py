"""The program's compressed records: ThreadHeader, Message, Reaction.

Each record's data (after Light's separate 8-byte discriminator) starts with the same prefix,
``kind u8 | version u8 | inbox [32] | thread_id u64``, so Photon memcmp filters can select them:
:data:`OFFSET_KIND`, :data:`OFFSET_INBOX`, :data:`OFFSET_THREAD_ID`, and per type the offsets
of the participants (:data:`THREAD_FROM_OFFSET`, :data:`THREAD_TO_OFFSET`,
:data:`MESSAGE_SENDER_OFFSET`). ``encode`` produces exactly the bytes the program writes.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import ClassVar, Self

from solders.pubkey import Pubkey

from solinbox.program.accounts import AccountDecodeError
from solinbox.program.constants import (
    MessageType,
    PaymentMode,
    RecordKind,
    Side,
    TokenProgramKind,
)
from solinbox.program.discriminators import account_discriminator

__all__ = [
    "MESSAGE_SENDER_OFFSET",
    "OFFSET_INBOX",
    "OFFSET_KIND",
    "OFFSET_THREAD_ID",
    "THREAD_FROM_OFFSET",
    "THREAD_TO_OFFSET",
    "Message",
    "Payment",
    "Reaction",
    "Record",
    "ThreadHeader",
    "data_hash",
    "decode_record",
]

OFFSET_KIND = 0
OFFSET_INBOX = 2
OFFSET_THREAD_ID = 34
PREFIX = struct.Struct("<BB32sQ")
THREAD_FROM_OFFSET = 42
THREAD_TO_OFFSET = 74
MESSAGE_SENDER_OFFSET = 47
VERSION = 1


def data_hash(data: bytes) -> bytes:
    """The data hash the program gives Light: sha256(data) with the first byte zeroed."""
    digest = bytearray(hashlib.sha256(data).digest())
    digest[0] = 0
    return bytes(digest)


@dataclass(frozen=True, slots=True)
class Payment:
    """Payment terms carried by a record."""

    mode: PaymentMode
    token_program: TokenProgramKind
    mint: Pubkey
    amount: int

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<BB32sQ")

    @classmethod
    def none(cls) -> Self:
        """No payment."""
        return cls(PaymentMode.NONE, TokenProgramKind.SOL, Pubkey.default(), 0)

    def pack(self) -> bytes:
        """Encode the 42-byte block."""
        return self.LAYOUT.pack(self.mode, self.token_program, bytes(self.mint), self.amount)

    @classmethod
    def unpack(cls, raw: bytes) -> Self:
        """Decode the 42-byte block."""
        mode, tp, mint, amount = cls.LAYOUT.unpack(raw)
        return cls(PaymentMode(mode), TokenProgramKind(tp), Pubkey(mint), amount)


@dataclass(frozen=True, slots=True)
class ThreadHeader:
    """Written once by ``create_thread``."""

    inbox: Pubkey
    thread_id: int
    sender: Pubkey
    recipient: Pubkey
    created_at: int
    payment: Payment
    refund_after_secs: int

    DISCRIMINATOR: ClassVar[bytes] = account_discriminator("ThreadHeader")
    LEN: ClassVar[int] = 164

    def encode(self) -> bytes:
        """The record's data."""
        return (
            PREFIX.pack(RecordKind.THREAD_HEADER, VERSION, bytes(self.inbox), self.thread_id)
            + bytes(self.sender)
            + bytes(self.recipient)
            + struct.pack("<Q", self.created_at)
            + self.payment.pack()
            + struct.pack("<Q", self.refund_after_secs)
        )

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode record data."""
        _, _, inbox, tid = _prefix(data, RecordKind.THREAD_HEADER, cls.LEN)
        (created,) = struct.unpack_from("<Q", data, 106)
        (refund,) = struct.unpack_from("<Q", data, 156)
        return cls(
            Pubkey(inbox),
            tid,
            Pubkey(data[42:74]),
            Pubkey(data[74:106]),
            created,
            Payment.unpack(data[114:156]),
            refund,
        )


@dataclass(frozen=True, slots=True)
class Message:
    """A message; ``seq`` starts at 1 in each thread."""

    inbox: Pubkey
    thread_id: int
    seq: int
    sender_side: Side
    sender: Pubkey
    timestamp: int
    message_type: MessageType
    other_type: int
    flags: int
    reply_to: int
    payment: Payment
    content: bytes

    DISCRIMINATOR: ClassVar[bytes] = account_discriminator("Message")
    FIXED_LEN: ClassVar[int] = 139
    FLAG_ENCRYPTED: ClassVar[int] = 1
    _BODY: ClassVar[struct.Struct] = struct.Struct("<IB32sQBHBI")

    @property
    def encrypted(self) -> bool:
        """The body is sealed to the participants (``solinbox.crypto``)."""
        return bool(self.flags & self.FLAG_ENCRYPTED)

    def encode(self) -> bytes:
        """The record's data."""
        return (
            PREFIX.pack(RecordKind.MESSAGE, VERSION, bytes(self.inbox), self.thread_id)
            + self._BODY.pack(
                self.seq,
                self.sender_side,
                bytes(self.sender),
                self.timestamp,
                self.message_type,
                self.other_type,
                self.flags,
                self.reply_to,
            )
            + self.payment.pack()
            + struct.pack("<H", len(self.content))
            + self.content
        )

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode record data."""
        _, _, inbox, tid = _prefix(data, RecordKind.MESSAGE, cls.FIXED_LEN)
        seq, side, sender, ts, mtype, other, flags, reply = cls._BODY.unpack_from(data, 42)
        (n,) = struct.unpack_from("<H", data, 137)
        if len(data) != cls.FIXED_LEN + n:
            raise AccountDecodeError(
                f"Message: content length {n} does not match {len(data)} bytes"
            )
        return cls(
            Pubkey(inbox),
            tid,
            seq,
            Side(side),
            Pubkey(sender),
            ts,
            MessageType(mtype),
            other,
            flags,
            reply,
            Payment.unpack(data[95:137]),
            bytes(data[139:]),
        )


@dataclass(frozen=True, slots=True)
class Reaction:
    """A reaction added to or removed from message ``seq``."""

    inbox: Pubkey
    thread_id: int
    seq: int
    side: Side
    reactor: Pubkey
    timestamp: int
    reaction: int
    added: bool

    DISCRIMINATOR: ClassVar[bytes] = account_discriminator("Reaction")
    LEN: ClassVar[int] = 89
    _BODY: ClassVar[struct.Struct] = struct.Struct("<IB32sQBB")

    def encode(self) -> bytes:
        """The record's data."""
        return PREFIX.pack(RecordKind.REACTION, VERSION, bytes(self.inbox), self.thread_id) + (
            self._BODY.pack(
                self.seq,
                self.side,
                bytes(self.reactor),
                self.timestamp,
                self.reaction,
                int(self.added),
            )
        )

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode record data."""
        _, _, inbox, tid = _prefix(data, RecordKind.REACTION, cls.LEN)
        seq, side, reactor, ts, reaction, added = cls._BODY.unpack_from(data, 42)
        return cls(Pubkey(inbox), tid, seq, Side(side), Pubkey(reactor), ts, reaction, bool(added))


Record = ThreadHeader | Message | Reaction


def _prefix(data: bytes, kind: RecordKind, size: int) -> tuple[int, int, bytes, int]:
    if len(data) < size:
        raise AccountDecodeError(f"{kind.name}: {len(data)} bytes, expected at least {size}")
    fields: tuple[int, int, bytes, int] = PREFIX.unpack_from(data)
    if fields[0] != kind:
        raise AccountDecodeError(f"{kind.name}: record kind byte is {fields[0]}")
    return fields


_BY_DISCRIMINATOR: dict[bytes, type[ThreadHeader] | type[Message] | type[Reaction]] = {
    ThreadHeader.DISCRIMINATOR: ThreadHeader,
    Message.DISCRIMINATOR: Message,
    Reaction.DISCRIMINATOR: Reaction,
}


def decode_record(discriminator: bytes, data: bytes) -> Record:
    """Decode a compressed record by its Light data discriminator."""
    cls = _BY_DISCRIMINATOR.get(bytes(discriminator))
    if cls is None:
        raise AccountDecodeError(f"unknown record discriminator {bytes(discriminator).hex()}")
    return cls.decode(data)
