"""What the indexer keeps of the inbox program itself: one activity row per instruction.

Light's events say which compressed accounts a transaction wrote; they do not say that Alice
marked thread 7 read or that Bob's escrow was refunded. For that the indexer decodes every
invocation of the inbox program in a successful transaction — its instruction (name, signer,
inbox, arguments; :func:`solinbox.program.decode.decode_instruction`) together with the events
that invocation logged (:func:`solinbox.program.events.events_by_invocation`) — into an
:class:`InboxActivity`. The store indexes them by inbox and thread, and the server answers
``getInboxActivity`` from them: an inbox's history without scanning the chain.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey

from solinbox.light.events import FlatInstruction
from solinbox.program.decode import InstructionDecodeError, decode_instruction
from solinbox.program.events import Event, events_by_invocation

__all__ = ["InboxActivity", "inbox_activity", "json_value"]

_MAX_THREAD_ID = (1 << 63) - 1  # what both databases' signed 64-bit integers hold


@dataclass(frozen=True, slots=True)
class InboxActivity:
    """One invocation of the inbox program in a successful transaction.

    Attributes:
        position: Which invocation of the program this is within the transaction (0-based, in
            execution order; CPIs included).
        instruction: The instruction name, or None if the bytes are not one this version of
            the IDL knows (an invocation that succeeded on a newer program).
        inbox: The inbox account the instruction names.
        thread_id: The thread it concerns (from its events, else its arguments), if any.
        signer: The instruction's first account (owner, sender, poster, reader or member).
        args: The arguments, JSON-ready (Pubkeys base58; a ``bytes`` argument such as a
            message's content is kept as its length, ``<name>_len``: the content itself is in
            the compressed record).
        events: The events this invocation logged.
    """

    position: int
    instruction: str | None
    inbox: Pubkey | None
    thread_id: int | None
    signer: Pubkey | None
    args: dict[str, Any]
    events: tuple[Event, ...]

    def detail(self) -> dict[str, Any]:
        """Arguments and events as one JSON-ready object (what the store keeps as text)."""
        return {
            "args": self.args,
            "events": [{"name": e.name, "data": json_value(e.fields)} for e in self.events],
        }


def json_value(value: Any) -> Any:
    """``value`` with Pubkeys as base58 and other bytes as base64, ready for ``json.dumps``."""
    if isinstance(value, Pubkey):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def _args(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, bytes):
            out[f"{name}_len"] = len(value)
        else:
            out[name] = json_value(value)
    return out


def _thread_id(events: Sequence[Event], args: Mapping[str, Any]) -> int | None:
    for event in events:
        if "thread_id" in event.fields:
            value = event.fields["thread_id"]
            return value if isinstance(value, int) and value <= _MAX_THREAD_ID else None
    value = args.get("thread_id")
    return value if isinstance(value, int) and value <= _MAX_THREAD_ID else None


def inbox_activity(
    flat: Sequence[FlatInstruction], logs: Sequence[str], program_id: Pubkey
) -> list[InboxActivity]:
    """Every invocation of ``program_id`` in a successful transaction, decoded.

    ``flat`` is the transaction's instructions in execution order (top level and inner),
    ``logs`` its log lines. Events are matched to invocations by order; if the logs were
    truncated, invocations past the truncation have no events.
    """
    calls = [ix for ix in flat if ix.program_id == program_id]
    if not calls:
        return []
    event_groups = events_by_invocation(logs, program_id)
    out: list[InboxActivity] = []
    for position, ix in enumerate(calls):
        events = tuple(event_groups[position]) if position < len(event_groups) else ()
        try:
            decoded = decode_instruction(ix.data, ix.accounts, program_id)
        except InstructionDecodeError:
            out.append(InboxActivity(position, None, None, None, None, {}, events))
            continue
        keys = list(decoded.accounts.values())
        out.append(
            InboxActivity(
                position,
                decoded.name,
                decoded.accounts.get("inbox"),
                _thread_id(events, decoded.args),
                keys[0] if keys else None,
                _args(decoded.args),
                events,
            )
        )
    return out
