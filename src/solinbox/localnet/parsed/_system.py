"""The system program's instructions (``"program": "system"``)."""

from __future__ import annotations

from typing import Any

from solinbox.localnet.parsed._common import ParseError, Reader

__all__ = ["parse"]


def parse(data: bytes, a: list[str]) -> dict[str, Any]:
    """``{"type": …, "info": {…}}`` of one system instruction; ``a`` are its account keys."""
    r = Reader(data)
    tag = r.u32()
    info: dict[str, Any]
    if tag == 0:
        info = {
            "source": a[0],
            "newAccount": a[1],
            "lamports": r.u64(),
            "space": r.u64(),
            "owner": r.pubkey(),
        }
        kind = "createAccount"
    elif tag == 1:
        info, kind = {"account": a[0], "owner": r.pubkey()}, "assign"
    elif tag == 2:
        info, kind = {"source": a[0], "destination": a[1], "lamports": r.u64()}, "transfer"
    elif tag == 3:
        base, seed, lamports, space, owner = r.pubkey(), r.string(), r.u64(), r.u64(), r.pubkey()
        info = {"source": a[0], "newAccount": a[1], "base": base, "seed": seed, "lamports": lamports,
                "space": space, "owner": owner}  # fmt: skip
        kind = "createAccountWithSeed"
    elif tag == 4:
        info = {"nonceAccount": a[0], "recentBlockhashesSysvar": a[1], "nonceAuthority": a[2]}
        kind = "advanceNonce"
    elif tag == 5:
        info = {"nonceAccount": a[0], "destination": a[1], "recentBlockhashesSysvar": a[2],
                "rentSysvar": a[3], "nonceAuthority": a[4], "lamports": r.u64()}  # fmt: skip
        kind = "withdrawFromNonce"
    elif tag == 6:
        info = {"nonceAccount": a[0], "recentBlockhashesSysvar": a[1], "rentSysvar": a[2],
                "nonceAuthority": r.pubkey()}  # fmt: skip
        kind = "initializeNonce"
    elif tag == 7:
        info = {"nonceAccount": a[0], "nonceAuthority": a[1], "newAuthorized": r.pubkey()}
        kind = "authorizeNonce"
    elif tag == 8:
        info, kind = {"account": a[0], "space": r.u64()}, "allocate"
    elif tag == 9:
        base, seed, space, owner = r.pubkey(), r.string(), r.u64(), r.pubkey()
        info = {"account": a[0], "base": base, "seed": seed, "space": space, "owner": owner}
        kind = "allocateWithSeed"
    elif tag == 10:
        base, seed, owner = r.pubkey(), r.string(), r.pubkey()
        info, kind = {"account": a[0], "base": base, "seed": seed, "owner": owner}, "assignWithSeed"
    elif tag == 11:
        lamports, seed, owner = r.u64(), r.string(), r.pubkey()
        info = {"source": a[0], "sourceBase": a[1], "destination": a[2], "lamports": lamports,
                "sourceSeed": seed, "sourceOwner": owner}  # fmt: skip
        kind = "transferWithSeed"
    elif tag == 12:
        info, kind = {"nonceAccount": a[0]}, "upgradeNonce"
    else:
        raise ParseError(f"unknown system instruction {tag}")
    r.done()
    return {"info": info, "type": kind}
