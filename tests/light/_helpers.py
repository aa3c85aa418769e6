"""Helpers shared by the Light tests: send a transaction, read its custom error code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import MessageV0
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata, TransactionMetadata
from solders.transaction_status import InstructionErrorCustom, TransactionErrorInstructionError


@dataclass
class Sent:
    """A transaction and what LiteSVM returned for it."""

    tx: VersionedTransaction
    result: TransactionMetadata | FailedTransactionMetadata

    @property
    def meta(self) -> TransactionMetadata:
        assert isinstance(self.result, TransactionMetadata), self.failure()
        return self.result

    def failure(self) -> str:
        if isinstance(self.result, FailedTransactionMetadata):
            return f"{self.result.err()}\n" + "\n".join(self.result.meta().logs())
        return "succeeded"

    def custom_error(self) -> int:
        """The custom program error code of a failed transaction."""
        assert isinstance(self.result, FailedTransactionMetadata), "transaction succeeded"
        err = self.result.err()
        assert isinstance(err, TransactionErrorInstructionError), err
        assert isinstance(err.err, InstructionErrorCustom), err.err
        return err.err.code


def send(svm: LiteSVM, instructions: Sequence[Instruction], signers: Sequence[Keypair]) -> Sent:
    """Send one v0 transaction paid by ``signers[0]``; the blockhash is expired afterwards."""
    message = MessageV0.try_compile(
        signers[0].pubkey(), list(instructions), [], svm.latest_blockhash()
    )
    tx = VersionedTransaction(message, list(signers))
    result = svm.send_transaction(tx)
    svm.expire_blockhash()
    return Sent(tx, result)
