"""``jsonParsed`` transactions, as a validator renders them.

:func:`parsed_message` turns a message into ``UiParsedMessage`` (account keys with ``signer`` /
``writable`` / ``source``, instructions parsed where a validator parses that program);
:func:`parsed_inner_instructions` does the same for the meta's inner instructions. The
programs parsed are the ones a validator parses: System, SPL Token and Token-2022, Associated
Token Account, Memo and Address Lookup Table; any other instruction stays partially decoded
(``programId``, ``accounts``, base58 ``data``). One module per program family.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from solders.message import MessageV0
from solders.pubkey import Pubkey

from solinbox.localnet import _codec
from solinbox.localnet.parsed import _simple, _system, _token
from solinbox.localnet.parsed._common import ParseError

__all__ = ["parse_instruction", "parsed_inner_instructions", "parsed_message"]

_SYSTEM = Pubkey.from_string("11111111111111111111111111111111")
_ATA = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
_ALT = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
_MEMOS = (
    Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"),
    Pubkey.from_string("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"),
)

#: program id -> (the name a validator reports, parser of (data, account keys))
_PARSERS: dict[Pubkey, tuple[str, Callable[[bytes, list[str]], Any]]] = {
    _SYSTEM: ("system", _system.parse),
    _codec.TOKEN_PROGRAM: ("spl-token", _token.parse),
    _codec.TOKEN_2022_PROGRAM: ("spl-token-2022", _token.parse),
    _ATA: ("spl-associated-token-account", _simple.parse_ata),
    _ALT: ("address-lookup-table", _simple.parse_lookup_table),
    **{memo: ("spl-memo", _simple.parse_memo) for memo in _MEMOS},
}


def parse_instruction(
    program_id: Pubkey, accounts: Sequence[str], data: bytes, stack_height: int | None
) -> dict[str, Any]:
    """One instruction as ``jsonParsed`` shows it (parsed, or partially decoded)."""
    known = _PARSERS.get(program_id)
    if known is not None:
        name, parse = known
        try:
            return {"parsed": parse(data, list(accounts)), "program": name,
                    "programId": str(program_id), "stackHeight": stack_height}  # fmt: skip
        except (ParseError, IndexError, ValueError, UnicodeDecodeError):
            pass  # a validator falls back the same way when its parser refuses
    return {"accounts": list(accounts), "data": _codec.b58encode(data),
            "programId": str(program_id), "stackHeight": stack_height}  # fmt: skip


def parsed_message(
    message: Any, loaded_writable: Sequence[Pubkey], loaded_readonly: Sequence[Pubkey]
) -> dict[str, Any]:
    """``UiParsedMessage`` of a legacy or v0 message (loaded addresses resolved)."""
    header = message.header
    static = list(message.account_keys)
    signers = header.num_required_signatures
    unsigned_writable = len(static) - header.num_readonly_unsigned_accounts
    keys: list[dict[str, Any]] = []
    for i, key in enumerate(static):
        writable = (
            i < signers - header.num_readonly_signed_accounts
            if i < signers
            else i < unsigned_writable
        )
        keys.append(
            {
                "pubkey": str(key),
                "signer": i < signers,
                "source": "transaction",
                "writable": writable,
            }
        )
    for key in loaded_writable:
        keys.append(
            {"pubkey": str(key), "signer": False, "source": "lookupTable", "writable": True}
        )
    for key in loaded_readonly:
        keys.append(
            {"pubkey": str(key), "signer": False, "source": "lookupTable", "writable": False}
        )
    all_keys = [*static, *loaded_writable, *loaded_readonly]
    out: dict[str, Any] = {
        "accountKeys": keys,
        "instructions": [
            parse_instruction(
                all_keys[ix.program_id_index],
                [str(all_keys[a]) for a in ix.accounts],
                bytes(ix.data),
                None,
            )
            for ix in message.instructions
        ],
        "recentBlockhash": str(message.recent_blockhash),
    }
    if isinstance(message, MessageV0):
        out["addressTableLookups"] = _codec.table_lookups(message)
    return out


def parsed_inner_instructions(meta: Any, all_keys: Sequence[Pubkey]) -> list[dict[str, Any]]:
    """The meta's ``innerInstructions``, each instruction parsed like a top-level one."""
    out = []
    for index, inner in enumerate(meta.inner_instructions()):
        if inner:
            instructions = []
            for item in inner:
                ix = item.instruction()
                instructions.append(parse_instruction(
                    all_keys[ix.program_id_index], [str(all_keys[a]) for a in ix.accounts],
                    bytes(ix.data), item.stack_height(),
                ))  # fmt: skip
            out.append({"index": index, "instructions": instructions})
    return out
