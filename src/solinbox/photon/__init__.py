"""A reader for any Photon JSON-RPC endpoint (ours, or a real one): :class:`PhotonReader`."""

from solinbox.photon._reader import (
    CompressedAccount,
    InboxActivityItem,
    PhotonError,
    PhotonMethodNotFound,
    PhotonReader,
)

__all__ = [
    "CompressedAccount",
    "InboxActivityItem",
    "PhotonError",
    "PhotonMethodNotFound",
    "PhotonReader",
]
