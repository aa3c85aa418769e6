"""Client errors.

Program failures raise the program's own error class (one per code, from
:mod:`solinbox.program.errors`) with the logs attached; everything else is one of these::

    SolinboxError
    └── ClientError
        ├── RpcError                 the RPC answered with an error or could not be reached
        ├── SimulationError          preflight simulation failed (not a program error)
        ├── TransactionFailedError   the transaction landed and failed (not a program error)
        └── ConfirmationTimeout      not confirmed before its blockhash expired
"""

from __future__ import annotations

from collections.abc import Sequence

from solinbox.errors import SolinboxError
from solinbox.program.errors import ProgramError, from_logs

__all__ = [
    "ClientError",
    "ConfirmationTimeout",
    "RpcError",
    "SimulationError",
    "TransactionFailedError",
    "raise_for_failure",
]


class ClientError(SolinboxError):
    """Base of the client's own errors; ``logs`` holds the runtime's log lines if any."""

    def __init__(self, message: str, logs: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.logs = list(logs)


class RpcError(ClientError):
    """The RPC node answered with an error, or could not be reached."""


class SimulationError(ClientError):
    """Preflight simulation failed for a reason other than a program error."""


class TransactionFailedError(ClientError):
    """The transaction was processed and failed for a reason other than a program error."""


class ConfirmationTimeout(ClientError):
    """The transaction was not confirmed before its blockhash expired."""


def raise_for_failure(err: object, logs: Sequence[str], *, simulated: bool) -> None:
    """Raise the program's error class if the logs show one, else a client error."""
    program_error: ProgramError | None = from_logs(logs)
    if program_error is not None:
        raise program_error
    cls = SimulationError if simulated else TransactionFailedError
    raise cls(f"transaction failed: {err}", logs)
