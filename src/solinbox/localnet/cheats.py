"""Python helpers for the localnet's ``solinbox_*`` cheatcodes, over HTTP (any localnet URL).

::

    async with Cheats("http://127.0.0.1:8899") as cheats:
        await cheats.forward(7 * 86_400)          # the escrow's refund delay has passed
        snap = await cheats.snapshot()
        ...
        await cheats.revert(snap)

The transport is injectable (an ``httpx.AsyncClient``); a refused call raises
:class:`solinbox.jsonrpc.JsonRpcError` with the server's code and message.
"""

from __future__ import annotations

import base64
import itertools
from types import TracebackType
from typing import Any

import httpx
from solders.account import Account
from solders.pubkey import Pubkey

from solinbox.jsonrpc import JsonRpcError

__all__ = ["Cheats"]


class Cheats:
    """The cheatcodes of the localnet at ``url``."""

    def __init__(self, url: str, *, http: httpx.AsyncClient | None = None) -> None:
        self.url = url
        self.http = http or httpx.AsyncClient(timeout=30)
        self._own_http = http is None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Cheats:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP client if this object made it."""
        if self._own_http:
            await self.http.aclose()

    async def call(self, method: str, *params: Any) -> Any:
        """Call one method; its result, or :class:`JsonRpcError`."""
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}
        answer = (await self.http.post(self.url, json=body)).json()
        if "error" in answer:
            error = answer["error"]
            raise JsonRpcError(
                error.get("code", -32603), error.get("message", ""), error.get("data")
            )
        return answer.get("result")

    async def set_account(self, pubkey: Pubkey, account: Account) -> None:
        """Write ``account`` at ``pubkey``."""
        await self.call("solinbox_setAccount", str(pubkey), {
            "lamports": account.lamports, "data": base64.b64encode(bytes(account.data)).decode(),
            "owner": str(account.owner), "executable": account.executable,
            "rentEpoch": account.rent_epoch,
        })  # fmt: skip

    async def set_lamports(self, pubkey: Pubkey, lamports: int) -> None:
        """Set an account's balance (creating a system account if there is none)."""
        await self.call("solinbox_setAccount", str(pubkey), {"lamports": lamports})

    async def set_token_balance(self, owner: Pubkey, mint: Pubkey, amount: int) -> Pubkey:
        """Make ``owner``'s associated token account of ``mint`` hold ``amount``; its address."""
        result = await self.call("solinbox_setTokenBalance", str(owner), str(mint), amount)
        return Pubkey.from_string(result["address"])

    async def warp_slot(self, slot: int) -> int:
        """Jump to ``slot`` (the slots in between are skipped); the new working slot."""
        return int((await self.call("solinbox_warpSlot", slot))["slot"])

    async def set_clock(self, unix_timestamp: int) -> int:
        """Move the chain's clock forward to ``unix_timestamp``; the chain's time after."""
        return int(
            (await self.call("solinbox_setClock", {"unixTimestamp": unix_timestamp}))[
                "unixTimestamp"
            ]
        )

    async def forward(self, seconds: int) -> int:
        """Move the chain's clock ``seconds`` forward; the chain's time after."""
        return int(
            (await self.call("solinbox_setClock", {"forwardSeconds": seconds}))["unixTimestamp"]
        )

    async def produce_block(self) -> int:
        """Produce a block now; its slot."""
        return int(await self.call("solinbox_produceBlock"))

    async def snapshot(self) -> int:
        """Save the whole chain; an id for :meth:`revert`."""
        return int(await self.call("solinbox_snapshot"))

    async def revert(self, snapshot: int) -> None:
        """Return the chain to ``snapshot`` (later snapshots are dropped)."""
        await self.call("solinbox_revert", snapshot)
