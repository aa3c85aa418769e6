"""A reader for any Photon JSON-RPC endpoint (ours, or a real one): :class:`PhotonReader`."""

from solinbox.photon._reader import CompressedAccount, PhotonError, PhotonReader

__all__ = ["CompressedAccount", "PhotonError", "PhotonReader"]
