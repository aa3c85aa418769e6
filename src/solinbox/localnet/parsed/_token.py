"""SPL Token and Token-2022 instructions (the base set; extension instructions stay unparsed)."""

from __future__ import annotations

from typing import Any

from solinbox.localnet import _codec
from solinbox.localnet.parsed._common import ParseError, Reader

__all__ = ["parse"]

_AUTHORITY_TYPES = {0: "mintTokens", 1: "freezeAccount", 2: "accountOwner", 3: "closeAccount"}


def _authority(info: dict[str, Any], name: str, a: list[str], index: int) -> None:
    """The signing authority, or a multisig and its signers (accounts after ``index``)."""
    if len(a) > index + 1:
        info["multisig" + name[0].upper() + name[1:]] = a[index]
        info["signers"] = a[index + 1 :]
    else:
        info[name] = a[index]


def _amount(r: Reader, checked: bool) -> Any:
    amount = r.u64()
    if checked:
        return _codec.token_amount(amount, r.u8())
    return str(amount)


def parse(data: bytes, a: list[str]) -> dict[str, Any]:
    """``{"type": …, "info": {…}}`` of one token instruction; ``a`` are its account keys."""
    r = Reader(data)
    tag = r.u8()
    info: dict[str, Any]
    if tag in (0, 20):  # initializeMint(2)
        decimals, mint_authority = r.u8(), r.pubkey()
        freeze = r.option_pubkey()
        info = {"mint": a[0], "decimals": decimals, "mintAuthority": mint_authority}
        if tag == 0:
            info["rentSysvar"] = a[1]
        if freeze is not None:
            info["freezeAuthority"] = freeze
        kind = "initializeMint" if tag == 0 else "initializeMint2"
    elif tag == 1:
        info, kind = (
            {"account": a[0], "mint": a[1], "owner": a[2], "rentSysvar": a[3]},
            "initializeAccount",
        )
    elif tag == 2:
        info = {"multisig": a[0], "rentSysvar": a[1], "signers": a[2:], "m": r.u8()}
        kind = "initializeMultisig"
    elif tag in (3, 12):  # transfer(Checked)
        checked = tag == 12
        amount = _amount(r, checked)
        if checked:
            info = {"source": a[0], "mint": a[1], "destination": a[2], "tokenAmount": amount}
            _authority(info, "authority", a, 3)
        else:
            info = {"source": a[0], "destination": a[1], "amount": amount}
            _authority(info, "authority", a, 2)
        kind = "transferChecked" if checked else "transfer"
    elif tag in (4, 13):  # approve(Checked)
        checked = tag == 13
        amount = _amount(r, checked)
        if checked:
            info = {"source": a[0], "mint": a[1], "delegate": a[2], "tokenAmount": amount}
            _authority(info, "owner", a, 3)
        else:
            info = {"source": a[0], "delegate": a[1], "amount": amount}
            _authority(info, "owner", a, 2)
        kind = "approveChecked" if checked else "approve"
    elif tag == 5:
        info = {"source": a[0]}
        _authority(info, "owner", a, 1)
        kind = "revoke"
    elif tag == 6:
        authority_type = r.u8()
        new = r.option_pubkey()
        if authority_type not in _AUTHORITY_TYPES:
            raise ParseError("unknown authority type")
        target = "mint" if authority_type in (0, 1) else "account"
        info = {
            target: a[0],
            "authorityType": _AUTHORITY_TYPES[authority_type],
            "newAuthority": new,
        }
        _authority(info, "authority", a, 1)
        kind = "setAuthority"
    elif tag in (7, 14):  # mintTo(Checked)
        checked = tag == 14
        info = {
            "mint": a[0],
            "account": a[1],
            "tokenAmount" if checked else "amount": _amount(r, checked),
        }
        _authority(info, "mintAuthority", a, 2)
        kind = "mintToChecked" if checked else "mintTo"
    elif tag in (8, 15):  # burn(Checked)
        checked = tag == 15
        info = {
            "account": a[0],
            "mint": a[1],
            "tokenAmount" if checked else "amount": _amount(r, checked),
        }
        _authority(info, "authority", a, 2)
        kind = "burnChecked" if checked else "burn"
    elif tag == 9:
        info = {"account": a[0], "destination": a[1]}
        _authority(info, "owner", a, 2)
        kind = "closeAccount"
    elif tag in (10, 11):
        info = {"account": a[0], "mint": a[1]}
        _authority(info, "freezeAuthority", a, 2)
        kind = "freezeAccount" if tag == 10 else "thawAccount"
    elif tag == 16:
        info = {"account": a[0], "mint": a[1], "owner": r.pubkey(), "rentSysvar": a[2]}
        kind = "initializeAccount2"
    elif tag == 17:
        info, kind = {"account": a[0]}, "syncNative"
    elif tag == 18:
        info, kind = {"account": a[0], "mint": a[1], "owner": r.pubkey()}, "initializeAccount3"
    elif tag == 22:
        info, kind = {"account": a[0]}, "initializeImmutableOwner"
    elif tag == 23:
        info, kind = {"mint": a[0], "amount": str(r.u64())}, "amountToUiAmount"
    elif tag == 24:
        info, kind = {"mint": a[0], "uiAmount": r.take(len(data) - 1).decode()}, "uiAmountToAmount"
    else:
        raise ParseError(f"token instruction {tag} is not parsed")
    # like the token program's own unpacking, bytes after the fields are ignored (clients
    # send a fixed 32 bytes for a `None` freeze authority, for example)
    return {"info": info, "type": kind}
