"""``solinbox indexer``: follow a JSON-RPC endpoint and serve the Photon API from SQLite."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]


async def _serve(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    import asyncio

    from solana.rpc.async_api import AsyncClient
    from solana.rpc.commitment import Confirmed

    from solinbox.indexer.ingest import Indexer, RpcFollower
    from solinbox.indexer.server import PhotonServer
    from solinbox.indexer.store import PostgresStore, SqliteStore

    dsn = args.db.startswith(("postgresql://", "postgres://", "host="))
    store: SqliteStore | PostgresStore = PostgresStore(args.db) if dsn else SqliteStore(args.db)
    follower_indexer = Indexer(store)
    try:
        async with AsyncClient(args.rpc, commitment=Confirmed) as rpc:
            follower = RpcFollower(follower_indexer, rpc, poll_interval=args.poll_ms / 1000)
            if args.until_slot is not None:
                while store.slot() < args.until_slot:
                    await follower.catch_up()
                    await asyncio.sleep(follower.poll_interval)
                return {"slot": store.slot(), "accounts": store.count()}
            async with PhotonServer(store, port=args.port, rpc_url=args.rpc) as server:
                if not args.json:
                    console.print(
                        f"[green]indexer[/] following {args.rpc}, Photon API on {server.url} (db {args.db})"
                    )
                await follower.run()
    finally:
        store.close()
    return {}


def _cmd_indexer(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    import asyncio

    return asyncio.run(_serve(args, console))


def register(sub: Any) -> None:
    """Add ``indexer`` to the ``solinbox`` command."""
    p = sub.add_parser(
        "indexer", help="index Light transactions from an RPC and serve the Photon API"
    )
    p.add_argument("--rpc", default="http://127.0.0.1:8899", help="JSON-RPC endpoint to follow")
    p.add_argument("--db", default="solinbox-index.sqlite",
                   help="SQLite file, or a PostgreSQL DSN (host=... / postgresql://...)")  # fmt: skip
    p.add_argument("--port", type=int, default=8784, help="Photon API port on 127.0.0.1")
    p.add_argument("--poll-ms", type=int, default=200)
    p.add_argument("--until-slot", type=int, default=None, help="index up to this slot, then exit")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_indexer)
