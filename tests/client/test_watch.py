"""watch_inbox delivers every event of a scripted conversation exactly once, across a forced
reconnect (the localnet closes every WebSocket the way a restarting node does)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from solinbox.client import InboxActivity, InboxClient, watch_inbox
from solinbox.localnet.server import Localnet

MakeClient = Callable[..., Awaitable[InboxClient]]


async def test_watch_every_event_once_across_reconnect(
    net: Localnet, make_client: MakeClient
) -> None:
    alice, bob = await make_client(), await make_client()
    view = await alice.create_inbox(0)
    first = await bob.create_thread(alice.me, "one")
    seen: list[InboxActivity] = []
    got_first_live = asyncio.Event()

    async def watch() -> None:
        async for activity in watch_inbox(
            alice.rpc, net.ws_url, view.address, reconnect_delay=0.05
        ):
            seen.append(activity)
            if not activity.backfilled:
                got_first_live.set()

    task = asyncio.create_task(watch())
    await asyncio.sleep(0.3)  # subscribed
    thread = alice.thread(first.inbox, first.id)
    await thread.send_message("two")
    await asyncio.wait_for(got_first_live.wait(), 10)

    dropped = await net.drop_websockets()
    assert dropped >= 1
    # while the watcher is disconnected, more happens
    await bob.thread(first.inbox, first.id).send_message("three")
    await thread.mark_read()
    await bob.thread(first.inbox, first.id).send_message("four")
    await thread.archive()

    async def until(n: int) -> None:
        while sum(len(a.events) for a in seen) < n:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(until(5), 15)
    await asyncio.sleep(0.5)  # nothing more should arrive
    task.cancel()

    names = [e.name for a in seen for e in a.events]
    assert names == ["MessageSent", "MessageSent", "ReadMarked", "MessageSent", "ThreadArchived"]
    seqs = [e["seq"] for a in seen for e in a.events if e.name == "MessageSent"]
    assert seqs == [2, 3, 4]
    signatures = [a.signature for a in seen]
    assert len(signatures) == len(set(signatures))  # exactly once
    assert any(a.backfilled for a in seen)  # the gap was filled from history
