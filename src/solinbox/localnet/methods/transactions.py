"""Transactions: blockhashes and fees, sending, simulating, statuses and history."""

from __future__ import annotations

import base64
from typing import Any

from solders.hash import Hash
from solders.message import Message, MessageV0, from_bytes_versioned
from solders.transaction import VersionedTransaction

from solinbox.localnet import _codec
from solinbox.localnet.bank import compute_unit_price, writable_keys
from solinbox.localnet.methods._family import Family, Handler
from solinbox.localnet.methods._params import (
    MAX_GET_SIGNATURES_LIMIT,
    PREFLIGHT_FAILURE,
    SIGNATURE_VERIFICATION_FAILURE,
    RpcError,
    config_at,
    decode_transaction,
    invalid_params,
    param,
    parse_commitment,
    parse_encoding,
    parse_pubkey,
    parse_signature,
    u64,
)
from solinbox.localnet.methods._results import inner_instructions, return_data

__all__ = ["TransactionsMethods"]

MAX_PRIORITIZATION_ACCOUNTS = 128


def _verify(tx: VersionedTransaction) -> None:
    """Check the signatures, or a validator's -32003."""
    try:
        tx.verify_and_hash_message()
    except Exception:  # solders raises its own signer / verification errors
        raise RpcError(
            SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"
        ) from None


class TransactionsMethods(Family):
    """Transactions: blockhashes and fees, sending, simulating, statuses and history."""

    def table(self) -> dict[str, Handler]:
        """Method name -> handler."""
        return {
            "getLatestBlockhash": self.get_latest_blockhash,
            "isBlockhashValid": self.is_blockhash_valid,
            "getFeeForMessage": self.get_fee_for_message,
            "sendTransaction": self.send_transaction,
            "simulateTransaction": self.simulate_transaction,
            "getSignatureStatuses": self.get_signature_statuses,
            "getTransaction": self.get_transaction,
            "getSignaturesForAddress": self.get_signatures_for_address,
            "getRecentPrioritizationFees": self.get_recent_prioritization_fees,
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

    def _simulation_value(
        self, sim: Any, *, accounts: Any = None, inner: bool = False
    ) -> dict[str, Any]:
        meta = sim.meta
        return {
            "accounts": accounts,
            "err": sim.err,
            "innerInstructions": inner_instructions(meta) if inner and meta is not None else None,
            "loadedAccountsDataSize": 0,
            "logs": list(meta.logs()) if meta is not None else [],
            "replacementBlockhash": None,
            "returnData": return_data(meta),
            "unitsConsumed": meta.compute_units_consumed() if meta is not None else 0,
        }

    def send_transaction(self, params: list[Any]) -> Any:
        """SendTransaction (preflight simulation unless ``skipPreflight``)."""
        data = param(params, 0, "data")
        config = config_at(params, 1)
        encoding = parse_encoding(config, "base58", ("base58", "base64"))
        tx, _raw = decode_transaction(data, encoding)
        _verify(tx)
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
        tx, _raw = decode_transaction(data, encoding)
        sig_verify = bool(config.get("sigVerify"))
        replace = bool(config.get("replaceRecentBlockhash"))
        if sig_verify and replace:
            raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
        if sig_verify:
            _verify(tx)
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

    def get_transaction(self, params: list[Any]) -> Any:
        """GetTransaction (``json``, ``jsonParsed``, ``base64``, ``base58``)."""
        signature = parse_signature(param(params, 0, "signature"))
        config = config_at(params, 1)
        encoding = parse_encoding(config, "json", ("json", "jsonParsed", "base64", "base58"))
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
        if u64(limit, "limit") > MAX_GET_SIGNATURES_LIMIT or limit < 1:
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

    def get_recent_prioritization_fees(self, params: list[Any]) -> Any:
        """GetRecentPrioritizationFees over the last 150 blocks, oldest first.

        Per block: the lowest compute-unit price among its transactions that write-lock one of
        the accounts (the highest of those minimums over several accounts); without accounts,
        the lowest of the block. 0 where no such transaction landed.
        """
        keys = params[0] if params and params[0] is not None else []
        if not isinstance(keys, list):
            raise invalid_params("Invalid params: invalid type: expected a sequence of pubkeys.")
        if len(keys) > MAX_PRIORITIZATION_ACCOUNTS:
            raise invalid_params(f"Too many inputs provided; max {MAX_PRIORITIZATION_ACCOUNTS}")
        accounts = [parse_pubkey(k) for k in keys]
        out = []
        last = self.bank.confirmed_slot
        for slot in self.bank.blocks(max(0, last - 149), last, "confirmed"):
            block = self.bank.block(slot, "confirmed")
            records = [
                r for r in map(self.bank.record, block.signatures if block else []) if r is not None
            ]
            if accounts:
                per_account = []
                for account in accounts:
                    prices = [compute_unit_price(r) for r in records if account in writable_keys(r)]
                    per_account.append(min(prices) if prices else 0)
                fee = max(per_account)
            else:
                fee = min((compute_unit_price(r) for r in records), default=0)
            out.append({"prioritizationFee": fee, "slot": slot})
        return out
