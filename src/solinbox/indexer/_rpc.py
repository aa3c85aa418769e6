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
from solinbox.jsonrpc import INVALID_REQUEST, METHOD_NOT_FOUND, JsonRpcError, Request, answer

__all__ = ["PAGE_LIMIT", "RpcError", "call_method", "handle_request"]

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


RpcError = JsonRpcError
"""Photon API errors are :class:`solinbox.jsonrpc.JsonRpcError` (one error type)."""


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


def call_method(methods: dict[str, Callable[[Any], Any]], request: Request) -> Any:
    """Run one valid request against the method table; raises :class:`RpcError`."""
    method = request.method
    if method in _UNAVAILABLE:
        raise RpcError(-32000, f"{method} is not available: {_UNAVAILABLE[method]}")
    fn = methods.get(method)
    if fn is None:
        raise RpcError(METHOD_NOT_FOUND, "Method not found")
    return fn(request.params)


def _photon_envelope(request: Any) -> dict[str, Any] | None:
    """Photon's spec requires ``id``: a request without one is invalid (not a notification)."""
    if isinstance(request, dict) and "id" not in request:
        return _error(INVALID_REQUEST, "Invalid request: missing id", None)
    return None


def handle_request(methods: dict[str, Callable[[Any], Any]], request: Any) -> dict[str, Any]:
    """Answer one JSON-RPC request object (never raises)."""
    refused = _photon_envelope(request)
    if refused is not None:
        return refused
    return answer(request, lambda r: call_method(methods, r))  # type: ignore[no-any-return]
