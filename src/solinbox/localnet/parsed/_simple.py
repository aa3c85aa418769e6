"""Memo, Associated Token Account and Address Lookup Table instructions."""

from __future__ import annotations

from typing import Any

from solinbox.localnet.parsed._common import ParseError, Reader

__all__ = ["parse_ata", "parse_lookup_table", "parse_memo"]


def parse_memo(data: bytes, accounts: list[str]) -> str:
    """A memo is shown as its text (``"program": "spl-memo"``)."""
    return data.decode()


def parse_ata(data: bytes, a: list[str]) -> dict[str, Any]:
    """``create`` / ``createIdempotent`` / ``recoverNested``."""
    tag = data[0] if data else 0
    if len(data) > 1 or tag > 2:
        raise ParseError("unknown associated-token-account instruction")
    if tag == 2:
        info = {"nestedSource": a[0], "nestedMint": a[1], "destination": a[2], "nestedOwner": a[3],
                "ownerMint": a[4], "wallet": a[5], "tokenProgram": a[6]}  # fmt: skip
        return {"info": info, "type": "recoverNested"}
    info = {"source": a[0], "account": a[1], "wallet": a[2], "mint": a[3], "systemProgram": a[4],
            "tokenProgram": a[5]}  # fmt: skip
    return {"info": info, "type": "createIdempotent" if tag == 1 else "create"}


def parse_lookup_table(data: bytes, a: list[str]) -> dict[str, Any]:
    """The address lookup table program's instructions."""
    r = Reader(data)
    tag = r.u32()
    info: dict[str, Any]
    if tag == 0:
        info = {"lookupTableAccount": a[0], "lookupTableAuthority": a[1], "payerAccount": a[2],
                "systemProgram": a[3], "recentSlot": r.u64(), "bumpSeed": r.u8()}  # fmt: skip
        kind = "createLookupTable"
    elif tag in (1, 3):
        info = {"lookupTableAccount": a[0], "lookupTableAuthority": a[1]}
        kind = "freezeLookupTable" if tag == 1 else "deactivateLookupTable"
    elif tag == 2:
        info = {"lookupTableAccount": a[0], "lookupTableAuthority": a[1]}
        if len(a) > 2:
            info.update(payerAccount=a[2], systemProgram=a[3])
        info["newAddresses"] = [r.pubkey() for _ in range(r.u64())]
        kind = "extendLookupTable"
    elif tag == 4:
        info = {"lookupTableAccount": a[0], "lookupTableAuthority": a[1], "recipient": a[2]}
        kind = "closeLookupTable"
    else:
        raise ParseError(f"unknown lookup-table instruction {tag}")
    r.done()
    return {"info": info, "type": kind}
