"""The JSON-RPC methods of the localnet: parameter checks, bank calls, validator-shaped results.

Transport-free: :meth:`RpcMethods.call` takes a method name and its ``params`` and returns the
``result`` value or raises :class:`RpcError` carrying the validator's error code and message.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from typing import Any

from solders.account import Account
from solders.hash import Hash
from solders.message import Message, MessageV0, from_bytes_versioned
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from solinbox.jsonrpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    JsonRpcError,
)
from solinbox.localnet import _codec
from solinbox.localnet.bank import Bank, Commitment, Rejected, TransactionRecord

__all__ = ["API_VERSION", "RpcError", "RpcMethods"]

#: The agave version whose RPC this server imitates (reported by getVersion and in contexts).
API_VERSION = "2.2.0"
FEATURE_SET = 3294202862

BLOCK_NOT_AVAILABLE = -32004
PREFLIGHT_FAILURE = -32002
SIGNATURE_VERIFICATION_FAILURE = -32003
SLOT_SKIPPED = -32007
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


def _size_is(size: int, data: bytes) -> bool:
    return len(data) == size


def _memcmp(offset: int, needle: bytes, data: bytes) -> bool:
    return data[offset : offset + len(needle)] == needle


RpcError = JsonRpcError
"""The localnet's method errors are :class:`solinbox.jsonrpc.JsonRpcError` (one error type)."""


def invalid_params(message: str) -> RpcError:
    """A -32602 error."""
    return RpcError(INVALID_PARAMS, message)


# --------------------------------------------------------------------------------- param parsing


def parse_pubkey(value: Any) -> Pubkey:
    """A base58 address parameter, or -32602."""
    if not isinstance(value, str):
        raise invalid_params("Invalid params: invalid type: expected a base-58 encoded string.")
    try:
        return Pubkey.from_string(value)
    except Exception:  # solders raises its own parse errors
        raise invalid_params("Invalid param: Invalid") from None


def parse_signature(value: Any) -> Signature:
    """A base58 signature parameter, or -32602."""
    if not isinstance(value, str):
        raise invalid_params("Invalid params: invalid type: expected a base-58 encoded string.")
    try:
        return Signature.from_string(value)
    except Exception:  # solders raises its own parse errors
        raise invalid_params("Invalid param: Invalid") from None


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


def _int(value: Any, name: str) -> int:
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


def _data_slice(config: dict[str, Any]) -> tuple[int, int] | None:
    value = config.get("dataSlice")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_params("Invalid params: invalid type for `dataSlice`.")
    return _int(value.get("offset"), "offset"), _int(value.get("length"), "length")


def _decode_transaction(data: Any, encoding: str) -> tuple[VersionedTransaction, bytes]:
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


# ------------------------------------------------------------------------------------- results


def _return_data(meta: Any) -> dict[str, Any] | None:
    data = meta.return_data() if meta is not None else None
    if data is None or not bytes(data.data):
        return None
    return {
        "programId": str(data.program_id),
        "data": [base64.b64encode(bytes(data.data)).decode(), "base64"],
    }


def _inner_instructions(meta: Any) -> list[dict[str, Any]]:
    out = []
    for index, inner in enumerate(meta.inner_instructions()):
        if inner:
            out.append(
                {
                    "index": index,
                    "instructions": [
                        {
                            "accounts": list(i.instruction().accounts),
                            "data": _codec.b58encode(bytes(i.instruction().data)),
                            "programIdIndex": i.instruction().program_id_index,
                            "stackHeight": i.stack_height(),
                        }
                        for i in inner
                    ],
                }
            )
    return out


def status_meta(record: TransactionRecord) -> dict[str, Any]:
    """``UiTransactionStatusMeta`` of a recorded transaction."""
    meta = record.meta
    out: dict[str, Any] = {
        "computeUnitsConsumed": meta.compute_units_consumed(),
        "err": record.err,
        "fee": meta.fee(),
        "innerInstructions": _inner_instructions(meta),
        "loadedAddresses": {
            "readonly": [str(k) for k in record.loaded_readonly],
            "writable": [str(k) for k in record.loaded_writable],
        },
        "logMessages": list(meta.logs()),
        "postBalances": record.post_balances,
        "postTokenBalances": record.post_token_balances,
        "preBalances": record.pre_balances,
        "preTokenBalances": record.pre_token_balances,
        "rewards": [],
        "status": {"Ok": None} if record.err is None else {"Err": record.err},
    }
    return_data = _return_data(meta)
    if return_data is not None:
        out["returnData"] = return_data
    return out


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
            size = _int(f["dataSize"], "dataSize")
            checks.append(functools.partial(_size_is, size))
        elif isinstance(f, dict) and isinstance(f.get("memcmp"), dict):
            memcmp = f["memcmp"]
            offset = _int(memcmp.get("offset"), "offset")
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


class RpcMethods:
    """The method table of the localnet over one :class:`~solinbox.localnet.bank.Bank`."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.table: dict[str, Callable[[list[Any]], Any]] = {
            "getVersion": self.get_version,
            "getHealth": lambda _p: "ok",
            "getIdentity": lambda _p: {"identity": str(self.bank.faucet.pubkey())},
            "getGenesisHash": lambda _p: str(self.bank.genesis_hash),
            "getSlot": self.get_slot,
            "getBlockHeight": self.get_block_height,
            "getTransactionCount": lambda p: self.bank.transaction_count,
            "getEpochInfo": self.get_epoch_info,
            "getLatestBlockhash": self.get_latest_blockhash,
            "isBlockhashValid": self.is_blockhash_valid,
            "getFeeForMessage": self.get_fee_for_message,
            "getMinimumBalanceForRentExemption": self.get_minimum_balance_for_rent_exemption,
            "getBalance": self.get_balance,
            "getAccountInfo": self.get_account_info,
            "getMultipleAccounts": self.get_multiple_accounts,
            "getProgramAccounts": self.get_program_accounts,
            "requestAirdrop": self.request_airdrop,
            "sendTransaction": self.send_transaction,
            "simulateTransaction": self.simulate_transaction,
            "getSignatureStatuses": self.get_signature_statuses,
            "getTransaction": self.get_transaction,
            "getSignaturesForAddress": self.get_signatures_for_address,
            "getBlock": self.get_block,
            "getBlocks": self.get_blocks,
            "getBlockTime": self.get_block_time,
            "getFirstAvailableBlock": lambda _p: 0,
            "minimumLedgerSlot": lambda _p: 0,
            "getTokenAccountBalance": self.get_token_account_balance,
            "getTokenAccountsByOwner": self.get_token_accounts_by_owner,
        }

    def call(self, method: str, params: Any) -> Any:
        """Run one method; raises :class:`RpcError`."""
        handler = self.table.get(method)
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not found")
        if params is None:
            params = []
        if not isinstance(params, list):
            raise invalid_params("Invalid params: invalid type: map, expected a sequence.")
        return handler(params)

    # ------------------------------------------------------------------------------ helpers

    def _context(
        self, config: dict[str, Any], commitment: Commitment | None = None
    ) -> dict[str, Any]:
        slot = self.bank.slot_for(commitment or parse_commitment(config))
        min_slot = config.get("minContextSlot")
        if min_slot is not None and _int(min_slot, "minContextSlot") > slot:
            raise RpcError(
                MIN_CONTEXT_SLOT_NOT_REACHED,
                "Minimum context slot has not been reached",
                {"contextSlot": slot},
            )
        return {"apiVersion": API_VERSION, "slot": slot}

    def _ui_account(
        self, account: Account | None, encoding: str, data_slice: tuple[int, int] | None
    ) -> Any:
        if account is None:
            return None
        try:
            return _codec.encode_account(account, encoding, data_slice, self.bank.get_account)
        except ValueError as exc:
            raise invalid_params(str(exc)) from None

    # ------------------------------------------------------------------------------ cluster

    def get_version(self, params: list[Any]) -> Any:
        """GetVersion."""
        return {"feature-set": FEATURE_SET, "solana-core": API_VERSION}

    def get_slot(self, params: list[Any]) -> Any:
        """GetSlot."""
        config = config_at(params, 0)
        self._context(config)
        return self.bank.slot_for(parse_commitment(config))

    def get_block_height(self, params: list[Any]) -> Any:
        """GetBlockHeight."""
        config = config_at(params, 0)
        self._context(config)
        return self.bank.block_height_for(parse_commitment(config))

    def get_epoch_info(self, params: list[Any]) -> Any:
        """GetEpochInfo."""
        config = config_at(params, 0)
        self._context(config)
        slot = self.bank.slot_for(parse_commitment(config))
        per_epoch = 432_000
        return {
            "absoluteSlot": slot,
            "blockHeight": slot,
            "epoch": slot // per_epoch,
            "slotIndex": slot % per_epoch,
            "slotsInEpoch": per_epoch,
            "transactionCount": self.bank.transaction_count,
        }

    def get_latest_blockhash(self, params: list[Any]) -> Any:
        """GetLatestBlockhash."""
        config = config_at(params, 0)
        context = self._context(config)
        blockhash, last_valid = self.bank.latest_blockhash(parse_commitment(config))
        return {
            "context": context,
            "value": {"blockhash": str(blockhash), "lastValidBlockHeight": last_valid},
        }

    def is_blockhash_valid(self, params: list[Any]) -> Any:
        """IsBlockhashValid."""
        value = param(params, 0, "blockhash")
        config = config_at(params, 1)
        try:
            blockhash = Hash.from_string(value) if isinstance(value, str) else None
        except Exception:  # solders.ParseHashError
            blockhash = None
        if blockhash is None:
            raise invalid_params("Invalid param: Invalid")
        context = self._context(config)
        return {
            "context": context,
            "value": self.bank.is_blockhash_valid(blockhash, parse_commitment(config)),
        }

    def get_fee_for_message(self, params: list[Any]) -> Any:
        """GetFeeForMessage."""
        data = param(params, 0, "message")
        config = config_at(params, 1)
        try:
            message = from_bytes_versioned(base64.b64decode(data, validate=True))
        except Exception as exc:  # base64 and solders decoding errors
            raise invalid_params(f"invalid message: {exc}") from None
        assert isinstance(message, Message | MessageV0)
        context = self._context(config)
        valid = self.bank.is_blockhash_valid(message.recent_blockhash, parse_commitment(config))
        return {"context": context, "value": self.bank.fee_for_message(message) if valid else None}

    def get_minimum_balance_for_rent_exemption(self, params: list[Any]) -> Any:
        """GetMinimumBalanceForRentExemption."""
        size = _int(param(params, 0, "usize"), "usize")
        if size > 10 * 1024 * 1024:
            raise invalid_params(
                "Invalid params: data length exceeds the maximum permitted 10485760."
            )
        return self.bank.minimum_balance_for_rent_exemption(size)

    # ----------------------------------------------------------------------------- accounts

    def get_balance(self, params: list[Any]) -> Any:
        """GetBalance."""
        key = parse_pubkey(param(params, 0, "pubkey"))
        config = config_at(params, 1)
        context = self._context(config)
        account = self.bank.get_account(key)
        return {"context": context, "value": account.lamports if account else 0}

    def get_account_info(self, params: list[Any]) -> Any:
        """GetAccountInfo."""
        key = parse_pubkey(param(params, 0, "pubkey"))
        config = config_at(params, 1)
        encoding = parse_encoding(
            config, "base58", ("base58", "base64", "base64+zstd", "jsonParsed", "binary")
        )
        encoding = "base58" if encoding == "binary" else encoding
        context = self._context(config)
        value = self._ui_account(self.bank.get_account(key), encoding, _data_slice(config))
        return {"context": context, "value": value}

    def get_multiple_accounts(self, params: list[Any]) -> Any:
        """GetMultipleAccounts."""
        keys = param(params, 0, "pubkeys")
        if not isinstance(keys, list):
            raise invalid_params("Invalid params: invalid type: expected a sequence of pubkeys.")
        if len(keys) > MAX_MULTIPLE_ACCOUNTS:
            raise invalid_params(f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
        pubkeys = [parse_pubkey(k) for k in keys]
        config = config_at(params, 1)
        encoding = parse_encoding(
            config, "base64", ("base58", "base64", "base64+zstd", "jsonParsed")
        )
        data_slice = _data_slice(config)
        context = self._context(config)
        return {
            "context": context,
            "value": [
                self._ui_account(self.bank.get_account(k), encoding, data_slice) for k in pubkeys
            ],
        }

    def get_program_accounts(self, params: list[Any]) -> Any:
        """GetProgramAccounts (``memcmp`` and ``dataSize`` filters, ``withContext``)."""
        program = parse_pubkey(param(params, 0, "pubkey"))
        config = config_at(params, 1)
        encoding = parse_encoding(
            config, "base58", ("base58", "base64", "base64+zstd", "jsonParsed")
        )
        data_slice = _data_slice(config)
        checks = self._filters(config.get("filters"))
        context = self._context(config)
        value = []
        for key, account in self.bank.program_accounts(program):
            if checks:
                data = bytes(account.data)
                if not all(check(data) for check in checks):
                    continue
            value.append(
                {"account": self._ui_account(account, encoding, data_slice), "pubkey": str(key)}
            )
        if config.get("withContext"):
            return {"context": context, "value": value}
        return value

    @staticmethod
    def _filters(filters: Any) -> list[Callable[[bytes], bool]]:
        return parse_filters(filters)

    def get_token_account_balance(self, params: list[Any]) -> Any:
        """GetTokenAccountBalance."""
        key = parse_pubkey(param(params, 0, "pubkey"))
        config = config_at(params, 1)
        context = self._context(config)
        account = self.bank.get_account(key)
        token = (
            _codec.parse_token_account(bytes(account.data))
            if account is not None and account.owner in _codec.TOKEN_PROGRAMS
            else None
        )
        if token is None:
            raise invalid_params("Invalid param: not a Token account")
        mint = self.bank.get_account(token[0])
        decimals = mint.data[44] if mint is not None and len(mint.data) >= 82 else 0
        return {"context": context, "value": _codec.token_amount(token[2], decimals)}

    def get_token_accounts_by_owner(self, params: list[Any]) -> Any:
        """GetTokenAccountsByOwner (``mint`` or ``programId`` filter)."""
        owner = parse_pubkey(param(params, 0, "pubkey"))
        selector = param(params, 1, "filter")
        config = config_at(params, 2)
        encoding = parse_encoding(
            config, "base58", ("base58", "base64", "base64+zstd", "jsonParsed")
        )
        data_slice = _data_slice(config)
        mint: Pubkey | None = None
        if isinstance(selector, dict) and "mint" in selector:
            mint = parse_pubkey(selector["mint"])
            mint_account = self.bank.get_account(mint)
            if mint_account is None or mint_account.owner not in _codec.TOKEN_PROGRAMS:
                raise invalid_params("Invalid param: could not find mint")
            program = mint_account.owner
        elif isinstance(selector, dict) and "programId" in selector:
            program = parse_pubkey(selector["programId"])
            if program not in _codec.TOKEN_PROGRAMS:
                raise invalid_params("Invalid param: unrecognized Token program id")
        else:
            raise invalid_params("Invalid params: expected `mint` or `programId`.")
        context = self._context(config)
        value = []
        for key, account in self.bank.program_accounts(program):
            token = _codec.parse_token_account(bytes(account.data))
            if token is None or token[1] != owner or (mint is not None and token[0] != mint):
                continue
            value.append(
                {"account": self._ui_account(account, encoding, data_slice), "pubkey": str(key)}
            )
        return {"context": context, "value": value}

    # ------------------------------------------------------------------------- transactions

    def request_airdrop(self, params: list[Any]) -> Any:
        """RequestAirdrop (a real transfer from the faucet)."""
        key = parse_pubkey(param(params, 0, "pubkey"))
        lamports = _int(param(params, 1, "lamports"), "lamports")
        outcome = self.bank.airdrop(key, lamports)
        if isinstance(outcome, Rejected) or outcome.err is not None:
            err = outcome.err
            raise RpcError(INTERNAL_ERROR, f"airdrop request failed: {_codec.error_text(err)}")
        return str(outcome.signature)

    def _simulation_value(
        self, sim: Any, *, accounts: Any = None, inner: bool = False
    ) -> dict[str, Any]:
        meta = sim.meta
        return {
            "accounts": accounts,
            "err": sim.err,
            "innerInstructions": _inner_instructions(meta) if inner and meta is not None else None,
            "loadedAccountsDataSize": 0,
            "logs": list(meta.logs()) if meta is not None else [],
            "replacementBlockhash": None,
            "returnData": _return_data(meta),
            "unitsConsumed": meta.compute_units_consumed() if meta is not None else 0,
        }

    def send_transaction(self, params: list[Any]) -> Any:
        """SendTransaction (preflight simulation unless ``skipPreflight``)."""
        data = param(params, 0, "data")
        config = config_at(params, 1)
        encoding = parse_encoding(config, "base58", ("base58", "base64"))
        tx, _raw = _decode_transaction(data, encoding)
        try:
            tx.verify_and_hash_message()
        except Exception:
            raise RpcError(
                SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"
            ) from None
        if not config.get("skipPreflight"):
            self._context(
                config, parse_commitment({"commitment": config.get("preflightCommitment")})
            )
            sim = self.bank.simulate(tx)
            if sim.err is not None:
                raise RpcError(
                    PREFLIGHT_FAILURE,
                    f"Transaction simulation failed: {_codec.error_text(sim.err)}",
                    self._simulation_value(sim),
                )
        self.bank.process(tx, verify=False)
        return str(tx.signatures[0])

    def simulate_transaction(self, params: list[Any]) -> Any:
        """SimulateTransaction."""
        data = param(params, 0, "data")
        config = config_at(params, 1)
        encoding = parse_encoding(config, "base58", ("base58", "base64"))
        tx, _raw = _decode_transaction(data, encoding)
        sig_verify = bool(config.get("sigVerify"))
        replace = bool(config.get("replaceRecentBlockhash"))
        if sig_verify and replace:
            raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
        if sig_verify:
            try:
                tx.verify_and_hash_message()
            except Exception:
                raise RpcError(
                    SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"
                ) from None
        context = self._context(config)
        sim = self.bank.simulate(tx, replace_blockhash=replace)
        accounts_config = config.get("accounts")
        accounts = None
        if isinstance(accounts_config, dict):
            addresses = accounts_config.get("addresses") or []
            if not isinstance(addresses, list):
                raise invalid_params("Invalid params: invalid type for `addresses`.")
            acc_encoding = parse_encoding(
                accounts_config, "base64", ("base64", "base64+zstd", "jsonParsed")
            )
            accounts = []
            for address in addresses:
                key = parse_pubkey(address)
                account = (
                    sim.post_accounts.get(key)
                    if key in sim.post_accounts
                    else self.bank.get_account(key)
                )
                if account is not None and account.lamports == 0 and not account.executable:
                    account = None
                accounts.append(self._ui_account(account, acc_encoding, None))
        value = self._simulation_value(
            sim, accounts=accounts, inner=bool(config.get("innerInstructions"))
        )
        if replace:
            blockhash, last_valid = self.bank.latest_blockhash("processed")
            value["replacementBlockhash"] = {
                "blockhash": str(blockhash),
                "lastValidBlockHeight": last_valid,
            }
        return {"context": context, "value": value}

    def get_signature_statuses(self, params: list[Any]) -> Any:
        """GetSignatureStatuses."""
        signatures = param(params, 0, "signatures")
        if not isinstance(signatures, list):
            raise invalid_params("Invalid params: invalid type: expected a sequence of signatures.")
        if len(signatures) > 256:
            raise invalid_params("Too many inputs provided; max 256")
        parsed = [parse_signature(s) for s in signatures]
        config = config_at(params, 1)
        context = self._context(config, "processed")
        value: list[Any] = []
        for signature in parsed:
            record = self.bank.record(signature)
            if record is None:
                value.append(None)
                continue
            status = self.bank.status_of_slot(record.slot)
            value.append(
                {
                    "confirmationStatus": status,
                    "confirmations": None
                    if status == "finalized"
                    else max(0, self.bank.confirmed_slot - record.slot + 1)
                    if status == "confirmed"
                    else 0,
                    "err": record.err,
                    "slot": record.slot,
                    "status": {"Ok": None} if record.err is None else {"Err": record.err},
                }
            )
        return {"context": context, "value": value}

    @staticmethod
    def _history_commitment(config: dict[str, Any]) -> Commitment:
        commitment = parse_commitment(config)
        if commitment == "processed":
            raise invalid_params("Method does not support commitment below `confirmed`")
        return commitment

    @staticmethod
    def _check_version(record: TransactionRecord, config: dict[str, Any]) -> int | str:
        version = _codec.transaction_version(record.transaction)
        max_version = config.get("maxSupportedTransactionVersion")
        if version == 0 and max_version is None:
            raise RpcError(
                UNSUPPORTED_TRANSACTION_VERSION,
                "Transaction version (0) is not supported by the requesting client. Please try the request "
                'again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
            )
        if version == 0 and max_version != 0:
            raise invalid_params(f"Invalid params: unsupported transaction version {max_version}.")
        return version

    def _encoded_with_meta(
        self, record: TransactionRecord, encoding: str, config: dict[str, Any]
    ) -> dict[str, Any]:
        version = self._check_version(record, config)
        tx = record.transaction
        out: dict[str, Any] = {
            "meta": status_meta(record),
            "transaction": _codec.encode_transaction(
                tx, bytes(tx) if encoding != "json" else b"", encoding
            ),
        }
        if config.get("maxSupportedTransactionVersion") is not None:
            out["version"] = version
        return out

    def get_transaction(self, params: list[Any]) -> Any:
        """GetTransaction (``json``, ``jsonParsed`` served as ``json``, ``base64``, ``base58``)."""
        signature = parse_signature(param(params, 0, "signature"))
        config = config_at(params, 1)
        encoding = parse_encoding(config, "json", ("json", "jsonParsed", "base64", "base58"))
        encoding = "json" if encoding == "jsonParsed" else encoding
        record = self.bank.transaction(signature, self._history_commitment(config))
        if record is None:
            return None
        out = self._encoded_with_meta(record, encoding, config)
        out["slot"] = record.slot
        out["blockTime"] = self.bank.block_time(record.slot)
        return out

    def get_signatures_for_address(self, params: list[Any]) -> Any:
        """GetSignaturesForAddress (``before``/``until``/``limit``)."""
        address = parse_pubkey(param(params, 0, "address"))
        config = config_at(params, 1)
        limit = config.get("limit") or MAX_GET_SIGNATURES_LIMIT
        if _int(limit, "limit") > MAX_GET_SIGNATURES_LIMIT or limit < 1:
            raise invalid_params(f"Invalid limit; max {MAX_GET_SIGNATURES_LIMIT}")
        before = parse_signature(config["before"]) if config.get("before") else None
        until = parse_signature(config["until"]) if config.get("until") else None
        commitment = self._history_commitment(config)
        self._context(config, commitment)
        records = self.bank.signatures_for_address(
            address, before=before, until=until, limit=limit, commitment=commitment
        )
        return [
            {
                "blockTime": self.bank.block_time(r.slot),
                "confirmationStatus": self.bank.status_of_slot(r.slot),
                "err": r.err,
                "memo": None,
                "signature": str(r.signature),
                "slot": r.slot,
            }
            for r in records
        ]

    def get_block(self, params: list[Any]) -> Any:
        """GetBlock (``transactionDetails`` full/signatures/none; ``rewards`` always empty)."""
        slot = _int(param(params, 0, "slot"), "slot")
        config = config_at(params, 1)
        encoding = parse_encoding(config, "json", ("json", "jsonParsed", "base64", "base58"))
        encoding = "json" if encoding == "jsonParsed" else encoding
        details = config.get("transactionDetails", "full") or "full"
        if details not in ("full", "signatures", "none", "accounts"):
            raise invalid_params(f"Invalid params: unknown variant `{details}`.")
        commitment = self._history_commitment(config)
        block = self.bank.block(slot, commitment)
        if block is None:
            if slot <= self.bank.slot_for(commitment):
                raise RpcError(
                    SLOT_SKIPPED,
                    f"Slot {slot} was skipped, or missing due to ledger jump to recent snapshot",
                )
            raise RpcError(BLOCK_NOT_AVAILABLE, f"Block not available for slot {slot}")
        out: dict[str, Any] = {
            "blockHeight": block.block_height,
            "blockTime": block.block_time,
            "blockhash": str(block.blockhash),
            "parentSlot": block.parent_slot,
            "previousBlockhash": str(block.previous_blockhash),
        }
        if config.get("rewards", True):
            out["rewards"] = []
        records = [self.bank.record(s) for s in block.signatures]
        if details in ("full", "accounts"):
            out["transactions"] = [
                self._encoded_with_meta(r, encoding, config) for r in records if r is not None
            ]
        elif details == "signatures":
            out["signatures"] = [str(s) for s in block.signatures]
        return out

    def get_blocks(self, params: list[Any]) -> Any:
        """GetBlocks."""
        start = _int(param(params, 0, "start_slot"), "start_slot")
        end: int | None = None
        config: dict[str, Any] = {}
        if len(params) > 1 and isinstance(params[1], dict):
            config = params[1]
        else:
            end = _int(params[1], "end_slot") if len(params) > 1 and params[1] is not None else None
            config = config_at(params, 2)
        if end is not None and end - start > MAX_GET_BLOCKS_RANGE:
            raise invalid_params(f"Slot range too large; max {MAX_GET_BLOCKS_RANGE}")
        commitment = self._history_commitment(config)
        if end is None and self.bank.slot_for(commitment) - start > MAX_GET_BLOCKS_RANGE:
            raise invalid_params(f"Slot range too large; max {MAX_GET_BLOCKS_RANGE}")
        return self.bank.blocks(start, end, commitment)

    def get_block_time(self, params: list[Any]) -> Any:
        """GetBlockTime."""
        slot = _int(param(params, 0, "slot"), "slot")
        block = self.bank.block(slot, "confirmed")
        if block is None:
            raise RpcError(BLOCK_NOT_AVAILABLE, f"Block not available for slot {slot}")
        return block.block_time
