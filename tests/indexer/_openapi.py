"""Photon's OpenAPI spec (shared/reference/photon-openapi.yaml) as JSON-Schema validators."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import yaml

SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "photon-openapi.yaml"


@cache
def _spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text())  # type: ignore[no-any-return]


def _resolve(node: Any, seen: tuple[str, ...] = ()) -> Any:
    spec = _spec()
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return {}
            return _resolve(spec["components"]["schemas"][name], (*seen, name))
        out = {
            k: _resolve(v, seen)
            for k, v in node.items()
            if k not in ("nullable", "example", "default")
        }
        if isinstance(out.get("properties"), dict):
            # The spec is generated from Rust: an ``Option<T>`` field is simply left out of
            # ``required``, and Photon serializes ``None`` as ``null`` (e.g. the last page's
            # cursor). So a property that is not required may be null.
            required = set(node.get("required", []))
            out["properties"] = {
                k: v if k in required else {"anyOf": [v, {"type": "null"}]}
                for k, v in out["properties"].items()
            }
        if node.get("nullable"):
            return {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_resolve(v, seen) for v in node]
    return node


@cache
def result_schema(method: str) -> dict[str, Any] | None:
    """The JSON schema of ``result`` for ``method`` (None if the spec has no such method)."""
    path = _spec()["paths"].get("/" + method)
    if path is None:
        return None
    schema = path["post"]["responses"]["200"]["content"]["application/json"]["schema"][
        "properties"
    ]["result"]
    return _resolve(schema)  # type: ignore[no-any-return]


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
