"""Photon's JSON shapes and cursors.

Accounts (V1 / V2), token accounts, closed accounts, signatures and inbox activity, and the
cursors that page through them.
"""

from __future__ import annotations

import base64
import struct
from typing import Any

from solinbox._base58 import b58decode, b58encode
from solinbox.indexer._rpc import _b58, _invalid
from solinbox.indexer.store import AccountRow, ActivityRow, SignatureRow, TokenAccountRow
from solinbox.indexer.tokens import TokenDataError, token_data_json, token_data_of
from solinbox.light.hashing import poseidon
from solinbox.light.ids import STATE_TREES_V1

__all__ = ["account_json"]

_NULLIFIER_QUEUE = {t.tree: t.nullifier_queue for t in STATE_TREES_V1}


def account_json(
    row: AccountRow, *, v2: bool, data_slice: tuple[int, int] | None = None
) -> dict[str, Any]:
    """An account in Photon's V1 ``Account`` or V2 ``AccountV2`` shape."""
    data: dict[str, Any] | None = None
    if row.data is not None and row.discriminator is not None:
        body = row.data
        if data_slice is not None:
            body = body[data_slice[0] : data_slice[0] + data_slice[1]]
        data = {
            "discriminator": struct.unpack("<Q", row.discriminator)[0],
            "data": base64.b64encode(body).decode(),
            "dataHash": _b58(row.data_hash or bytes(32)),
        }
    out: dict[str, Any] = {
        "hash": _b58(row.hash),
        "address": _b58(row.address) if row.address else None,
        "data": data,
        "owner": str(row.owner),
        "lamports": row.lamports,
    }
    batched = row.tree_type != 1
    tree = row.tree
    if not v2:
        out["tree"] = str(tree)
    out["leafIndex"] = row.leaf_index
    out["seq"] = row.seq
    out["slotCreated"] = row.slot
    if v2:
        queue = row.queue if batched else _NULLIFIER_QUEUE.get(tree, tree)
        out["proveByIndex"] = batched
        out["merkleContext"] = {"treeType": row.tree_type, "tree": str(tree), "queue": str(queue),
                                "cpiContext": None, "nextTreeContext": None}  # fmt: skip
    return out


def _token_account_json(row: TokenAccountRow, *, v2: bool) -> dict[str, Any]:
    """Photon's ``TokenAccount`` / ``TokenAccountV2``: the account and its token data."""
    return {"account": account_json(row.account, v2=v2), "tokenData": token_data_json(row.token)}


def _optional_token_data(row: AccountRow) -> dict[str, Any] | None:
    """``optionalTokenData`` of a transaction's account: its token data if it is a token account."""
    try:
        token = token_data_of(row.owner, row.discriminator, row.data)
    except TokenDataError:
        return None
    return None if token is None else token_data_json(token)


def _closed_json(row: AccountRow, tx_hash: bytes) -> dict[str, Any]:
    """Photon's ``ClosedAccountV2``: the account, its nullifier and the Light tx hash.

    A V2 (batched) nullifier is ``Poseidon(hash, leaf_index as 32 bytes BE, tx_hash)``; a V1
    nullifier queue takes the account hash itself.
    """
    nullifier = row.hash
    if row.tree_type != 1:
        try:
            nullifier = poseidon(row.hash, row.leaf_index.to_bytes(32, "big"), tx_hash)
        except ValueError:  # not field elements: cannot come from Light; keep the hash
            nullifier = row.hash
    return {"account": account_json(row, v2=True), "nullifier": _b58(nullifier),
            "txHash": _b58(tx_hash)}  # fmt: skip


def _signature_json(row: SignatureRow) -> dict[str, Any]:
    return {"signature": str(row.signature), "slot": row.slot, "blockTime": row.block_time or 0}


def _cursor_b58(row: SignatureRow) -> str:
    return b58encode(struct.pack("<Q", row.slot) + bytes(row.signature))


def _cursor_bytes(value: Any, length: int) -> bytes:
    """A base58 cursor of exactly ``length`` bytes (``-32602`` otherwise)."""
    if not isinstance(value, str):
        raise _invalid("cursor must be a string")
    try:
        raw = b58decode(value)
    except ValueError:
        raise _invalid("cursor is not base58") from None
    if len(raw) != length:
        raise _invalid("cursor has the wrong length")
    return raw


def _parse_signature_cursor(value: Any) -> tuple[int, bytes]:
    raw = _cursor_bytes(value, 72)
    return struct.unpack("<Q", raw[:8])[0], raw[8:]


def _activity_json(row: ActivityRow) -> dict[str, Any]:
    return {
        "signature": str(row.signature),
        "slot": row.slot,
        "blockTime": row.block_time or 0,
        "position": row.position,
        "instruction": row.instruction,
        "inbox": None if row.inbox is None else str(row.inbox),
        "threadId": row.thread_id,
        "signer": None if row.signer is None else str(row.signer),
        "args": row.detail.get("args", {}),
        "events": row.detail.get("events", []),
    }


def _activity_cursor(row: ActivityRow) -> str:
    return b58encode(
        struct.pack("<Q", row.slot) + bytes(row.signature) + struct.pack("<H", row.position)
    )


def _parse_activity_cursor(value: Any) -> tuple[int, bytes, int]:
    raw = _cursor_bytes(value, 74)
    return struct.unpack("<Q", raw[:8])[0], raw[8:72], struct.unpack("<H", raw[72:])[0]
