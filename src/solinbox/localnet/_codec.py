"""Encoders that turn runtime values into the JSON shapes a Solana validator answers with.

Pure functions, no IO: accounts (``base58``, ``base64``, ``base64+zstd``, ``jsonParsed`` for
system and SPL token accounts), transactions (``json``, ``base64``, ``base58``), transaction
status metas, token balances and the text of transaction errors.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Sequence
from typing import Any

from solders.account import Account
from solders.hash import Hash
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

__all__ = [
    "SYSTEM_PROGRAM",
    "TOKEN_2022_PROGRAM",
    "TOKEN_PROGRAM",
    "b58decode",
    "b58encode",
    "encode_account",
    "encode_transaction",
    "error_text",
    "parse_token_account",
    "token_amount",
]

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
TOKEN_PROGRAMS = frozenset({TOKEN_PROGRAM, TOKEN_2022_PROGRAM})

_ALPHABET = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}

#: A validator refuses to base58-encode account data longer than this.
MAX_BASE58_BYTES = 128


def b58encode(data: bytes) -> str:
    """Encode bytes in Bitcoin base58 (leading zero bytes become ``1``)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    n = int.from_bytes(data, "big")
    out = bytearray()
    while n:
        n, r = divmod(n, 58)
        out.append(_ALPHABET[r])
    return ("1" * zeros) + out[::-1].decode()


def b58decode(text: str) -> bytes:
    """Decode base58; raises :class:`ValueError` on a character outside the alphabet."""
    raw = text.encode()
    n = 0
    for c in raw:
        try:
            n = n * 58 + _INDEX[c]
        except KeyError:
            raise ValueError(f"invalid base58 character {chr(c)!r}") from None
    zeros = len(raw) - len(raw.lstrip(b"1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * zeros + body


# ---------------------------------------------------------------------------------------- accounts


def parse_token_account(data: bytes) -> tuple[Pubkey, Pubkey, int] | None:
    """Return ``(mint, owner, amount)`` of an initialised SPL token account, else ``None``."""
    if len(data) < 165 or data[108] == 0:  # state byte: 0 = uninitialised
        return None
    return (
        Pubkey.from_bytes(data[0:32]),
        Pubkey.from_bytes(data[32:64]),
        int.from_bytes(data[64:72], "little"),
    )


def _mint_decimals(mint: Account | None) -> int | None:
    if mint is None or mint.owner not in TOKEN_PROGRAMS or len(mint.data) < 82:
        return None
    return mint.data[44]


def token_amount(amount: int, decimals: int) -> dict[str, Any]:
    """The ``UiTokenAmount`` of a raw amount."""
    ui = amount / 10**decimals
    if decimals:
        text = f"{amount:0{decimals + 1}d}"
        ui_string = (text[:-decimals] + "." + text[-decimals:]).rstrip("0").rstrip(".")
    else:
        ui_string = str(amount)
    return {
        "amount": str(amount),
        "decimals": decimals,
        "uiAmount": ui,
        "uiAmountString": ui_string,
    }


def _parsed(account: Account, get: Any) -> dict[str, Any] | None:
    """``jsonParsed`` of system-owned empty accounts and SPL token accounts/mints; else None."""
    data = bytes(account.data)
    program = account.owner
    if program in TOKEN_PROGRAMS:
        name = "spl-token" if program == TOKEN_PROGRAM else "spl-token-2022"
        token = parse_token_account(data)
        if token is not None:
            mint, owner, amount = token
            decimals = _mint_decimals(get(mint)) or 0
            state = {1: "initialized", 2: "frozen"}.get(data[108], "uninitialized")
            info: dict[str, Any] = {
                "isNative": data[109:113] != b"\0\0\0\0",
                "mint": str(mint),
                "owner": str(owner),
                "state": state,
                "tokenAmount": token_amount(amount, decimals),
            }
            return {
                "program": name,
                "parsed": {"info": info, "type": "account"},
                "space": len(data),
            }
        if len(data) >= 82 and data[45] == 1:
            has_auth = struct.unpack_from("<I", data, 0)[0] == 1
            has_freeze = struct.unpack_from("<I", data, 46)[0] == 1
            info = {
                "decimals": data[44],
                "freezeAuthority": str(Pubkey.from_bytes(data[50:82])) if has_freeze else None,
                "isInitialized": True,
                "mintAuthority": str(Pubkey.from_bytes(data[4:36])) if has_auth else None,
                "supply": str(int.from_bytes(data[36:44], "little")),
            }
            return {"program": name, "parsed": {"info": info, "type": "mint"}, "space": len(data)}
    return None


def encode_account(
    account: Account,
    encoding: str,
    data_slice: tuple[int, int] | None = None,
    get: Any = None,
) -> dict[str, Any]:
    """Encode an account like ``UiAccount``.

    Args:
        account: The account.
        encoding: ``base58``, ``base64``, ``base64+zstd`` or ``jsonParsed`` (falls back to
            base64 when the owner has no parser, like a validator).
        data_slice: ``(offset, length)`` of the data to return (not for ``jsonParsed``).
        get: ``pubkey -> Account | None``, used by ``jsonParsed`` to read a token's mint.

    Raises:
        ValueError: base58 requested for data longer than 128 bytes.
    """
    data = bytes(account.data)
    encoded: Any = None
    if encoding == "jsonParsed":
        encoded = _parsed(account, get or (lambda _k: None))
        if encoded is None:
            encoding = "base64"
    if encoded is None:
        if data_slice is not None:
            offset, length = data_slice
            data = data[offset : offset + length]
        if encoding == "base58":
            if len(data) > MAX_BASE58_BYTES:
                raise ValueError(
                    "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding."
                )
            encoded = b58encode(data)
        elif encoding == "base64+zstd":
            try:
                import zstandard
            except ImportError:  # optional: the server answers "invalid params" without it
                raise ValueError("base64+zstd encoding needs the zstandard package") from None
            encoded = [
                base64.b64encode(zstandard.ZstdCompressor().compress(data)).decode(),
                "base64+zstd",
            ]
        else:
            encoded = [base64.b64encode(data).decode(), "base64"]
    return {
        "data": encoded,
        "executable": account.executable,
        "lamports": account.lamports,
        "owner": str(account.owner),
        "rentEpoch": account.rent_epoch,
        "space": len(account.data),
    }


# ------------------------------------------------------------------------------------ transactions


def _ui_message(message: Any) -> dict[str, Any]:
    header = message.header
    out: dict[str, Any] = {
        "accountKeys": [str(k) for k in message.account_keys],
        "header": {
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
            "numRequiredSignatures": header.num_required_signatures,
        },
        "instructions": [
            {
                "accounts": list(ix.accounts),
                "data": b58encode(bytes(ix.data)),
                "programIdIndex": ix.program_id_index,
                "stackHeight": None,
            }
            for ix in message.instructions
        ],
        "recentBlockhash": str(message.recent_blockhash),
    }
    if isinstance(message, MessageV0):
        out["addressTableLookups"] = table_lookups(message)
    return out


def table_lookups(message: MessageV0) -> list[dict[str, Any]]:
    """``addressTableLookups`` of a v0 message (the same in ``json`` and ``jsonParsed``)."""
    return [
        {
            "accountKey": str(lookup.account_key),
            "readonlyIndexes": list(lookup.readonly_indexes),
            "writableIndexes": list(lookup.writable_indexes),
        }
        for lookup in message.address_table_lookups
    ]


def encode_transaction(tx: VersionedTransaction, raw: bytes, encoding: str) -> Any:
    """Encode a transaction like ``EncodedTransaction`` (``json``, ``base64`` or ``base58``)."""
    if encoding == "base64":
        return [base64.b64encode(raw).decode(), "base64"]
    if encoding == "base58":
        return [b58encode(raw), "base58"]
    return {"message": _ui_message(tx.message), "signatures": [str(s) for s in tx.signatures]}


def transaction_version(tx: VersionedTransaction) -> int | str:
    """``"legacy"`` or ``0``, as ``getTransaction``/``getBlock`` report it."""
    return 0 if isinstance(tx.message, MessageV0) else "legacy"


def hash_str(h: Hash) -> str:
    """Base58 text of a hash."""
    return str(h)


# ---------------------------------------------------------------------------------------- errors

_INSTRUCTION_ERRORS = {
    "GenericError": "generic instruction error",
    "InvalidArgument": "invalid program argument",
    "InvalidInstructionData": "invalid instruction data",
    "InvalidAccountData": "invalid account data for instruction",
    "AccountDataTooSmall": "account data too small for instruction",
    "InsufficientFunds": "insufficient funds for instruction",
    "IncorrectProgramId": "incorrect program id for instruction",
    "MissingRequiredSignature": "missing required signature for instruction",
    "AccountAlreadyInitialized": "instruction requires an uninitialized account",
    "UninitializedAccount": "instruction requires an initialized account",
    "NotEnoughAccountKeys": "insufficient account keys for instruction",
    "AccountNotExecutable": "instruction expected an executable account",
    "ProgramFailedToComplete": "Program failed to complete",
    "ProgramFailedToCompile": "Program failed to compile",
    "ComputationalBudgetExceeded": "Computational budget exceeded",
    "InvalidAccountOwner": "Invalid account owner",
    "IncorrectAuthority": "Incorrect authority provided",
    "Immutable": "Account is immutable",
    "InvalidSeeds": "Provided seeds do not result in a valid address",
    "UnsupportedProgramId": "Unsupported program id",
    "PrivilegeEscalation": "Cross-program invocation with unauthorized signer or writable account",
}

_TRANSACTION_ERRORS = {
    "AccountInUse": "Account in use",
    "AccountLoadedTwice": "Account loaded twice",
    "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
    "ProgramAccountNotFound": "Attempt to load a program that does not exist",
    "InsufficientFundsForFee": "Insufficient funds for fee",
    "InvalidAccountForFee": "This account may not be used to pay transaction fees",
    "AlreadyProcessed": "This transaction has already been processed",
    "BlockhashNotFound": "Blockhash not found",
    "MissingSignatureForFee": "Transaction did not pass signature verification",
    "SignatureFailure": "Transaction did not pass signature verification",
    "InvalidAccountIndex": "Transaction contains an invalid account reference",
    "SanitizeFailure": "Transaction failed to sanitize accounts offsets correctly",
    "InvalidProgramForExecution": "This program may not be used for executing instructions",
    "UnsupportedVersion": "Transaction version is unsupported",
    "AddressLookupTableNotFound": "Transaction loads an address table account that doesn't exist",
    "InvalidWritableAccount": "Transaction loads a writable account that cannot be written",
}


def error_text(err: Any) -> str:
    """The ``Display`` text of a transaction error given in its JSON form."""
    if isinstance(err, str):
        return _TRANSACTION_ERRORS.get(err, err)
    if isinstance(err, dict) and "InstructionError" in err:
        index, inner = err["InstructionError"]
        if isinstance(inner, dict) and "Custom" in inner:
            text = f"custom program error: {inner['Custom']:#x}"
        elif isinstance(inner, dict) and "BorshIoError" in inner:
            text = "Failed to serialize or deserialize account data"
        elif isinstance(inner, str):
            text = _INSTRUCTION_ERRORS.get(inner, inner)
        else:
            text = json.dumps(inner)
        return f"Error processing Instruction {index}: {text}"
    if isinstance(err, dict) and "InsufficientFundsForRent" in err:
        return f"Transaction results in an account ({err['InsufficientFundsForRent']['account_index']}) with insufficient funds for rent"
    if isinstance(err, dict) and "DuplicateInstruction" in err:
        return f"Transaction contains a duplicate instruction ({err['DuplicateInstruction']}) that is not allowed"
    return json.dumps(err)


def token_balances(
    keys: Sequence[Pubkey], accounts: Sequence[Account | None], get: Any
) -> list[dict[str, Any]]:
    """The ``preTokenBalances``/``postTokenBalances`` entries of the token accounts among ``keys``."""
    out: list[dict[str, Any]] = []
    for index, account in enumerate(accounts):
        if account is None or account.owner not in TOKEN_PROGRAMS:
            continue
        token = parse_token_account(bytes(account.data))
        if token is None:
            continue
        mint, owner, amount = token
        decimals = _mint_decimals(get(mint)) or 0
        out.append(
            {
                "accountIndex": index,
                "mint": str(mint),
                "owner": str(owner),
                "programId": str(account.owner),
                "uiTokenAmount": token_amount(amount, decimals),
            }
        )
    _ = keys
    return out
