"""The Photon reader.

Typed results, cursor iteration with dedupe, memcmp filters, retries, V1/V2 auto-detection
and read-after-write (``wait_for_slot``).

The HTTP transport is injectable (``httpx.AsyncClient(transport=...)``).
"""

from __future__ import annotations

import asyncio
import base64
import struct
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from solders.pubkey import Pubkey

from solinbox._base58 import b58encode
from solinbox.errors import SolinboxError

__all__ = [
    "CompressedAccount",
    "InboxActivityItem",
    "PhotonError",
    "PhotonMethodNotFound",
    "PhotonReader",
    "memcmp",
]


class PhotonError(SolinboxError):
    """The Photon endpoint answered with an error (``code``) or could not be reached."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class PhotonMethodNotFound(PhotonError):
    """The endpoint does not serve the method (``-32601``).

    A Photon, for instance, asked for ``getInboxActivity`` (only solinbox's indexer has it).
    """


@dataclass(frozen=True, slots=True)
class InboxActivityItem:
    """One instruction of the inbox program on an inbox (``getInboxActivity``, solinbox only).

    ``events`` are ``{"name": ..., "data": {...}}`` objects with Pubkeys as base58 strings.
    """

    signature: str
    slot: int
    block_time: int
    position: int
    instruction: str | None
    inbox: Pubkey | None
    thread_id: int | None
    signer: Pubkey | None
    args: dict[str, Any]
    events: list[dict[str, Any]]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> InboxActivityItem:
        """Decode one item of ``getInboxActivity``."""
        return cls(
            signature=doc["signature"],
            slot=int(doc["slot"]),
            block_time=int(doc["blockTime"]),
            position=int(doc["position"]),
            instruction=doc.get("instruction"),
            inbox=Pubkey.from_string(doc["inbox"]) if doc.get("inbox") else None,
            thread_id=doc.get("threadId"),
            signer=Pubkey.from_string(doc["signer"]) if doc.get("signer") else None,
            args=dict(doc.get("args") or {}),
            events=list(doc.get("events") or []),
        )

    def event(self, name: str) -> dict[str, Any] | None:
        """The data of the first event called ``name``, if this instruction logged one."""
        return next((e["data"] for e in self.events if e.get("name") == name), None)


@dataclass(frozen=True, slots=True)
class CompressedAccount:
    """A compressed account as Photon returns it (both V1 and V2 shapes decode to this)."""

    hash: bytes
    owner: Pubkey
    lamports: int
    address: bytes | None
    discriminator: bytes | None
    data: bytes | None
    data_hash: bytes | None
    tree: Pubkey
    leaf_index: int
    seq: int | None
    slot_created: int

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> CompressedAccount:
        """Decode an ``Account`` / ``AccountV2`` object."""
        data = doc.get("data")
        tree = doc.get("tree") or doc["merkleContext"]["tree"]
        return cls(
            hash=bytes(Pubkey.from_string(doc["hash"])),
            owner=Pubkey.from_string(doc["owner"]),
            lamports=int(doc["lamports"]),
            address=bytes(Pubkey.from_string(doc["address"])) if doc.get("address") else None,
            discriminator=struct.pack("<Q", data["discriminator"]) if data else None,
            data=base64.b64decode(data["data"]) if data else None,
            data_hash=bytes(Pubkey.from_string(data["dataHash"])) if data else None,
            tree=Pubkey.from_string(tree),
            leaf_index=int(doc["leafIndex"]),
            seq=doc.get("seq"),
            slot_created=int(doc.get("slotCreated", 0)),
        )


def memcmp(offset: int, raw: bytes) -> dict[str, Any]:
    """A ``memcmp`` filter (offset into the data after Light's discriminator)."""
    return {
        "memcmp": {
            "offset": offset,
            "bytes": str(Pubkey(raw)) if len(raw) == 32 else b58encode(raw),
        }
    }


class PhotonReader:
    """Async client of a Photon endpoint.

    ``version`` is ``"v1"``, ``"v2"`` or ``"auto"`` (try the V2 methods, fall back to V1 if the
    endpoint does not have them). Transport errors and HTTP 429 are retried ``retries`` times
    with exponential backoff.
    """

    def __init__(
        self,
        url: str,
        *,
        http: httpx.AsyncClient | None = None,
        version: str = "auto",
        retries: int = 3,
        backoff: float = 0.1,
    ) -> None:
        self.url = url
        self.http = http or httpx.AsyncClient(timeout=10)
        self._owns_http = http is None
        self.version = version
        self.retries = retries
        self.backoff = backoff
        self._id = 0

    async def close(self) -> None:
        """Close the HTTP client if the reader created it."""
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> PhotonReader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def call(self, method: str, params: Any = None) -> Any:
        """One JSON-RPC call; returns ``result`` or raises :class:`PhotonError`."""
        self._id += 1
        body = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}
        for attempt in range(self.retries + 1):
            try:
                response = await self.http.post(self.url, json=body)
                if response.status_code == 429 and attempt < self.retries:
                    await asyncio.sleep(self.backoff * 2**attempt)
                    continue
                response.raise_for_status()
                doc = response.json()
                break
            except (httpx.TransportError, httpx.HTTPStatusError, ValueError) as exc:
                if attempt >= self.retries or isinstance(exc, ValueError):
                    raise PhotonError(f"{method}: {exc}") from exc
                await asyncio.sleep(self.backoff * 2**attempt)
        if "error" in doc:
            code = doc["error"].get("code")
            cls = PhotonMethodNotFound if code == -32601 else PhotonError
            raise cls(f"{method}: {doc['error'].get('message')}", code)
        return doc["result"]

    async def _versioned(self, name: str, params: Any) -> Any:
        if self.version in ("v2", "auto"):
            try:
                return await self.call(name + "V2", params)
            except PhotonError as exc:
                if self.version == "v2" or exc.code != -32601:
                    raise
                self.version = "v1"
        return await self.call(name, params)

    async def account(
        self, *, hash: bytes | None = None, address: bytes | None = None
    ) -> CompressedAccount | None:
        """One account by hash or address (None if the indexer does not know it)."""
        params = (
            {"hash": str(Pubkey(hash))}
            if hash is not None
            else {"address": str(Pubkey(address or b""))}
        )
        value = (await self._versioned("getCompressedAccount", params))["value"]
        return CompressedAccount.from_json(value) if value else None

    async def accounts_by_owner(
        self,
        owner: Pubkey,
        *,
        filters: Sequence[dict[str, Any]] = (),
        page_size: int = 100,
        max_items: int | None = None,
    ) -> AsyncIterator[CompressedAccount]:
        """Every matching account, page by page; duplicates across pages are dropped."""
        seen: set[bytes] = set()
        count = 0
        params: dict[str, Any] = {"owner": str(owner), "limit": page_size}
        if filters:
            params["filters"] = list(filters)
        async for item in self._pages("getCompressedAccountsByOwner", params, versioned=True):
            account = CompressedAccount.from_json(item)
            if account.hash in seen:
                continue
            seen.add(account.hash)
            yield account
            count += 1
            if max_items is not None and count >= max_items:
                return

    async def _pages(
        self, method: str, params: dict[str, Any], *, versioned: bool = False
    ) -> AsyncIterator[Any]:
        """The items of a paginated method, page after page, until its cursor runs out."""
        cursor: str | None = None
        while True:
            page = {**params, "cursor": cursor} if cursor else params
            call = self._versioned(method, page) if versioned else self.call(method, page)
            value = (await call)["value"]
            for item in value["items"]:
                yield item
            cursor = value.get("cursor")
            if not cursor or not value["items"]:
                return

    async def inbox_activity(
        self,
        inbox: Pubkey,
        *,
        thread_id: int | None = None,
        page_size: int = 100,
        max_items: int | None = None,
    ) -> AsyncIterator[InboxActivityItem]:
        """The inbox program's instructions on ``inbox`` (or one thread), newest first.

        A solinbox indexer extension: a Photon raises :class:`PhotonMethodNotFound`.
        """
        params: dict[str, Any] = {"inbox": str(inbox), "limit": page_size}
        if thread_id is not None:
            params["threadId"] = thread_id
        count = 0
        async for item in self._pages("getInboxActivity", params):
            yield InboxActivityItem.from_json(item)
            count += 1
            if max_items is not None and count >= max_items:
                return

    async def indexer_slot(self) -> int:
        """The slot the indexer has processed."""
        return int(await self.call("getIndexerSlot"))

    async def wait_for_slot(
        self, slot: int, *, timeout: float = 10.0, interval: float = 0.05
    ) -> None:
        """Wait until the indexer has seen ``slot`` (read-after-write); PhotonError on timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while await self.indexer_slot() < slot:
            if asyncio.get_running_loop().time() > deadline:
                raise PhotonError(f"indexer did not reach slot {slot} within {timeout}s")
            await asyncio.sleep(interval)

    async def signatures_for_owner(
        self, owner: Pubkey, *, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Compression signatures of an owner, newest first (all pages)."""
        params = {"owner": str(owner), "limit": limit}
        return [item async for item in self._pages("getCompressionSignaturesForOwner", params)]
