"""Testing support: an in-process chain with the inbox program and Light (:class:`LocalChain`)."""

from solinbox.testing.chain import LAMPORTS_PER_SOL, LocalChain, Sent, TransactionFailed

__all__ = ["LAMPORTS_PER_SOL", "LocalChain", "Sent", "TransactionFailed"]
