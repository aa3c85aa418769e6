"""Parameter parsing and limits shared by every method family (a validator's checks and messages)."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from solinbox.jsonrpc import INVALID_PARAMS, JsonRpcError
from solinbox.localnet import _codec
from solinbox.localnet.bank import Commitment

#: The agave version whose RPC this server imitates (reported by getVersion and in contexts).
API_VERSION = "2.2.0"
FEATURE_SET = 3294202862
BLOCK_NOT_AVAILABLE = -32004
PREFLIGHT_FAILURE = -32002
SIGNATURE_VERIFICATION_FAILURE = -32003
SLOT_SKIPPED = -32007
NO_SNAPSHOT = -32008
UNSUPPORTED_TRANSACTION_VERSION = -32015
MIN_CONTEXT_SLOT_NOT_REACHED = -32016
PACKET_DATA_SIZE = 1232
MAX_BASE58_SIZE = 1683
MAX_BASE64_SIZE = 1644
MAX_MULTIPLE_ACCOUNTS = 100
MAX_GET_SIGNATURES_LIMIT = 1000
MAX_GET_BLOCKS_RANGE = 500_000
MAX_PROGRAM_ACCOUNT_FILTERS = 4
_TX_TYPE = "solana_transaction::versioned::VersionedTransaction"
T = TypeVar("T")

RpcError = JsonRpcError
"""The localnet's method errors are :class:`solinbox.jsonrpc.JsonRpcError` (one error type)."""


def _size_is(size: int, data: bytes) -> bool:
    return len(data) == size


def _memcmp(offset: int, needle: bytes, data: bytes) -> bool:
    return data[offset : offset + len(needle)] == needle


def invalid_params(message: str) -> RpcError:
    """A -32602 error."""
    return RpcError(INVALID_PARAMS, message)


def _base58(value: Any, kind: Callable[[str], T]) -> T:
    if not isinstance(value, str):
        raise invalid_params("Invalid params: invalid type: expected a base-58 encoded string.")
    try:
        return kind(value)
    except Exception:  # solders raises its own parse errors
        raise invalid_params("Invalid param: Invalid") from None


def parse_pubkey(value: Any) -> Pubkey:
    """A base58 address parameter, or -32602."""
    return _base58(value, Pubkey.from_string)


def parse_signature(value: Any) -> Signature:
    """A base58 signature parameter, or -32602."""
    return _base58(value, Signature.from_string)


def param(params: list[Any], index: int, name: str) -> Any:
    """The positional parameter ``index`` (named ``name`` in the error), or -32602."""
    if index >= len(params):
        raise invalid_params(f"Invalid params: missing field `{name}`.")
    return params[index]


def config_at(params: list[Any], index: int) -> dict[str, Any]:
    """The config object at ``index`` (``{}`` when absent), or -32602."""
    if index >= len(params) or params[index] is None:
        return {}
    value = params[index]
    if not isinstance(value, dict):
        raise invalid_params("Invalid params: invalid type: expected a config object.")
    return value


def u64(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 2**64:
        raise invalid_params(f"Invalid params: invalid type for `{name}`: expected u64.")
    return value


def parse_commitment(config: dict[str, Any], default: Commitment = "finalized") -> Commitment:
    """The config's commitment (legacy names mapped like a validator does), or -32602."""
    value = config.get("commitment", default)
    if value is None:
        return default
    mapping: dict[str, Commitment] = {
        "processed": "processed", "confirmed": "confirmed", "finalized": "finalized",
        "recent": "processed", "single": "confirmed", "singleGossip": "confirmed",
        "root": "finalized", "max": "finalized",
    }  # fmt: skip
    if value not in mapping:
        raise invalid_params(f"Invalid params: unknown variant `{value}`.")
    return mapping[value]


def parse_encoding(config: dict[str, Any], default: str, allowed: tuple[str, ...]) -> str:
    """The config's encoding, one of ``allowed``, or -32602."""
    value = config.get("encoding", default)
    if value is None:
        return default
    if value not in allowed:
        raise invalid_params(
            f"Invalid params: unknown variant `{value}`, expected one of {', '.join(allowed)}."
        )
    return str(value)


def data_slice(config: dict[str, Any]) -> tuple[int, int] | None:
    value = config.get("dataSlice")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_params("Invalid params: invalid type for `dataSlice`.")
    return u64(value.get("offset"), "offset"), u64(value.get("length"), "length")


def decode_transaction(data: Any, encoding: str) -> tuple[VersionedTransaction, bytes]:
    if not isinstance(data, str):
        raise invalid_params(
            "Invalid params: invalid type: expected an encoded transaction string."
        )
    limit = MAX_BASE58_SIZE if encoding == "base58" else MAX_BASE64_SIZE
    if len(data) > limit:
        raise invalid_params(
            f"{encoding} encoded {_TX_TYPE} too large: {len(data)} bytes (max: encoded/raw {limit}/{PACKET_DATA_SIZE})"
        )
    try:
        raw = (
            _codec.b58decode(data)
            if encoding == "base58"
            else base64.b64decode(data, validate=True)
        )
    except (ValueError, binascii.Error) as exc:
        raise invalid_params(f"invalid {encoding} encoding: {exc}") from None
    if len(raw) > PACKET_DATA_SIZE:
        raise invalid_params(
            f"decoded {_TX_TYPE} too large: {len(raw)} bytes (max: {PACKET_DATA_SIZE} bytes)"
        )
    try:
        tx = VersionedTransaction.from_bytes(raw)
    except ValueError as exc:
        raise invalid_params(f"failed to deserialize {_TX_TYPE}: {exc}") from None
    try:
        tx.sanitize()
    except (
        Exception
    ) as exc:  # solders raises SanitizeError (a ValueError subclass in some versions)
        raise invalid_params(f"invalid transaction: {exc}") from None
    return tx, raw


def parse_filters(filters: Any) -> list[Callable[[bytes], bool]]:
    """``getProgramAccounts`` / ``programSubscribe`` filters (``memcmp``, ``dataSize``) as checks."""
    if filters is None:
        return []
    if not isinstance(filters, list):
        raise invalid_params("Invalid params: invalid type for `filters`.")
    if len(filters) > MAX_PROGRAM_ACCOUNT_FILTERS:
        raise invalid_params(f"Too many filters provided; max {MAX_PROGRAM_ACCOUNT_FILTERS}")
    checks: list[Callable[[bytes], bool]] = []
    for f in filters:
        if isinstance(f, dict) and "dataSize" in f:
            size = u64(f["dataSize"], "dataSize")
            checks.append(functools.partial(_size_is, size))
        elif isinstance(f, dict) and isinstance(f.get("memcmp"), dict):
            memcmp = f["memcmp"]
            offset = u64(memcmp.get("offset"), "offset")
            text = memcmp.get("bytes")
            enc = memcmp.get("encoding", "base58") or "base58"
            if not isinstance(text, str):
                raise invalid_params("Invalid params: invalid type for memcmp `bytes`.")
            try:
                if enc == "base58":
                    if len(text) > 175:
                        raise invalid_params(
                            "Encoded binary (base 58) data should be less than 129 bytes"
                        )
                    needle = _codec.b58decode(text)
                elif enc == "base64":
                    needle = base64.b64decode(text, validate=True)
                else:
                    raise invalid_params(f"Invalid params: unknown variant `{enc}`.")
            except (ValueError, binascii.Error):
                raise invalid_params("Invalid param: invalid memcmp bytes") from None
            checks.append(functools.partial(_memcmp, offset, needle))
        else:
            raise invalid_params("Invalid params: unknown filter, expected memcmp or dataSize.")
    return checks
