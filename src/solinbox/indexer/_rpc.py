"""JSON-RPC plumbing of the Photon API: errors, param checks (Photon's rules), dispatch.

:func:`handle_request` answers one request object and never raises; the checks refuse what
Photon's ``serde`` types refuse (unknown fields, wrong types, u64 ranges) with ``-32602``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from solders.pubkey import Pubkey

from solinbox._base58 import b58decode

__all__ = ["PAGE_LIMIT", "RpcError", "handle_request"]

log = logging.getLogger("solinbox.indexer.server")
PAGE_LIMIT = 1000
_PROOF_METHODS = {
    "getValidityProof", "getValidityProofV2", "getCompressedAccountProof", "getCompressedAccountProofV2",
    "getMultipleCompressedAccountProofs", "getMultipleCompressedAccountProofsV2",
    "getMultipleNewAddressProofs", "getMultipleNewAddressProofsV2",
}  # fmt: skip
_QUEUE_METHODS = {"getQueueElements", "getQueueInfo"}
#: Photon methods this indexer cannot answer, and why (``-32000``, not "Method not found").
_UNAVAILABLE = {
    **{m: "this indexer runs without a prover (validity proofs need one)" for m in _PROOF_METHODS},
    **{m: "this indexer does not keep the state trees' queues (only foresters read them, to"
          " batch-update the trees with a prover)" for m in _QUEUE_METHODS},
}  # fmt: skip


class RpcError(Exception):
    """A JSON-RPC error to answer."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _invalid(message: str) -> RpcError:
    return RpcError(-32602, f"Invalid params: {message}")


def _b58(raw: bytes) -> str:
    return str(Pubkey(raw))


def _pubkey(value: Any, name: str) -> Pubkey:
    if not isinstance(value, str):
        raise _invalid(f"{name} must be a base58 string")
    try:
        return Pubkey.from_string(value)
    except ValueError:
        raise RpcError(-32000, f"Invalid Public Key: {value}") from None


def _hash(value: Any, name: str) -> bytes:
    return bytes(_pubkey(value, name))


def _params(raw: Any, allowed: set[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _invalid("params must be an object")
    unknown = set(raw) - allowed
    if unknown:
        raise _invalid(f"unknown field `{sorted(unknown)[0]}`, expected one of {sorted(allowed)}")
    return raw


def _is_usize(value: Any) -> bool:
    """A JSON number Photon's ``usize`` fields accept."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 64


def _optional_pubkey(params: dict[str, Any], name: str) -> Pubkey | None:
    return None if params.get(name) is None else _pubkey(params[name], name)


def _base58_cursor(value: Any, length: int) -> bytes | None:
    """A Photon ``Base58String`` cursor of ``length`` bytes (None when absent)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid("cursor must be a base58 string")
    try:
        raw = b58decode(value)
    except ValueError:
        raise _invalid("cursor is not base58") from None
    if len(raw) != length:
        raise RpcError(
            -32000,
            f"Validation Error: Invalid cursor length. Expected {length}. Received {len(raw)}.",
        )
    return raw


def _limit(value: Any) -> int:
    if value is None:
        return PAGE_LIMIT
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= PAGE_LIMIT:
        raise _invalid(f"limit must be an integer from 1 to {PAGE_LIMIT}")
    return value


def _error(code: int, message: str, request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": request_id}


def handle_request(methods: dict[str, Callable[[Any], Any]], request: Any) -> dict[str, Any]:
    """Answer one JSON-RPC request object (never raises)."""
    if (
        not isinstance(request, dict)
        or request.get("jsonrpc") != "2.0"
        or not isinstance(request.get("method"), str)
    ):
        return _error(
            -32600, "Invalid request", request.get("id") if isinstance(request, dict) else None
        )
    request_id = request.get("id")
    method = request["method"]
    if method in _UNAVAILABLE:
        return _error(-32000, f"{method} is not available: {_UNAVAILABLE[method]}", request_id)
    fn = methods.get(method)
    if fn is None:
        return _error(-32601, "Method not found", request_id)
    try:
        result = fn(request.get("params"))
    except RpcError as exc:
        return _error(exc.code, exc.message, request_id)
    except Exception:  # pragma: no cover - a bug; answer, log, stay up
        log.exception("internal error in %s", method)
        return _error(-32603, "Internal server error", request_id)
    return {"jsonrpc": "2.0", "result": result, "id": request_id}
