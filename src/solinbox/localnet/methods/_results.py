"""Result shapes shared by the transaction and block methods (``UiTransactionStatusMeta`` …)."""

from __future__ import annotations

import base64
from typing import Any

from solinbox.localnet import _codec
from solinbox.localnet.bank import TransactionRecord

__all__ = ["inner_instructions", "return_data", "status_meta"]


def return_data(meta: Any) -> dict[str, Any] | None:
    """``returnData`` of a transaction, or None when it returned nothing."""
    data = meta.return_data() if meta is not None else None
    if data is None or not bytes(data.data):
        return None
    return {
        "programId": str(data.program_id),
        "data": [base64.b64encode(bytes(data.data)).decode(), "base64"],
    }


def inner_instructions(meta: Any) -> list[dict[str, Any]]:
    """``innerInstructions`` (the compiled form) of a transaction."""
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
        "innerInstructions": inner_instructions(meta),
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
    data = return_data(meta)
    if data is not None:
        out["returnData"] = data
    return out
