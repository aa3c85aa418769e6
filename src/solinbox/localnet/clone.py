"""Copy accounts and programs from another cluster at start (``--clone``, ``--url``).

Like ``solana-test-validator --clone ADDRESS --clone-upgradeable-program ID --url URL``: the
accounts are read once with ``getMultipleAccounts`` (base64, at ``confirmed``) from any
JSON-RPC endpoint, and written into the new chain's genesis. An upgradeable program brings its
ProgramData account along.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import httpx
from solders.account import Account
from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError
from solinbox.loader import LOADER_V3

__all__ = ["CloneError", "clone_accounts"]

_BATCH = 100  # getMultipleAccounts' limit


class CloneError(SolinboxError):
    """The source cluster could not be read, or lacks an account asked for."""


def _fetch(http: httpx.Client, url: str, keys: Sequence[Pubkey]) -> dict[Pubkey, Account]:
    found: dict[Pubkey, Account] = {}
    for start in range(0, len(keys), _BATCH):
        batch = list(keys[start : start + _BATCH])
        body = {"jsonrpc": "2.0", "id": 1, "method": "getMultipleAccounts",
                "params": [[str(k) for k in batch], {"encoding": "base64", "commitment": "confirmed"}]}  # fmt: skip
        try:
            answer = http.post(url, json=body).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise CloneError(f"cannot read accounts from {url}: {exc}") from exc
        if "error" in answer:
            raise CloneError(f"{url} refused getMultipleAccounts: {answer['error'].get('message')}")
        for key, value in zip(batch, answer["result"]["value"], strict=True):
            if value is None:
                raise CloneError(f"{key} does not exist on {url}: nothing to clone")
            found[key] = Account(value["lamports"], base64.b64decode(value["data"][0]), Pubkey.from_string(value["owner"]),
                                 value["executable"], min(int(value.get("rentEpoch", 0)), 2**64 - 1))  # fmt: skip
    return found


def clone_accounts(
    url: str, accounts: Sequence[Pubkey] = (), upgradeable_programs: Sequence[Pubkey] = ()
) -> list[tuple[Pubkey, Account]]:
    """The accounts to write, data accounts before executable ones (LiteSVM's order).

    Raises:
        CloneError: The endpoint is unreachable or an account is missing or not a program.
    """
    with httpx.Client(timeout=30) as http:
        found = _fetch(http, url, [*accounts, *upgradeable_programs])
        data_accounts = []
        for program in upgradeable_programs:
            account = found[program]
            if account.owner != LOADER_V3 or len(account.data) < 36:
                raise CloneError(f"{program} on {url} is not an upgradeable program")
            data_accounts.append(Pubkey.from_bytes(bytes(account.data)[4:36]))
        found.update(_fetch(http, url, data_accounts))
    return sorted(found.items(), key=lambda item: item[1].executable)
