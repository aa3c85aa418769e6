"""Compressed token accounts: Light's ``TokenData``, decoded from a compressed account's data.

The compressed-token program (:data:`~solinbox.light.ids.COMPRESSED_TOKEN_PROGRAM_ID`) owns
compressed accounts whose data is the Borsh encoding of

.. code-block:: rust

    struct TokenData {
        mint: Pubkey,                         // 32 bytes
        owner: Pubkey,                        // 32 bytes
        amount: u64,                          // little-endian
        delegate: Option<Pubkey>,             // 0 | 1 + 32 bytes
        state: u8,                            // 0 initialized, 1 frozen
        tlv: Option<Vec<ExtensionStruct>>,    // extensions
    }

(``light-token-interface``'s ``TokenData`` / ``CompressedTokenAccountState``), under one of
three 8-byte discriminators (``TokenDataVersion::discriminator``): V1 ``[2, 0, …, 0]``
(Poseidon hash; what the pinned program's ``mint_to``, ``approve`` and ``freeze`` write, in V1
and V2 trees alike), V2 ``[0, …, 0, 3]`` (Poseidon, batched-tree era) and ShaFlat
``[0, …, 0, 4]`` (SHA-256 of the Borsh bytes, with TLV extensions).

Decoding follows Photon's ``TokenData::parse`` so that the same accounts are token accounts:
the fixed fields must be present and valid (an option tag other than 0/1, a state other than
0/1 or missing bytes make the data malformed), and ``tlv`` is the raw bytes after a ``Some``
tag (Photon returns them base64-encoded as they are), ``None`` when absent, empty, or after an
unknown tag. Everything here is pure.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError
from solinbox.light.ids import COMPRESSED_TOKEN_PROGRAM_ID

__all__ = [
    "TOKEN_DISCRIMINATORS",
    "TOKEN_DISCRIMINATOR_SHA_FLAT",
    "TOKEN_DISCRIMINATOR_V1",
    "TOKEN_DISCRIMINATOR_V2",
    "AccountState",
    "TokenData",
    "TokenDataError",
    "U64_MAX",
    "decode_token_data",
    "encode_token_data",
    "is_token_account",
    "token_data_json",
    "token_data_of",
]

TOKEN_DISCRIMINATOR_V1: Final = bytes([2, 0, 0, 0, 0, 0, 0, 0])
"""``TokenDataVersion::V1`` (2 little-endian): written by the pinned program in every tree."""
TOKEN_DISCRIMINATOR_V2: Final = bytes([0, 0, 0, 0, 0, 0, 0, 3])
"""``TokenDataVersion::V2`` (3 big-endian)."""
TOKEN_DISCRIMINATOR_SHA_FLAT: Final = bytes([0, 0, 0, 0, 0, 0, 0, 4])
"""``TokenDataVersion::ShaFlat`` (4 big-endian): SHA-256 data hash, TLV extensions."""
TOKEN_DISCRIMINATORS: Final = frozenset(
    {TOKEN_DISCRIMINATOR_V1, TOKEN_DISCRIMINATOR_V2, TOKEN_DISCRIMINATOR_SHA_FLAT}
)
"""Every discriminator of a compressed token account (Photon's ``is_c_token_discriminator``)."""

U64_MAX: Final = (1 << 64) - 1
"""The largest token amount."""
_FIXED = 32 + 32 + 8  # mint, owner, amount


class TokenDataError(SolinboxError, ValueError):
    """Token account data that does not decode as ``TokenData``."""


class AccountState(IntEnum):
    """A compressed token account's state (``CompressedTokenAccountState``)."""

    INITIALIZED = 0
    FROZEN = 1

    @property
    def json_name(self) -> str:
        """Photon's name for it: ``"initialized"`` or ``"frozen"``."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class TokenData:
    """A decoded compressed token account."""

    mint: Pubkey
    owner: Pubkey
    amount: int
    delegate: Pubkey | None = None
    state: AccountState = AccountState.INITIALIZED
    tlv: bytes | None = None


def is_token_account(owner: Pubkey, discriminator: bytes | None) -> bool:
    """Whether an account is a compressed token account (by owner and discriminator)."""
    return owner == COMPRESSED_TOKEN_PROGRAM_ID and discriminator in TOKEN_DISCRIMINATORS


def decode_token_data(data: bytes) -> TokenData:
    """Decode ``TokenData`` from a token account's data (without the discriminator).

    Raises:
        TokenDataError: the data is too short, an option tag is not 0/1 or the state not 0/1.
    """
    if len(data) < _FIXED + 2:
        raise TokenDataError(f"token data is {len(data)} bytes, at least {_FIXED + 2} needed")
    mint, owner = Pubkey(data[:32]), Pubkey(data[32:64])
    (amount,) = struct.unpack_from("<Q", data, 64)
    pos = _FIXED
    tag = data[pos]
    pos += 1
    delegate: Pubkey | None = None
    if tag == 1:
        if len(data) < pos + 32 + 1:
            raise TokenDataError("token data ends inside its delegate")
        delegate = Pubkey(data[pos : pos + 32])
        pos += 32
    elif tag != 0:
        raise TokenDataError(f"invalid delegate option tag {tag}")
    if pos >= len(data):
        raise TokenDataError("token data ends before its state")
    try:
        state = AccountState(data[pos])
    except ValueError:
        raise TokenDataError(f"invalid token account state {data[pos]}") from None
    pos += 1
    tlv: bytes | None = None
    if pos < len(data) and data[pos] == 1 and pos + 1 < len(data):
        tlv = bytes(data[pos + 1 :])
    return TokenData(mint, owner, amount, delegate, state, tlv)


def token_data_of(
    owner: Pubkey, discriminator: bytes | None, data: bytes | None
) -> TokenData | None:
    """The token data of a compressed account; None if it is not a token account.

    Raises:
        TokenDataError: it is a token account (owner and discriminator) but malformed.
    """
    if data is None or not is_token_account(owner, discriminator):
        return None
    return decode_token_data(data)


def encode_token_data(token: TokenData) -> bytes:
    """The Borsh bytes of ``token`` (``tlv`` written raw after a ``Some`` tag, as Photon does)."""
    if not 0 <= token.amount <= U64_MAX:
        raise TokenDataError(f"amount {token.amount} is not a u64")
    out = bytes(token.mint) + bytes(token.owner) + struct.pack("<Q", token.amount)
    out += b"\x00" if token.delegate is None else b"\x01" + bytes(token.delegate)
    out += bytes([int(token.state)])
    out += b"\x00" if token.tlv is None else b"\x01" + token.tlv
    return out


def token_data_json(token: TokenData) -> dict[str, Any]:
    """Photon's ``TokenData`` JSON (amount a JSON number, state a string, tlv base64 or null)."""
    return {
        "mint": str(token.mint),
        "owner": str(token.owner),
        "amount": token.amount,
        "delegate": None if token.delegate is None else str(token.delegate),
        "state": token.state.json_name,
        "tlv": None if token.tlv is None else base64.b64encode(token.tlv).decode(),
    }
