"""``solinbox inbox …``, ``solinbox thread …`` and ``solinbox watch``: the client from a shell.

Every command talks JSON-RPC to ``--url`` (default: the localnet) as the wallet in
``--keypair`` (a Solana keypair file, default ``~/.config/solana/id.json``), prints tables, or
one JSON document with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from solinbox.cli._common import read_keypair
from solinbox.errors import SolinboxError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from solinbox.client._client import InboxClient, InboxView
    from solinbox.program.accounts import ThreadSlot


__all__ = ["register"]

DEFAULT_URL = "http://127.0.0.1:8899"
DEFAULT_KEYPAIR = "~/.config/solana/id.json"


def _ws_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    host, _, port = rest.rstrip("/").rpartition(":")
    ws = "wss" if scheme == "https" else "ws"
    return f"{ws}://{host}:{int(port) + 1}" if port.isdigit() else f"{ws}://{rest}"


def _inbox_row(view: InboxView) -> dict[str, Any]:
    from solinbox.program.accounts import Inbox

    s: Inbox = view.state
    rule = s.payment_rule
    return {
        "address": str(view.address),
        "owner": str(s.owner),
        "id": s.id,
        "kind": s.kind.name.lower(),
        "threads": s.thread_count,
        "name": s.name,
        "uri": s.uri,
        "expires_at": s.expires_at or None,
        "payment_rule": None
        if rule is None
        else {
            "amount": rule.amount,
            "mint": None if rule.is_sol else str(rule.mint),
            "escrow": rule.escrow,
            "refund_after_secs": rule.refund_after_secs,
        },
    }


def _thread_row(slot: ThreadSlot) -> dict[str, Any]:
    from solinbox.program.constants import Side

    return {
        "id": slot.thread_id,
        "from": str(slot.sender),
        "messages": slot.message_count,
        "unread_by_owner": slot.unread(Side.OWNER),
        "unread_by_sender": slot.unread(Side.SENDER),
        "archived_by_owner": slot.archived_by_owner,
        "archived_by_sender": slot.archived_by_sender,
        "escrow": slot.escrow_state.name.lower(),
        "escrow_amount": slot.escrow_amount,
    }


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for key in rows[0] if rows else []:
        table.add_column(key)
    for row in rows:
        table.add_row(
            *(
                "" if v is None else json.dumps(v) if isinstance(v, dict) else str(v)
                for v in row.values()
            )
        )
    return table


async def _with_client(
    args: argparse.Namespace, body: Callable[[InboxClient], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    from solana.rpc.async_api import AsyncClient
    from solana.rpc.commitment import Confirmed

    from solinbox.client._client import InboxClient

    async with AsyncClient(args.url, commitment=Confirmed) as rpc:
        client = InboxClient(rpc, read_keypair(args.keypair))
        return await body(client)


def _run(
    args: argparse.Namespace,
    console: Console,
    body: Callable[[InboxClient], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    import asyncio

    return asyncio.run(_with_client(args, body))


# -- inbox ------------------------------------------------------------------------------------


def _cmd_inbox_create(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    from solinbox.program import instructions as ix
    from solinbox.program.constants import InboxKind

    rule = None
    if args.fee:
        rule = ix.PaymentRuleInput(amount=args.fee, mint=Pubkey.from_string(args.mint) if args.mint else None,
                                   escrow=args.escrow, refund_after_secs=args.refund_after if args.escrow else 0)  # fmt: skip

    async def body(c: InboxClient) -> dict[str, Any]:
        kind = InboxKind.EPHEMERAL if args.ephemeral else InboxKind.STANDARD
        meta = (args.name or "", args.uri or "") if not args.ephemeral else None
        view = await c.create_inbox(
            args.id, kind=kind, payment_rule=rule, metadata=meta, expires_at=args.expires_at
        )
        return _inbox_row(view)

    row = _run(args, console, body)
    if not args.json:
        console.print(_table("created inbox", [row]))
    return row


def _cmd_inbox_show(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    async def body(c: InboxClient) -> dict[str, Any]:
        owner = Pubkey.from_string(args.owner) if args.owner else c.me
        view = await c.inbox(owner, args.id)
        if view is None:
            raise SolinboxError(f"inbox {args.id} of {owner} does not exist")
        threads = []
        for tid in range(
            max(1, view.state.thread_count - args.limit + 1), view.state.thread_count + 1
        ):
            threads.append(_thread_row(await c.thread(view.address, tid).load()))
        return {**_inbox_row(view), "recent_threads": list(reversed(threads))}

    result = _run(args, console, body)
    if not args.json:
        threads = result.pop("recent_threads")
        console.print(_table("inbox", [result]))
        if threads:
            console.print(_table("threads (newest first)", threads))
        result["recent_threads"] = threads
    return result


def _cmd_inbox_list(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    async def body(c: InboxClient) -> dict[str, Any]:
        owner = Pubkey.from_string(args.owner) if args.owner else c.me
        return {"owner": str(owner), "inboxes": [_inbox_row(v) for v in await c.inboxes(owner)]}

    result = _run(args, console, body)
    if not args.json:
        console.print(_table(f"inboxes of {result['owner']}", result["inboxes"]))
    return result


def _cmd_inbox_history(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    from solinbox.photon import PhotonReader
    from solinbox.program.pda import inbox_address

    async def body(c: InboxClient) -> dict[str, Any]:
        owner = Pubkey.from_string(args.owner) if args.owner else c.me
        address = inbox_address(owner, args.id, c.program_id)[0]
        async with PhotonReader(args.photon) as reader:
            c.photon = reader
            items = await c.history(address, thread_id=args.thread, limit=args.limit)
        rows = [
            {
                "slot": i.slot,
                "instruction": i.instruction,
                "thread": i.thread_id,
                "signer": str(i.signer) if i.signer else None,
                "events": ", ".join(e["name"] for e in i.events),
                "signature": i.signature,
            }
            for i in items
        ]
        return {"inbox": str(address), "history": rows}

    result = _run(args, console, body)
    if not args.json:
        console.print(_table(f"history of {result['inbox']} (newest first)", result["history"]))
    return result


# -- thread -----------------------------------------------------------------------------------


def _cmd_thread_open(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    async def body(c: InboxClient) -> dict[str, Any]:
        to = Pubkey.from_string(args.to)
        target = Pubkey.from_string(args.inbox) if args.inbox else None
        thread = await c.create_thread(
            to, args.message, target_inbox=target, payment=args.pay, encrypt=args.encrypt
        )
        return {"inbox": str(thread.inbox), **_thread_row(await thread.load())}

    result = _run(args, console, body)
    if not args.json:
        console.print(f"[green]opened thread {result['id']}[/] in inbox {result['inbox']}")
    return result


def _cmd_thread_show(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    async def body(c: InboxClient) -> dict[str, Any]:
        return {
            "inbox": args.inbox,
            **_thread_row(await c.thread(Pubkey.from_string(args.inbox), args.id).load()),
        }

    result = _run(args, console, body)
    if not args.json:
        console.print(_table(f"thread {args.id}", [result]))
    return result


def _cmd_thread_send(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    async def body(c: InboxClient) -> dict[str, Any]:
        thread = c.thread(Pubkey.from_string(args.inbox), args.id)
        sent = await thread.send_message(
            args.message, reply_to=args.reply_to, payment=args.pay, encrypt=args.encrypt
        )
        return {
            "signature": str(sent.signature),
            "slot": sent.slot,
            **_thread_row(await thread.load()),
        }

    result = _run(args, console, body)
    if not args.json:
        console.print(f"[green]sent[/] message {result['messages']} ({result['signature'][:16]}…)")
    return result


def _cmd_thread_read(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    async def body(c: InboxClient) -> dict[str, Any]:
        thread = c.thread(Pubkey.from_string(args.inbox), args.id)
        await thread.mark_read(args.seq)
        return _thread_row(await thread.load())

    result = _run(args, console, body)
    if not args.json:
        console.print(f"[green]marked read[/] thread {args.id}")
    return result


# -- activity ---------------------------------------------------------------------------------


def _cmd_activity(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    from solders.pubkey import Pubkey

    from solinbox.photon import PhotonReader

    async def body(c: InboxClient) -> dict[str, Any]:
        async with PhotonReader(args.photon) as reader:
            c.photon = reader
            wallet = Pubkey.from_string(args.wallet) if args.wallet else c.me
            history = await c.activity(wallet).load_threads_across_history(
                args.limit, include_last_message=True
            )
        rows = [
            {
                "inbox": str(t.header.inbox),
                "thread": t.header.thread_id,
                "from": str(t.header.sender),
                "to": str(t.header.recipient),
                "unread": t.unread,
                "messages": t.state.message_count if t.state else None,
                "last_seq": t.last_message.seq if t.last_message else None,
            }
            for t in history
        ]
        return {"wallet": str(wallet), "threads": rows}

    result = _run(args, console, body)
    if not args.json:
        console.print(_table(f"activity of {result['wallet']} (newest first)", result["threads"]))
    return result


# -- watch ------------------------------------------------------------------------------------


def _cmd_watch(args: argparse.Namespace, console: Console) -> dict[str, Any] | None:
    from solders.pubkey import Pubkey

    from solinbox.client._watch import watch_inbox

    async def body(c: InboxClient) -> dict[str, Any]:
        count = 0
        since = None
        if args.since:
            from solders.signature import Signature

            try:
                since = Signature.from_string(args.since)
            except ValueError as exc:
                raise SolinboxError(f"--since: not a transaction signature: {args.since}") from exc
        async for activity in watch_inbox(
            c.rpc, args.ws_url or _ws_url(args.url), Pubkey.from_string(args.inbox), since=since
        ):
            for event in activity.events:
                fields = {
                    k: str(v) if isinstance(v, Pubkey) else v for k, v in event.fields.items()
                }
                line = {
                    "signature": str(activity.signature),
                    "slot": activity.slot,
                    "event": event.name,
                    **fields,
                }
                if args.json:
                    print(json.dumps(line), flush=True)
                else:
                    console.print(f"[bold]{event.name}[/] slot {activity.slot}: {fields}")
                count += 1
            if args.count and count >= args.count:
                break
        return {"events": count}

    result = _run(args, console, body)
    return None if args.json else result  # --json already streamed one line per event


def _cmd_airdrop(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    import asyncio

    from solana.exceptions import SolanaRpcException
    from solana.rpc.async_api import AsyncClient
    from solana.rpc.commitment import Confirmed
    from solana.rpc.core import RPCException
    from solders.pubkey import Pubkey

    if args.amount <= 0:
        raise SolinboxError("the amount must be more than 0 SOL")
    lamports = round(args.amount * 1_000_000_000)

    async def run() -> dict[str, Any]:
        to = Pubkey.from_string(args.to) if args.to else read_keypair(args.keypair).pubkey()
        async with AsyncClient(args.url, commitment=Confirmed) as rpc:
            try:
                signature = (await rpc.request_airdrop(to, lamports)).value
                await rpc.confirm_transaction(signature, Confirmed, sleep_seconds=0.2)
                balance = (await rpc.get_balance(to)).value
            except (SolanaRpcException, OSError) as exc:
                raise SolinboxError(
                    f"{args.url} did not airdrop: {exc}\n  airdrops exist on a localnet, devnet and "
                    "testnet (with limits); on mainnet, send SOL to the key from a wallet"
                ) from exc
            except RPCException as exc:  # the node answered with a JSON-RPC error
                raise SolinboxError(f"{args.url} refused the airdrop: {exc}") from exc
        return {
            "to": str(to),
            "lamports": lamports,
            "signature": str(signature),
            "balance": balance,
        }

    result = asyncio.run(run())
    if not args.json:
        console.print(f"[green]{args.amount} SOL[/] to {result['to']}; balance {result['balance'] / 1e9:,.9f} SOL",
                      highlight=False)  # fmt: skip
    return result


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-u", "--url", default=os.environ.get("SOLINBOX_RPC_URL", DEFAULT_URL), help="JSON-RPC URL"
    )
    p.add_argument(
        "-k",
        "--keypair",
        default=os.environ.get("SOLINBOX_KEYPAIR", DEFAULT_KEYPAIR),
        help="keypair file",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def register(sub: Any) -> None:
    """Add ``inbox``, ``thread``, ``activity``, ``watch`` and ``airdrop`` to the ``solinbox`` command."""
    ad = sub.add_parser("airdrop", help="request SOL from the cluster's faucet (localnet, devnet)")
    ad.add_argument("amount", type=float, help="SOL to request")
    ad.add_argument("to", nargs="?", help="recipient address (default: the keypair's)")
    _common(ad)
    ad.set_defaults(func=_cmd_airdrop)
    inbox = sub.add_parser("inbox", help="create, show and list inboxes")
    isub = inbox.add_subparsers(dest="inbox_command", required=True)
    c = isub.add_parser("create", help="create an inbox")
    _common(c)
    c.add_argument("--id", type=int, default=0)
    c.add_argument("--ephemeral", action="store_true")
    c.add_argument("--expires-at", type=int, default=0, help="unix time (ephemeral only)")
    c.add_argument("--name")
    c.add_argument("--uri")
    c.add_argument(
        "--fee", type=int, default=0, help="payment rule amount (lamports or token units)"
    )
    c.add_argument("--mint", help="payment rule mint (default: SOL)")
    c.add_argument("--escrow", action="store_true", help="hold the fee in escrow per thread")
    c.add_argument(
        "--refund-after", type=int, default=7 * 86_400, help="escrow refund delay (seconds)"
    )
    c.set_defaults(func=_cmd_inbox_create)
    s = isub.add_parser("show", help="show an inbox and its latest threads")
    _common(s)
    s.add_argument("--owner")
    s.add_argument("--id", type=int, default=0)
    s.add_argument("--limit", type=int, default=10)
    s.set_defaults(func=_cmd_inbox_show)
    lst = isub.add_parser("list", help="list a wallet's inboxes")
    _common(lst)
    lst.add_argument("--owner")
    lst.set_defaults(func=_cmd_inbox_list)
    h = isub.add_parser("history", help="an inbox's instructions, newest first (needs our indexer)")
    _common(h)
    h.add_argument("--owner")
    h.add_argument("--id", type=int, default=0)
    h.add_argument("--thread", type=int, help="only this thread")
    h.add_argument("--limit", type=int, default=20)
    h.add_argument(
        "--photon", default=os.environ.get("SOLINBOX_PHOTON_URL", "http://127.0.0.1:8784")
    )
    h.set_defaults(func=_cmd_inbox_history)

    thread = sub.add_parser("thread", help="open, show, send to and read threads")
    tsub = thread.add_subparsers(dest="thread_command", required=True)
    o = tsub.add_parser("open", help="open a thread in someone's inbox")
    _common(o)
    o.add_argument("to", help="recipient wallet")
    o.add_argument("message")
    o.add_argument("--inbox", help="target inbox address (default: the recipient's inbox 0)")
    o.add_argument(
        "--pay", type=int, default=None, help="amount to pay (default: the inbox's rule)"
    )
    o.add_argument("--encrypt", action="store_true")
    o.set_defaults(func=_cmd_thread_open)
    for name, func, helptext in (("show", _cmd_thread_show, "show a thread's state"),
                                 ("send", _cmd_thread_send, "post a message"),
                                 ("read", _cmd_thread_read, "mark a thread read")):  # fmt: skip
        t = tsub.add_parser(name, help=helptext)
        _common(t)
        t.add_argument("inbox")
        t.add_argument("id", type=int)
        if name == "send":
            t.add_argument("message")
            t.add_argument("--reply-to", type=int, default=0)
            t.add_argument(
                "--pay", type=int, default=0, help="SOL payment to the other side (lamports)"
            )
            t.add_argument("--encrypt", action="store_true")
        if name == "read":
            t.add_argument("--seq", type=int, default=None)
        t.set_defaults(func=func)

    a = sub.add_parser(
        "activity", help="a wallet's threads across every inbox (needs a Photon API)"
    )
    _common(a)
    a.add_argument("--wallet", help="whose activity (default: the keypair's)")
    a.add_argument(
        "--photon", default=os.environ.get("SOLINBOX_PHOTON_URL", "http://127.0.0.1:8784")
    )
    a.add_argument("--limit", type=int, default=20)
    a.set_defaults(func=_cmd_activity)

    w = sub.add_parser(
        "watch", help="stream an inbox's events (live, with backfill across reconnects)"
    )
    _common(w)
    w.add_argument("inbox")
    w.add_argument("--ws-url", help="PubSub URL (default: the RPC port + 1)")
    w.add_argument("--count", type=int, default=0, help="stop after this many events (0: never)")
    w.add_argument("--since", metavar="SIGNATURE",
                   help="first replay everything after this transaction (resume where you left off)")  # fmt: skip
    w.set_defaults(func=_cmd_watch)
