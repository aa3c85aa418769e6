"""The client's reads through the indexer's Photon API, end to end over real HTTP."""

from __future__ import annotations

import pytest

from solinbox.crypto import DecryptionError
from solinbox.program.records import Message

from .conftest import Stack


async def test_messages_decrypt_and_activity(stack: Stack) -> None:
    alice, bob, carol = stack.client(), stack.client(), stack.client()
    await alice.create_inbox(0)
    await carol.create_inbox(0)
    thread = await bob.create_thread(alice.me, "hello (public)")
    mine = alice.thread(thread.inbox, thread.id)
    await mine.send_message("secret reply", encrypt=True, reply_to=1)
    await bob.thread(thread.inbox, 1).send_message("secret back", encrypt=True)
    await bob.create_thread(carol.me, "hi carol")

    # read-after-write: the reads right after the writes see them
    newest = await mine.load_messages(10)
    assert [m.seq for m in newest] == [3, 2, 1]
    assert newest[0].encrypted and b"secret" not in newest[0].content
    opened = await mine.load_messages(10, direction="forward", decrypt=True)
    assert [m.content for m in opened] == [b"hello (public)", b"secret reply", b"secret back"]
    theirs = await bob.thread(thread.inbox, 1).load_messages(decrypt=True)
    assert [m.content for m in theirs] == [b"secret back", b"secret reply", b"hello (public)"]
    assert [m.seq for m in await mine.load_messages(1, before=3)] == [2]
    assert [m.seq for m in await mine.load_messages(5, after=1, direction="forward")] == [2, 3]
    last = await mine.load_last_message(decrypt=True)
    assert isinstance(last, Message) and last.content == b"secret back"
    header = await mine.header()
    assert header.sender == bob.me and header.recipient == alice.me

    # a third party holding the ciphertext cannot open it
    eve = stack.client()
    with pytest.raises(DecryptionError):
        await eve.thread(thread.inbox, 1)._opened(newest[0])

    history = await bob.activity().load_threads_across_history(10, include_last_message=True)
    assert {(t.header.recipient, t.header.thread_id) for t in history} == {
        (alice.me, 1),
        (carol.me, 1),
    }
    assert history[0].header.recipient == carol.me  # newest activity first
    by_alice = next(t for t in history if t.header.recipient == alice.me)
    assert (
        by_alice.unread == 0
        and by_alice.last_message is not None
        and by_alice.last_message.seq == 3
    )
    alice_view = await alice.activity().load_threads_across_history()
    assert len(alice_view) == 1 and alice_view[0].unread == 1  # bob's "secret back"
