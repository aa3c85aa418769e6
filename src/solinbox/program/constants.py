"""Enumerations and limits of the inbox protocol (mirrors ``programs/inbox/src/state``)."""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "MAX_CONTENT_LEN",
    "MAX_EPHEMERAL_THREADS",
    "MAX_NAME_LEN",
    "MAX_URI_LEN",
    "REACTIONS",
    "SLOTS_PER_PAGE",
    "EscrowState",
    "InboxKind",
    "MessageType",
    "PaymentMode",
    "RecordKind",
    "Side",
    "TokenProgramKind",
]

#: Threads per ThreadPage.
SLOTS_PER_PAGE = 32
MAX_NAME_LEN = 32
MAX_URI_LEN = 200
#: An Ephemeral inbox holds at most this many threads (8 pages).
MAX_EPHEMERAL_THREADS = 256
#: The program's limit on message content; the transaction size is the tighter one.
MAX_CONTENT_LEN = 1024
#: The curated reaction set; a reaction is stored as its index.
REACTIONS = ("👍", "👎", "❤️", "😂", "😮", "😢", "🙏", "🔥", "🎉", "👀")


class InboxKind(IntEnum):
    """Standard (permanent, metadata) or Ephemeral (lightweight, expiring, closable)."""

    STANDARD = 0
    EPHEMERAL = 1


class MessageType(IntEnum):
    """What a message's content is."""

    TEXT = 0
    URL = 1
    IRYS = 2
    IPFS = 3
    ARWEAVE = 4
    OTHER = 5


class EscrowState(IntEnum):
    """Escrow state of a thread."""

    NONE = 0
    HELD = 1
    RELEASED = 2
    CLAIMED = 3
    REFUNDED = 4


class PaymentMode(IntEnum):
    """How a payment was made (ThreadHeader: none/direct/escrow; Message: none/paid)."""

    NONE = 0
    DIRECT = 1
    ESCROW = 2


class TokenProgramKind(IntEnum):
    """Which asset a payment is in."""

    SOL = 0
    SPL_TOKEN = 1
    TOKEN_2022 = 2


class Side(IntEnum):
    """A thread's two participants."""

    SENDER = 0  # the thread's ``from``
    OWNER = 1  # the inbox owner, the thread's ``to``


class RecordKind(IntEnum):
    """The first byte of every compressed record."""

    THREAD_HEADER = 1
    MESSAGE = 2
    REACTION = 3
