"""Watching an inbox: live log subscriptions, with backfill so nothing is missed or repeated.

The watcher subscribes to the logs of every transaction that mentions the inbox (WebSocket
``logsSubscribe``), and after every (re)connection backfills what happened since the last
transaction it delivered (``getSignaturesForAddress`` + ``getTransaction``, on any RPC). Each
successful transaction is delivered once, with the program events it emitted; failed ones
change nothing and are skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Commitment, Confirmed
from solana.rpc.websocket_api import SolanaWsClient
from solders.pubkey import Pubkey
from solders.rpc.config import RpcTransactionLogsFilterMentions
from solders.rpc.responses import LogsNotification
from solders.signature import Signature
from websockets.exceptions import WebSocketException

from solinbox.program.events import Event, parse_events
from solinbox.program.ids import PROGRAM_ID

__all__ = ["InboxActivity", "watch_inbox"]

log = logging.getLogger("solinbox.client.watch")
_SEEN = 10_000


@dataclass(frozen=True, slots=True)
class InboxActivity:
    """One successful transaction that touched the inbox, and the program's events in it."""

    signature: Signature
    slot: int
    events: list[Event]
    backfilled: bool = False


async def _backfill(
    rpc: AsyncClient, inbox: Pubkey, until: Signature, commitment: Commitment, program_id: Pubkey
) -> list[InboxActivity]:
    sigs = (
        await rpc.get_signatures_for_address(inbox, until=until, limit=1000, commitment=commitment)
    ).value
    out: list[InboxActivity] = []
    for info in reversed(sigs):  # oldest first
        if info.err is not None:
            continue
        tx = (await rpc.get_transaction(info.signature, encoding="json", commitment=commitment,
                                        max_supported_transaction_version=0)).value  # fmt: skip
        meta = tx.transaction.meta if tx is not None else None
        logs = list(meta.log_messages or []) if meta is not None else []
        out.append(
            InboxActivity(
                info.signature, info.slot, parse_events(logs, program_id), backfilled=True
            )
        )
    return out


async def watch_inbox(
    rpc: AsyncClient,
    ws_url: str,
    inbox: Pubkey,
    *,
    since: Signature | None = None,
    commitment: Commitment = Confirmed,
    program_id: Pubkey = PROGRAM_ID,
    reconnect_delay: float = 0.2,
    max_reconnects: int | None = None,
) -> AsyncIterator[InboxActivity]:
    """Yield the inbox's activity as it happens (from ``since``, if given), across reconnects."""
    seen: deque[Signature] = deque(maxlen=_SEEN)
    seen_set: set[Signature] = set()
    last = since
    reconnects = 0

    def fresh(sig: Signature) -> bool:
        if sig in seen_set:
            return False
        if len(seen) == seen.maxlen:
            seen_set.discard(seen[0])
        seen.append(sig)
        seen_set.add(sig)
        return True

    while True:
        try:
            async with SolanaWsClient(ws_url) as ws:
                await ws.logs_subscribe(
                    filter_=RpcTransactionLogsFilterMentions(inbox), commitment=commitment
                )
                if last is not None:
                    for item in await _backfill(rpc, inbox, last, commitment, program_id):
                        if fresh(item.signature):
                            last = item.signature
                            yield item
                while True:
                    note = await ws.recv()
                    if not isinstance(note, LogsNotification):
                        continue
                    value = note.result.value
                    if value.err is not None or not fresh(value.signature):
                        continue
                    last = value.signature
                    yield InboxActivity(
                        value.signature,
                        note.result.context.slot,
                        parse_events(value.logs, program_id),
                    )
        except (WebSocketException, OSError) as exc:
            reconnects += 1
            if max_reconnects is not None and reconnects > max_reconnects:
                raise
            log.info("watch: connection lost (%s); reconnecting", exc)
            await asyncio.sleep(reconnect_delay)
