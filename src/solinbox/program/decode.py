"""Decoding the program's instructions from their bytes, driven by the shipped IDL.

:func:`decode_instruction` turns ``discriminator ‖ Borsh args`` and the instruction's account
list back into the instruction's name, its named accounts and its arguments — what an indexer
or an explorer needs. It is the inverse of the builders in :mod:`solinbox.program.instructions`.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from solders.pubkey import Pubkey

from solinbox.errors import SolinboxError
from solinbox.program.idl import load_idl
from solinbox.program.ids import PROGRAM_ID

__all__ = ["DecodedInstruction", "InstructionDecodeError", "decode_instruction"]

_INTS = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q", "i64": "<q"}


class InstructionDecodeError(SolinboxError, ValueError):
    """The bytes are not a well-formed instruction of this program."""


@dataclass(frozen=True, slots=True)
class DecodedInstruction:
    """One instruction of the program, decoded.

    Attributes:
        name: The snake_case instruction name (``"send_message"``).
        accounts: IDL account name -> address; None for an optional account that was not given
            (Anchor passes the program id in its place) or a trailing one that was left out.
        args: Argument name -> value: ints, bools, ``str``, ``bytes``, :class:`Pubkey`, None
            for an absent option, and ``dict`` for a struct.
    """

    name: str
    accounts: dict[str, Pubkey | None]
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Layout:
    name: str
    accounts: tuple[tuple[str, bool], ...]  # (name, optional)
    args: tuple[tuple[str, Any], ...]


@cache
def _layouts() -> tuple[dict[bytes, _Layout], dict[str, Any]]:
    idl = load_idl()
    types = {t["name"]: t["type"] for t in idl.get("types", [])}
    layouts = {
        bytes(ix["discriminator"]): _Layout(
            ix["name"],
            tuple((a["name"], bool(a.get("optional"))) for a in ix["accounts"]),
            tuple((a["name"], a["type"]) for a in ix["args"]),
        )
        for ix in idl["instructions"]
    }
    return layouts, types


class _Reader:
    def __init__(self, data: bytes, types: Mapping[str, Any]) -> None:
        self.data = data
        self.pos = 0
        self.types = types

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise InstructionDecodeError("instruction data ends early")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def value(self, ty: Any) -> Any:
        if isinstance(ty, str):
            if ty in _INTS:
                fmt = _INTS[ty]
                return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
            if ty == "bool":
                flag = self.take(1)[0]
                if flag > 1:
                    raise InstructionDecodeError(f"bool byte {flag}")
                return flag == 1
            if ty == "pubkey":
                return Pubkey(self.take(32))
            if ty in ("bytes", "string"):
                (n,) = struct.unpack("<I", self.take(4))
                raw = self.take(n)
                if ty == "bytes":
                    return raw
                try:
                    return raw.decode()
                except UnicodeDecodeError:
                    raise InstructionDecodeError("string is not UTF-8") from None
        elif "option" in ty:
            tag = self.take(1)[0]
            if tag > 1:
                raise InstructionDecodeError(f"option tag {tag}")
            return self.value(ty["option"]) if tag else None
        elif "array" in ty:
            inner, n = ty["array"]
            if inner == "u8":
                return self.take(n)
            return [self.value(inner) for _ in range(n)]
        elif "defined" in ty:
            body = self.types.get(ty["defined"]["name"])
            if body is not None and body.get("kind") == "struct":
                return {f["name"]: self.value(f["type"]) for f in body["fields"]}
        raise InstructionDecodeError(f"the IDL type {ty!r} is not supported")


def decode_instruction(
    data: bytes, accounts: Sequence[Pubkey] = (), program_id: Pubkey = PROGRAM_ID
) -> DecodedInstruction:
    """Decode one instruction of the program (``program_id``: where it is deployed).

    Raises:
        InstructionDecodeError: unknown discriminator, truncated or trailing bytes, bad tags.
    """
    layouts, types = _layouts()
    layout = layouts.get(bytes(data[:8]))
    if layout is None:
        raise InstructionDecodeError("unknown instruction discriminator")
    reader = _Reader(bytes(data), types)
    reader.pos = 8
    args = {name: reader.value(ty) for name, ty in layout.args}
    if reader.pos != len(data):
        raise InstructionDecodeError(
            f"{layout.name}: {len(data) - reader.pos} bytes after the arguments"
        )
    named: dict[str, Pubkey | None] = {}
    for index, (name, optional) in enumerate(layout.accounts):
        key = accounts[index] if index < len(accounts) else None
        named[name] = None if key is None or (optional and key == program_id) else key
    return DecodedInstruction(layout.name, named, args)
