"""The JSON-RPC 2.0 envelope: parsing with limits, request validation, batches, error objects."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from solinbox.errors import SolinboxError

__all__ = [
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "INVALID_REQUEST",
    "MAX_DEPTH",
    "METHOD_NOT_FOUND",
    "PARSE_ERROR",
    "JsonRpcError",
    "Request",
    "answer",
    "answer_async",
    "error_response",
    "parse_body",
]

log = logging.getLogger("solinbox.jsonrpc")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

MAX_DEPTH = 64
"""Deepest nesting of arrays/objects a request may have (a validator's params need ~6)."""


class JsonRpcError(SolinboxError):
    """A JSON-RPC error: raised by method handlers, answered as the response's ``error``.

    Also what a reader raises for an error answer it received.
    """

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        """The ``error`` member of a response."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


@dataclass(frozen=True, slots=True)
class Request:
    """A valid request: ``params`` is a list, an object or None; ``id`` a string, integer or None.

    ``notification`` is true when the request had no ``id`` member (it gets no answer).
    """

    method: str
    params: Any
    id: str | int | None
    notification: bool


def error_response(
    code: int, message: str, request_id: Any = None, data: Any = None
) -> dict[str, Any]:
    """A complete error response."""
    return {
        "jsonrpc": "2.0",
        "error": JsonRpcError(code, message, data).to_json(),
        "id": request_id,
    }


def _depth_ok(document: Any, limit: int) -> bool:
    """Whether ``document`` nests at most ``limit`` levels (iterative: no recursion)."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def parse_body(body: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a request body; raise :class:`JsonRpcError` (``-32700`` / ``-32600``) if it is unusable."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting
        raise JsonRpcError(PARSE_ERROR, "Parse error") from None
    if not _depth_ok(document, max_depth):
        raise JsonRpcError(
            INVALID_REQUEST, f"Invalid request: nested deeper than {max_depth} levels"
        )
    return document


def _valid_id(value: Any) -> bool:
    return value is None or (isinstance(value, str | int) and not isinstance(value, bool))


def _request(item: Any) -> Request | dict[str, Any]:
    """A :class:`Request`, or the error response for an invalid one."""
    if not isinstance(item, dict):
        return error_response(INVALID_REQUEST, "Invalid request")
    raw_id = item.get("id")
    request_id = raw_id if _valid_id(raw_id) else None
    if (
        item.get("jsonrpc") != "2.0"
        or not isinstance(item.get("method"), str)
        or not _valid_id(raw_id)
    ):
        return error_response(INVALID_REQUEST, "Invalid request", request_id)
    params = item.get("params")
    if params is not None and not isinstance(params, list | dict):
        return error_response(
            INVALID_PARAMS, "Invalid params: expected an array or an object", request_id
        )
    return Request(item["method"], params, request_id, "id" not in item)


def _failure(method: str, exc: BaseException, request_id: Any) -> dict[str, Any]:
    if isinstance(exc, JsonRpcError):
        return {"jsonrpc": "2.0", "error": exc.to_json(), "id": request_id}
    if isinstance(exc, KeyboardInterrupt | SystemExit) or type(exc).__name__ == "CancelledError":
        raise exc
    # a bug, or a Rust panic (pyo3's PanicException is a BaseException): answer, log, stay up
    log.exception("internal error in %s", method)
    return error_response(INTERNAL_ERROR, "Internal error", request_id)


def _one(item: Any, call: Callable[[Request], Any]) -> dict[str, Any] | None:
    request = _request(item)
    if isinstance(request, dict):
        return request
    try:
        response = {"jsonrpc": "2.0", "result": call(request), "id": request.id}
    except BaseException as exc:
        response = _failure(request.method, exc, request.id)
    return None if request.notification else response


async def _one_async(item: Any, call: Callable[[Request], Awaitable[Any]]) -> dict[str, Any] | None:
    request = _request(item)
    if isinstance(request, dict):
        return request
    try:
        response = {"jsonrpc": "2.0", "result": await call(request), "id": request.id}
    except BaseException as exc:
        response = _failure(request.method, exc, request.id)
    return None if request.notification else response


def _batch_check(document: Any, max_batch: int) -> dict[str, Any] | None:
    if isinstance(document, list):
        if not document:
            return error_response(INVALID_REQUEST, "Invalid request: empty batch")
        if len(document) > max_batch:
            return error_response(
                INVALID_REQUEST, f"Invalid request: batch larger than {max_batch}"
            )
    return None


def answer(document: Any, call: Callable[[Request], Any], *, max_batch: int = 1000) -> Any:
    """The response document for ``document`` (a request or a batch); None: nothing to send.

    ``call`` runs one valid request and returns its result or raises :class:`JsonRpcError`;
    anything else it raises is logged and answered ``-32603``.
    """
    refused = _batch_check(document, max_batch)
    if refused is not None:
        return refused
    if isinstance(document, list):
        answers = [a for a in (_one(item, call) for item in document) if a is not None]
        return answers or None
    return _one(document, call)


async def answer_async(
    document: Any, call: Callable[[Request], Awaitable[Any]], *, max_batch: int = 1000
) -> Any:
    """:func:`answer` for a coroutine ``call`` (batch items run one after another)."""
    refused = _batch_check(document, max_batch)
    if refused is not None:
        return refused
    if isinstance(document, list):
        answers = [a for a in [await _one_async(item, call) for item in document] if a is not None]
        return answers or None
    return await _one_async(document, call)
