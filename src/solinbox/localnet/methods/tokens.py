"""SPL Token / Token-2022 accounts: balances and accounts by owner."""

from __future__ import annotations

from typing import Any

from solders.account import Account
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
            "getTokenAccountsByDelegate": self.get_token_accounts_by_delegate,
            "getTokenSupply": self.get_token_supply,
            "getTokenLargestAccounts": self.get_token_largest_accounts,
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

    def _token_program_filter(self, selector: Any) -> tuple[Pubkey, Pubkey | None]:
        """``{"mint": …}`` or ``{"programId": …}`` -> (token program, mint or None)."""
        if isinstance(selector, dict) and "mint" in selector:
            mint = parse_pubkey(selector["mint"])
            mint_account = self.bank.get_account(mint)
            if mint_account is None or mint_account.owner not in _codec.TOKEN_PROGRAMS:
                raise invalid_params("Invalid param: could not find mint")
            return mint_account.owner, mint
        if isinstance(selector, dict) and "programId" in selector:
            program = parse_pubkey(selector["programId"])
            if program not in _codec.TOKEN_PROGRAMS:
                raise invalid_params("Invalid param: unrecognized Token program id")
            return program, None
        raise invalid_params("Invalid params: expected `mint` or `programId`.")

    def _accounts_by(self, params: list[Any], *, delegate: bool) -> Any:
        who = parse_pubkey(param(params, 0, "pubkey"))
        program, mint = self._token_program_filter(param(params, 1, "filter"))
        config = config_at(params, 2)
        encoding = parse_encoding(
            config, "base58", ("base58", "base64", "base64+zstd", "jsonParsed")
        )
        window = data_slice(config)
        context = self._context(config)
        value = []
        for key, account in self.bank.program_accounts(program):
            data = bytes(account.data)
            token = _codec.parse_token_account(data)
            if token is None or (mint is not None and token[0] != mint):
                continue
            if delegate:  # COption<Pubkey> at 72: u32 tag, then the key
                if data[72:76] != b"\x01\0\0\0" or data[76:108] != bytes(who):
                    continue
            elif token[1] != who:
                continue
            value.append(
                {"account": self._ui_account(account, encoding, window), "pubkey": str(key)}
            )
        return {"context": context, "value": value}

    def get_token_accounts_by_owner(self, params: list[Any]) -> Any:
        """GetTokenAccountsByOwner (``mint`` or ``programId`` filter)."""
        return self._accounts_by(params, delegate=False)

    def get_token_accounts_by_delegate(self, params: list[Any]) -> Any:
        """GetTokenAccountsByDelegate (``mint`` or ``programId`` filter)."""
        return self._accounts_by(params, delegate=True)

    def _mint(self, params: list[Any]) -> tuple[Pubkey, Account, dict[str, Any]]:
        key = parse_pubkey(param(params, 0, "mint"))
        config = config_at(params, 1)
        account = self.bank.get_account(key)
        if account is None or account.owner not in _codec.TOKEN_PROGRAMS or len(account.data) < 82:
            raise invalid_params("Invalid param: not a Token mint")
        return key, account, config

    def get_token_supply(self, params: list[Any]) -> Any:
        """GetTokenSupply."""
        _key, mint, config = self._mint(params)
        context = self._context(config)
        supply = int.from_bytes(bytes(mint.data[36:44]), "little")
        return {"context": context, "value": _codec.token_amount(supply, mint.data[44])}

    def get_token_largest_accounts(self, params: list[Any]) -> Any:
        """GetTokenLargestAccounts: the 20 largest accounts of a mint."""
        key, mint, config = self._mint(params)
        context = self._context(config)
        holders = []
        for address, account in self.bank.program_accounts(mint.owner):
            token = _codec.parse_token_account(bytes(account.data))
            if token is not None and token[0] == key:
                holders.append((token[2], str(address)))
        holders.sort(key=lambda h: (-h[0], h[1]))
        decimals = mint.data[44]
        value = [{"address": address, **_codec.token_amount(amount, decimals)}
                 for amount, address in holders[:20]]  # fmt: skip
        return {"context": context, "value": value}
