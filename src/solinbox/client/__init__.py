"""The async client: :class:`InboxClient` (inboxes, threads, payments) and its errors.

Built on solana-py's ``AsyncClient`` (injected) for transactions and regular accounts; the
compressed records (thread headers, messages, reactions) come from a Photon API.
"""

from solinbox.client._client import Activity, ActivityThread, InboxClient, InboxView, ThreadClient
from solinbox.client._errors import (
    ClientError,
    ConfirmationTimeout,
    RpcError,
    SimulationError,
    TransactionFailedError,
)
from solinbox.client._tx import TransactionResult, TransactionSender, build_transaction
from solinbox.client._watch import InboxActivity, watch_inbox

__all__ = [
    "Activity",
    "ActivityThread",
    "ClientError",
    "InboxActivity",
    "ConfirmationTimeout",
    "InboxClient",
    "InboxView",
    "RpcError",
    "SimulationError",
    "ThreadClient",
    "TransactionFailedError",
    "TransactionResult",
    "TransactionSender",
    "build_transaction",
    "watch_inbox",
]
