"""Cheatcodes: ``solinbox_*`` methods that change the chain the way a test wants it.

Set any account or a wallet's token balance, jump to a slot, move the clock forward (an escrow
refund delay elapses in one call), produce a block on demand, and snapshot / revert the whole
chain. Namespaced so no validator method is shadowed; the Python helpers are in
:class:`solinbox.localnet.Cheats` (HTTP) and the pytest plugin's localnet fixture.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import tempfile
from pathlib import Path
from typing import Any

from solders.account import Account
from spl.token.instructions import get_associated_token_address

from solinbox.localnet import _codec
from solinbox.localnet.bank import Bank
from solinbox.localnet.methods._family import Family, Handler
from solinbox.localnet.methods._params import (
    RpcError,
    invalid_params,
    param,
    parse_pubkey,
    u64,
)

__all__ = ["CheatcodeMethods"]

_TOKEN_ACCOUNT_SIZE = 165
_MAX_SNAPSHOTS = 64


class CheatcodeMethods(Family):
    """The ``solinbox_*`` methods.

    ``solinbox_setAccount``, ``solinbox_setTokenBalance``, ``solinbox_warpSlot``,
    ``solinbox_setClock``, ``solinbox_produceBlock``, ``solinbox_snapshot``, ``solinbox_revert``.
    """

    def __init__(self, bank: Bank, endpoints: dict[str, str] | None = None) -> None:
        super().__init__(bank, endpoints)
        self._snapshots: dict[int, tempfile.TemporaryDirectory[str]] = {}
        self._ids = itertools.count(1)

    def table(self) -> dict[str, Handler]:
        """Method name -> handler."""
        return {
            "solinbox_setAccount": self.set_account,
            "solinbox_setTokenBalance": self.set_token_balance,
            "solinbox_warpSlot": self.warp_slot,
            "solinbox_setClock": self.set_clock,
            "solinbox_produceBlock": self.produce_block,
            "solinbox_snapshot": self.snapshot,
            "solinbox_revert": self.revert,
        }

    def set_account(self, params: list[Any]) -> Any:
        """``[pubkey, {lamports?, data?, owner?, executable?, rentEpoch?}]``: write an account.

        Unnamed fields keep their value (a new account starts empty, system-owned). ``data`` is
        base64, or ``[base64, "base64"]`` as ``getAccountInfo`` returns it.
        """
        key = parse_pubkey(param(params, 0, "pubkey"))
        fields = param(params, 1, "account")
        if not isinstance(fields, dict):
            raise invalid_params("Invalid params: expected an account object.")
        unknown = set(fields) - {"lamports", "data", "owner", "executable", "rentEpoch"}
        if unknown:
            raise invalid_params(f"Invalid params: unknown field(s) {', '.join(sorted(unknown))}.")
        old = self.bank.get_account(key) or Account(0, b"", _codec.SYSTEM_PROGRAM)
        data = bytes(old.data)
        if "data" in fields:
            raw = fields["data"]
            if isinstance(raw, list) and len(raw) == 2 and raw[1] == "base64":
                raw = raw[0]
            if not isinstance(raw, str):
                raise invalid_params("Invalid params: `data` must be base64.")
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                raise invalid_params("Invalid params: `data` is not valid base64.") from None
        owner = parse_pubkey(fields["owner"]) if "owner" in fields else old.owner
        executable = fields.get("executable", old.executable)
        if not isinstance(executable, bool):
            raise invalid_params("Invalid params: `executable` must be a boolean.")
        lamports = u64(fields.get("lamports", old.lamports), "lamports")
        rent_epoch = u64(fields.get("rentEpoch", old.rent_epoch), "rentEpoch")
        self.bank.set_account(key, Account(lamports, data, owner, executable, rent_epoch))
        return None

    def set_token_balance(self, params: list[Any]) -> Any:
        """``[owner, mint, amount]``: the owner's associated token account holds ``amount``.

        The account is created if missing; the mint's supply moves by the difference.
        """
        owner = parse_pubkey(param(params, 0, "owner"))
        mint_key = parse_pubkey(param(params, 1, "mint"))
        amount = u64(param(params, 2, "amount"), "amount")
        mint = self.bank.get_account(mint_key)
        if mint is None or mint.owner not in _codec.TOKEN_PROGRAMS or len(mint.data) < 82:
            raise invalid_params("Invalid param: not a Token mint")
        address = get_associated_token_address(owner, mint_key, mint.owner)
        existing = self.bank.get_account(address)
        if existing is not None and _codec.parse_token_account(bytes(existing.data)) is not None:
            data = bytearray(existing.data)
            lamports = existing.lamports
        else:  # a new, initialised account: mint, owner, amount 0, no delegate, state 1
            data = bytearray(_TOKEN_ACCOUNT_SIZE)
            data[0:32], data[32:64], data[108] = bytes(mint_key), bytes(owner), 1
            lamports = self.bank.minimum_balance_for_rent_exemption(_TOKEN_ACCOUNT_SIZE)
        before = int.from_bytes(data[64:72], "little")
        data[64:72] = amount.to_bytes(8, "little")
        mint_data = bytearray(mint.data)
        supply = int.from_bytes(mint_data[36:44], "little") + amount - before
        if not 0 <= supply < 2**64:
            raise invalid_params("Invalid params: the mint's supply would leave u64.")
        mint_data[36:44] = supply.to_bytes(8, "little")
        self.bank.set_account(address, Account(lamports, bytes(data), mint.owner, False, 0))
        self.bank.set_account(mint_key, Account(mint.lamports, bytes(mint_data), mint.owner,
                                                mint.executable, mint.rent_epoch))  # fmt: skip
        return {"address": str(address), "amount": str(amount)}

    def warp_slot(self, params: list[Any]) -> Any:
        """``[slot]``: jump forward; the slots in between are skipped."""
        slot = u64(param(params, 0, "slot"), "slot")
        try:
            self.bank.warp_to_slot(slot)
        except ValueError as exc:
            raise invalid_params(str(exc)) from None
        return {"slot": self.bank.slot}

    def set_clock(self, params: list[Any]) -> Any:
        """``[{"unixTimestamp": t}]`` or ``[{"forwardSeconds": s}]``: move the clock forward."""
        config = param(params, 0, "clock")
        if (
            not isinstance(config, dict)
            or len(config) != 1
            or not {"unixTimestamp", "forwardSeconds"} & set(config)
        ):
            raise invalid_params("Invalid params: expected {unixTimestamp} or {forwardSeconds}.")
        if "unixTimestamp" in config:
            target = u64(config["unixTimestamp"], "unixTimestamp")
        else:
            target = self.bank.now() + u64(config["forwardSeconds"], "forwardSeconds")
        try:
            self.bank.travel(target)
        except ValueError as exc:
            raise invalid_params(str(exc)) from None
        return {"unixTimestamp": self.bank.now(), "slot": self.bank.slot}

    def produce_block(self, params: list[Any]) -> Any:
        """Produce one block now; returns its slot."""
        return self.bank.produce_block().slot

    def snapshot(self, params: list[Any]) -> Any:
        """Save the whole chain; returns an id for ``solinbox_revert``."""
        if len(self._snapshots) >= _MAX_SNAPSHOTS:
            raise RpcError(-32000, f"at most {_MAX_SNAPSHOTS} snapshots; revert to free some")
        directory: tempfile.TemporaryDirectory[str] = tempfile.TemporaryDirectory(
            prefix="solinbox-snapshot-"
        )
        self.bank.save(Path(directory.name))
        snapshot_id = next(self._ids)
        self._snapshots[snapshot_id] = directory
        return snapshot_id

    def revert(self, params: list[Any]) -> Any:
        """``[id]``: go back to a snapshot (it and every later snapshot are then gone)."""
        snapshot_id = param(params, 0, "id")
        if not isinstance(snapshot_id, int) or snapshot_id not in self._snapshots:
            raise invalid_params("Invalid params: unknown snapshot id.")
        directory = self._snapshots[snapshot_id]
        self.bank.restore(Bank.load(Path(directory.name), programs=self.bank.programs))
        for later in [k for k in self._snapshots if k >= snapshot_id]:
            self._snapshots.pop(later).cleanup()
        return True
