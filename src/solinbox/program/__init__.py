"""The inbox program as seen from Python: its id, discriminators, IDL and errors.

* :mod:`solinbox.program.ids` — :data:`PROGRAM_ID`;
* :mod:`solinbox.program.discriminators` — Anchor's 8-byte instruction / account / event
  discriminators;
* :mod:`solinbox.program.idl` — the shipped IDL (Anchor 0.30+ and the legacy format anchorpy
  reads) and the conversion between them;
* :mod:`solinbox.program.errors` — one exception per program error code.

Everything here is pure (no I/O beyond reading the package's own data files).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solinbox._lazy import lazy_exports

if TYPE_CHECKING:
    from solinbox.program.discriminators import (
        DISCRIMINATOR_LEN,
        account_discriminator,
        event_discriminator,
        instruction_discriminator,
    )
    from solinbox.program.errors import (
        CUSTOM_ERROR_MAP,
        ProgramError,
        from_code,
        from_logs,
    )
    from solinbox.program.idl import (
        IdlError,
        load_idl,
        load_legacy_idl,
    )
    from solinbox.program.ids import (
        PROGRAM_ID,
    )

__all__ = [
    "CUSTOM_ERROR_MAP",
    "DISCRIMINATOR_LEN",
    "PROGRAM_ID",
    "IdlError",
    "ProgramError",
    "account_discriminator",
    "event_discriminator",
    "from_code",
    "from_logs",
    "instruction_discriminator",
    "load_idl",
    "load_legacy_idl",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "CUSTOM_ERROR_MAP": "errors",
        "DISCRIMINATOR_LEN": "discriminators",
        "IdlError": "idl",
        "PROGRAM_ID": "ids",
        "ProgramError": "errors",
        "account_discriminator": "discriminators",
        "event_discriminator": "discriminators",
        "from_code": "errors",
        "from_logs": "errors",
        "instruction_discriminator": "discriminators",
        "load_idl": "idl",
        "load_legacy_idl": "idl",
    },
)
