"""The program's Anchor-format events (``Program data: <base64>`` log lines)."""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from solders.pubkey import Pubkey

from solinbox.program.discriminators import event_discriminator
from solinbox.program.ids import PROGRAM_ID

__all__ = ["EVENT_LAYOUTS", "Event", "decode_event", "events_by_invocation", "parse_events"]

#: Event name -> Borsh field layout (name, struct code; ``32s`` = Pubkey).
EVENT_LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "InboxCreated": (("inbox", "32s"), ("owner", "32s"), ("id", "Q"), ("kind", "B")),
    "InboxUpdated": (("inbox", "32s"), ("field", "B")),
    "InboxClosed": (("inbox", "32s"),),
    "ThreadCreated": (("inbox", "32s"), ("thread_id", "Q"), ("sender", "32s"), ("payment_amount", "Q"), ("escrow", "?")),
    "MessageSent": (("inbox", "32s"), ("thread_id", "Q"), ("seq", "I"), ("sender", "32s")),
    "ReadMarked": (("inbox", "32s"), ("thread_id", "Q"), ("side", "B"), ("seq", "I")),
    "ThreadArchived": (("inbox", "32s"), ("thread_id", "Q"), ("side", "B"), ("archived", "?")),
    "SenderBlocked": (("inbox", "32s"), ("sender", "32s")),
    "SenderUnblocked": (("inbox", "32s"), ("sender", "32s")),
    "EscrowApproved": (("inbox", "32s"), ("thread_id", "Q")),
    "EscrowClaimed": (("inbox", "32s"), ("thread_id", "Q"), ("amount", "Q"), ("mint", "32s")),
    "EscrowRefunded": (("inbox", "32s"), ("thread_id", "Q"), ("amount", "Q"), ("mint", "32s")),
}  # fmt: skip

_BY_DISC = {
    event_discriminator(name): (name, struct.Struct("<" + "".join(c for _, c in fields)), fields)
    for name, fields in EVENT_LAYOUTS.items()
}


@dataclass(frozen=True, slots=True)
class Event:
    """A decoded event: its name and fields (Pubkeys decoded)."""

    name: str
    fields: dict[str, object]

    def __getitem__(self, key: str) -> object:
        return self.fields[key]


def decode_event(raw: bytes) -> Event | None:
    """Decode ``discriminator ‖ body``; None if it is not one of this program's events."""
    entry = _BY_DISC.get(bytes(raw[:8]))
    if entry is None:
        return None
    name, layout, fields = entry
    if len(raw) != 8 + layout.size:
        return None
    values = layout.unpack_from(raw, 8)
    decoded: dict[str, object] = {}
    for (field, code), value in zip(fields, values, strict=True):
        decoded[field] = Pubkey(value) if code == "32s" else value
    return Event(name, decoded)


def parse_events(logs: Iterable[str], program_id: Pubkey = PROGRAM_ID) -> list[Event]:
    """Events this program emitted, from a transaction's log lines (CPI depth tracked)."""
    return [event for group in events_by_invocation(logs, program_id) for event in group]


def events_by_invocation(logs: Iterable[str], program_id: Pubkey = PROGRAM_ID) -> list[list[Event]]:
    """The events of each invocation of the program, in the order the invocations started.

    Entry ``k`` belongs to the program's ``k``-th invocation (top level or by CPI), which is
    also its ``k``-th instruction in the transaction's flattened (execution-order) instruction
    list. An event logged by a program the program called is not its own and is not counted.
    """
    groups: list[list[Event]] = []
    stack: list[int | None] = []  # per open invocation: its group index if it is the program
    me = str(program_id)
    for line in logs:
        if line.startswith("Program ") and " invoke [" in line:
            if line.split()[1] == me:
                groups.append([])
                stack.append(len(groups) - 1)
            else:
                stack.append(None)
        elif line.startswith("Program ") and (line.endswith(" success") or " failed" in line):
            if stack:
                stack.pop()
        elif line.startswith("Program data: ") and stack and stack[-1] is not None:
            try:
                raw = base64.b64decode(line[len("Program data: ") :].split()[0], validate=True)
            except (binascii.Error, IndexError):
                continue
            if (event := decode_event(raw)) is not None:
                groups[stack[-1]].append(event)
    return groups
