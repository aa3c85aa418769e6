"""Anchor's 8-byte discriminators, computed the way Anchor computes them.

Every instruction's data, every account's data and every event starts with
``sha256("<namespace>:<name>")[..8]``:

* instruction: ``global:<snake_name>`` — ``global:create_inbox`` (the Rust fn name);
* account: ``account:<TypeName>`` — ``account:Inbox`` (the Rust struct name);
* event: ``event:<TypeName>`` — ``event:ThreadRead``.

The names are used exactly as given (Anchor does not re-case them), so a camelCase
instruction name such as ``createInbox`` — the spelling of the legacy IDL — is rejected
instead of silently producing a different discriminator.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "DISCRIMINATOR_LEN",
    "account_discriminator",
    "event_discriminator",
    "instruction_discriminator",
]

DISCRIMINATOR_LEN = 8
"""Length in bytes of every Anchor discriminator."""

_SNAKE_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _discriminator(namespace: str, name: str) -> bytes:
    return hashlib.sha256(f"{namespace}:{name}".encode()).digest()[:DISCRIMINATOR_LEN]


def instruction_discriminator(name: str) -> bytes:
    """The discriminator of instruction ``name``: ``sha256("global:" + name)[:8]``.

    ``name`` is the snake_case Rust name (``"create_inbox"``), as in the Anchor 0.30 IDL.

    Raises:
        ValueError: ``name`` is not a snake_case identifier.
    """
    if not _SNAKE_NAME.fullmatch(name):
        raise ValueError(f"instruction names are snake_case identifiers, got {name!r}")
    return _discriminator("global", name)


def account_discriminator(name: str) -> bytes:
    """The discriminator of account type ``name``: ``sha256("account:" + name)[:8]``.

    ``name`` is the Rust type name (``"Inbox"``).

    Raises:
        ValueError: ``name`` is not an identifier.
    """
    if not _TYPE_NAME.fullmatch(name):
        raise ValueError(f"account names are identifiers, got {name!r}")
    return _discriminator("account", name)


def event_discriminator(name: str) -> bytes:
    """The discriminator of event type ``name``: ``sha256("event:" + name)[:8]``.

    ``name`` is the Rust type name (``"ThreadRead"``).

    Raises:
        ValueError: ``name`` is not an identifier.
    """
    if not _TYPE_NAME.fullmatch(name):
        raise ValueError(f"event names are identifiers, got {name!r}")
    return _discriminator("event", name)
