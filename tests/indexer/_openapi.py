"""Photon's published result schemas (derived from its OpenAPI spec) as JSON-Schema validators."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema

SCHEMAS = Path(__file__).with_name("data") / "photon_result_schemas.json"
"""Derived from Photon's OpenAPI spec by ``scripts/derive-photon-schemas`` (committed)."""


@cache
def _schemas() -> dict[str, Any]:
    return json.loads(SCHEMAS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def spec_version() -> str:
    """The Photon version whose spec the schemas were derived from."""
    return str(_schemas()["source"]["version"])


def result_schema(method: str) -> dict[str, Any] | None:
    """The JSON schema of ``result`` for ``method`` (None if the spec has no such method)."""
    return _schemas()["results"].get(method)  # type: ignore[no-any-return]


_NULLABLE_STR = {"type": ["string", "null"]}
#: Our own methods (not Photon's): their result schemas, written here in the spec's style.
EXTENSION_SCHEMAS: dict[str, dict[str, Any]] = {
    "getInboxActivity": {
        "type": "object",
        "required": ["context", "value"],
        "additionalProperties": False,
        "properties": {
            "context": {
                "type": "object",
                "required": ["slot"],
                "properties": {"slot": {"type": "integer", "minimum": 0}},
            },
            "value": {
                "type": "object",
                "required": ["items", "cursor"],
                "additionalProperties": False,
                "properties": {
                    "cursor": _NULLABLE_STR,
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": [
                                "signature",
                                "slot",
                                "blockTime",
                                "position",
                                "instruction",
                                "inbox",
                                "threadId",
                                "signer",
                                "args",
                                "events",
                            ],
                            "properties": {
                                "signature": {"type": "string"},
                                "slot": {"type": "integer", "minimum": 0},
                                "blockTime": {"type": "integer", "minimum": 0},
                                "position": {"type": "integer", "minimum": 0},
                                "instruction": _NULLABLE_STR,
                                "inbox": _NULLABLE_STR,
                                "threadId": {"type": ["integer", "null"], "minimum": 0},
                                "signer": _NULLABLE_STR,
                                "args": {"type": "object"},
                                "events": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["name", "data"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "name": {"type": "string"},
                                            "data": {"type": "object"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    }
}


class SchemaViolation(AssertionError):
    """A response does not match Photon's published schema."""


def validate(method: str, result: Any) -> None:
    """Raise SchemaViolation if ``result`` does not match the spec for ``method``."""
    # Photon registers getCompressedBalance as an alias of the published getCompressedAccountBalance
    schema = EXTENSION_SCHEMAS.get(method) or result_schema(
        {"getCompressedBalance": "getCompressedAccountBalance"}.get(method, method)
    )
    if schema is None:
        raise SchemaViolation(f"{method} is not in Photon's OpenAPI spec")
    try:
        jsonschema.validate(result, schema)
    except jsonschema.ValidationError as exc:
        raise SchemaViolation(f"{method}: {exc.message} at {list(exc.absolute_path)}") from exc


checked: list[str] = []


async def validating_hook(response: httpx.Response) -> None:
    """httpx response hook: validate every successful JSON-RPC result against the spec."""
    await response.aread()
    request = json.loads(response.request.content or b"{}")
    if response.status_code != 200 or not isinstance(request, dict):
        return
    body = response.json()
    if "result" in body:
        validate(request["method"], body["result"])
        checked.append(request["method"])
