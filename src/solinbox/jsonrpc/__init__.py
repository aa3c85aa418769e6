"""JSON-RPC 2.0, written once: the envelope, errors, batches and an aiohttp server.

Used by every server and reader in solinbox: the localnet, the indexer's Photon API, the
Photon reader.

* :class:`JsonRpcError` — the one error type: ``code``, ``message``, optional ``data``; the
  standard codes are constants here (:data:`PARSE_ERROR` …).
* :func:`parse_body` — bytes to a JSON document, with a size and a nesting-depth limit (deep
  nesting answers ``-32700``/``-32600``, never a crash).
* :func:`answer` / :func:`answer_async` — a parsed document (one request or a batch) to the
  response document, given a function that runs one method; malformed envelopes, wrong-typed
  ``method`` / ``params`` / ``id``, notifications and handler crashes are all answered the
  JSON-RPC way.
* :func:`start_site` — bind an aiohttp application on loopback with aiohttp's public API and
  return the port it got.
"""

from __future__ import annotations

from solinbox.jsonrpc._envelope import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    MAX_DEPTH,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    JsonRpcError,
    Request,
    answer,
    answer_async,
    error_response,
    parse_body,
)
from solinbox.jsonrpc._serve import start_site

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
    "start_site",
]
