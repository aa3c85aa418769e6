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
    latest = (await alice.rpc.get_signatures_for_address(view.address, limit=1)).value[0]
    seen: list[InboxActivity] = []
    arrived = asyncio.Condition()

    async def watch() -> None:
        # from `first` on: whatever lands before the subscription is backfilled, so the test
        # needs no "subscribed yet?" wait
        async for activity in watch_inbox(
            alice.rpc, net.ws_url, view.address, since=latest.signature, reconnect_delay=0.05
        ):
            async with arrived:
                seen.append(activity)
                arrived.notify_all()

    async def until(n: int) -> None:
        async with arrived:
            await asyncio.wait_for(
                arrived.wait_for(lambda: sum(len(a.events) for a in seen) >= n), 15
            )

    task = asyncio.create_task(watch())
    thread = alice.thread(first.inbox, first.id)
    await thread.send_message("two")
    await until(1)  # the watcher yields only after it has subscribed

    async with net.pubsub_outage() as dropped:  # the watcher cannot reconnect meanwhile
        assert dropped >= 1
        await bob.thread(first.inbox, first.id).send_message("three")
        await thread.mark_read()
        await bob.thread(first.inbox, first.id).send_message("four")
        await thread.archive()
    await until(5)
    # a sentinel: events arrive in slot order, so a repeat of anything above would come first
    await thread.archive(False)
    await until(6)
    task.cancel()

    names = [e.name for a in seen for e in a.events]
    assert names == ["MessageSent", "MessageSent", "ReadMarked", "MessageSent", "ThreadArchived",
                     "ThreadArchived"]  # fmt: skip
    seqs = [e["seq"] for a in seen for e in a.events if e.name == "MessageSent"]
    assert seqs == [2, 3, 4]
    signatures = [a.signature for a in seen]
    assert len(signatures) == len(set(signatures))  # exactly once
    assert any(a.backfilled for a in seen)  # the gap was filled from history
