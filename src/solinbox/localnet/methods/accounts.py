"""Accounts: balances, account data, program accounts, rent, the faucet."""

from __future__ import annotations

from typing import Any

from solinbox.jsonrpc import INTERNAL_ERROR
from solinbox.localnet import _codec
from solinbox.localnet.bank import Rejected
from solinbox.localnet.methods._family import Family, Handler
from solinbox.localnet.methods._params import (
    MAX_MULTIPLE_ACCOUNTS,
    RpcError,
    config_at,
    data_slice,
    invalid_params,
    param,
    parse_encoding,
    parse_filters,
    parse_pubkey,
    u64,
)

__all__ = ["AccountsMethods"]


class AccountsMethods(Family):
    """Accounts: balances, account data, program accounts, rent, the faucet."""

    def table(self) -> dict[str, Handler]:
        """Method name -> handler."""
        return {
            "getBalance": self.get_balance,
            "getAccountInfo": self.get_account_info,
            "getMultipleAccounts": self.get_multiple_accounts,
            "getProgramAccounts": self.get_program_accounts,
            "getMinimumBalanceForRentExemption": self.get_minimum_balance_for_rent_exemption,
            "requestAirdrop": self.request_airdrop,
            "getLargestAccounts": self.get_largest_accounts,
        }

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
        value = self._ui_account(self.bank.get_account(key), encoding, data_slice(config))
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
        window = data_slice(config)
        context = self._context(config)
        return {
            "context": context,
            "value": [
                self._ui_account(self.bank.get_account(k), encoding, window) for k in pubkeys
            ],
        }

    def get_program_accounts(self, params: list[Any]) -> Any:
        """GetProgramAccounts (``memcmp`` and ``dataSize`` filters, ``withContext``)."""
        program = parse_pubkey(param(params, 0, "pubkey"))
        config = config_at(params, 1)
        encoding = parse_encoding(
            config, "base58", ("base58", "base64", "base64+zstd", "jsonParsed")
        )
        window = data_slice(config)
        checks = parse_filters(config.get("filters"))
        context = self._context(config)
        value = []
        for key, account in self.bank.program_accounts(program):
            if checks:
                data = bytes(account.data)
                if not all(check(data) for check in checks):
                    continue
            value.append(
                {"account": self._ui_account(account, encoding, window), "pubkey": str(key)}
            )
        if config.get("withContext"):
            return {"context": context, "value": value}
        return value

    def get_minimum_balance_for_rent_exemption(self, params: list[Any]) -> Any:
        """GetMinimumBalanceForRentExemption."""
        size = u64(param(params, 0, "usize"), "usize")
        if size > 10 * 1024 * 1024:
            raise invalid_params(
                "Invalid params: data length exceeds the maximum permitted 10485760."
            )
        return self.bank.minimum_balance_for_rent_exemption(size)

    def request_airdrop(self, params: list[Any]) -> Any:
        """RequestAirdrop (a real transfer from the faucet)."""
        key = parse_pubkey(param(params, 0, "pubkey"))
        lamports = u64(param(params, 1, "lamports"), "lamports")
        outcome = self.bank.airdrop(key, lamports)
        if isinstance(outcome, Rejected) or outcome.err is not None:
            err = outcome.err
            raise RpcError(INTERNAL_ERROR, f"airdrop request failed: {_codec.error_text(err)}")
        return str(outcome.signature)

    def get_largest_accounts(self, params: list[Any]) -> Any:
        """GetLargestAccounts: the 20 largest by lamports (``filter`` circulating / nonCirculating)."""
        config = config_at(params, 0)
        which = config.get("filter")
        if which not in (None, "circulating", "nonCirculating"):
            raise invalid_params(f"Invalid params: unknown variant `{which}`.")
        context = self._context(config)
        if which == "nonCirculating":  # nothing is locked up on this ledger
            return {"context": context, "value": []}
        ranked = sorted(self.bank.accounts(), key=lambda item: (-item[1].lamports, str(item[0])))
        value = [
            {"address": str(key), "lamports": account.lamports} for key, account in ranked[:20]
        ]
        return {"context": context, "value": value}
