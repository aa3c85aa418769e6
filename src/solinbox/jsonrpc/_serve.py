"""Serving an aiohttp application on loopback with aiohttp's public API only."""

from __future__ import annotations

from aiohttp import web

__all__ = ["start_site"]


async def start_site(
    app: web.Application, host: str, port: int, *, reuse_address: bool = True
) -> tuple[web.AppRunner, int]:
    """Set up ``app`` and listen on ``host:port`` (0: a free port); return the runner and port.

    Raises:
        OSError: The address cannot be bound (the runner is cleaned up first).
    """
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=reuse_address)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    bound = [address[1] for address in runner.addresses if isinstance(address, tuple)]
    return runner, bound[0] if bound else port
