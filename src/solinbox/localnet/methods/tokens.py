"""SPL Token / Token-2022 accounts: balances and accounts by owner."""

from __future__ import annotations

from typing import Any

from solders.pubkey import Pubkey

from solinbox.localnet import _codec
from solinbox.localnet.methods._family import Family, Handler
from solinbox.localnet.methods._params import (
    config_at,
    data_slice,
    invalid_params,
    param,
    parse_encoding,
    parse_pubkey,
)

__all__ = ["TokensMethods"]


class TokensMethods(Family):
    """SPL Token / Token-2022 accounts: balances and accounts by owner."""

    def table(self) -> dict[str, Handler]:
        """Method name -> handler."""
        return {
            "getTokenAccountBalance": self.get_token_account_balance,
            "getTokenAccountsByOwner": self.get_token_accounts_by_owner,
        }

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
        window = data_slice(config)
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
                {"account": self._ui_account(account, encoding, window), "pubkey": str(key)}
            )
        return {"context": context, "value": value}
