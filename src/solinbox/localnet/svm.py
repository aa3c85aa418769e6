"""Small helpers to drive an in-process LiteSVM: send instructions, deploy programs for real.

:func:`deploy_upgradeable` goes through the BPF upgradeable loader exactly as a validator would
(InitializeBuffer, Write, DeployWithMaxDataLen transactions), so the loader's strict deployment
checks run on the ``.so`` — unlike ``LiteSVM.add_program``, which is lenient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata, TransactionMetadata

from solinbox import loader
from solinbox.errors import SolinboxError

__all__ = ["DeployError", "deploy_upgradeable", "send"]


class DeployError(SolinboxError):
    """A deploy transaction failed; ``logs`` holds the runtime's log lines."""

    def __init__(self, message: str, logs: Sequence[str] = ()) -> None:
        super().__init__(message + ("\n  " + "\n  ".join(logs) if logs else ""))
        self.logs = list(logs)


def send(
    svm: LiteSVM, instructions: Sequence[Instruction], signers: Sequence[Keypair]
) -> TransactionMetadata | FailedTransactionMetadata:
    """Sign with ``signers`` (the first pays) and send one v0 transaction; fresh blockhash each time."""
    msg = MessageV0.try_compile(signers[0].pubkey(), list(instructions), [], svm.latest_blockhash())
    result = svm.send_transaction(VersionedTransaction(msg, list(signers)))
    svm.expire_blockhash()
    return result


def _check(result: TransactionMetadata | FailedTransactionMetadata, what: str) -> None:
    if isinstance(result, FailedTransactionMetadata):
        raise DeployError(f"{what} failed: {result.err()}", result.meta().logs())


def deploy_upgradeable(
    svm: LiteSVM,
    payer: Keypair,
    program: Keypair,
    so: bytes,
    *,
    max_data_len: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Pubkey:
    """Deploy ``so`` at ``program``'s address through the upgradeable loader; returns the id.

    The payer is also the buffer and upgrade authority. The slot is advanced afterwards so the
    program is executable at once (deployed programs become visible in the next slot).
    ``on_progress(bytes_written, total)`` is called after each Write transaction.
    """
    buffer = Keypair()
    rent = svm.minimum_balance_for_rent_exemption(loader.BUFFER_METADATA_SIZE + len(so))
    _check(
        send(svm, loader.create_buffer(payer.pubkey(), buffer.pubkey(), payer.pubkey(), len(so), rent),
             [payer, buffer]),
        "creating the buffer",
    )  # fmt: skip
    for offset, chunk in loader.write_chunks(so):
        _check(
            send(svm, [loader.write(buffer.pubkey(), payer.pubkey(), offset, chunk)], [payer]),
            f"writing bytes {offset}..{offset + len(chunk)}",
        )
        if on_progress:
            on_progress(offset + len(chunk), len(so))
    program_rent = svm.minimum_balance_for_rent_exemption(loader.PROGRAM_ACCOUNT_SIZE)
    ixs = loader.deploy_with_max_data_len(
        payer.pubkey(),
        program.pubkey(),
        buffer.pubkey(),
        payer.pubkey(),
        program_rent,
        max_data_len or len(so),
    )
    _check(send(svm, ixs, [payer, program]), "DeployWithMaxDataLen")
    svm.warp_to_slot(svm.get_clock().slot + 1)
    return program.pubkey()
