"""Deploy a program through the BPF upgradeable loader over JSON-RPC, against any cluster.

:func:`deploy_program` does what ``solana program deploy`` does, with solana-py's
:class:`~solana.rpc.async_api.AsyncClient` and nothing localnet-specific:

1. create and initialise a buffer account (skipped when resuming an existing buffer);
2. ``Write`` the ``.so`` in 950-byte chunks, several in flight, each retried (resent with a
   fresh blockhash) until confirmed; when resuming, the buffer is read back first and only
   chunks that differ are written; the buffer is read back again at the end and any chunk
   that still differs is rewritten;
3. ``DeployWithMaxDataLen`` for a new program, or ``Upgrade`` (after ``ExtendProgram`` when the
   new code is larger than the program data account) for an existing one.

Keep the buffer keypair (the CLI saves it next to the ``.so``) to resume an interrupted
deploy. Client-visible failures raise :class:`ProgramDeployError`.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Commitment, Confirmed
from solana.rpc.core import RPCException
from solana.rpc.models import TxOpts
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from solinbox import loader
from solinbox.errors import SolinboxError

__all__ = [
    "DeployResult",
    "ProgramDeployError",
    "deploy_program",
    "extend_program",
    "set_compute_unit_price",
]

_SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
T = TypeVar("T")
_COMPUTE_BUDGET = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
_EXTEND_PROGRAM = 6
_TRANSIENT: tuple[type[BaseException], ...] = (OSError, asyncio.TimeoutError)
try:  # solana-py wraps transport errors in SolanaRpcException
    from solana.exceptions import SolanaRpcException

    _TRANSIENT = (*_TRANSIENT, SolanaRpcException)
except ImportError:  # pragma: no cover - older solana-py
    pass


class ProgramDeployError(SolinboxError):
    """A deploy could not be completed; ``logs`` holds the runtime's log lines, if any."""

    def __init__(self, message: str, logs: Sequence[str] = ()) -> None:
        super().__init__(message + ("\n  " + "\n  ".join(logs) if logs else ""))
        self.logs = list(logs)


@dataclass(frozen=True, slots=True)
class DeployResult:
    """What :func:`deploy_program` did.

    Attributes:
        program_id: The program's address.
        buffer: The buffer account used (closed by the deploy/upgrade).
        upgraded: ``True`` when an existing program was upgraded.
        chunks_written: Write transactions that landed.
        chunks_skipped: Chunks already present in a resumed buffer.
        signature: The deploy or upgrade transaction.
        seconds: Wall time.
    """

    program_id: Pubkey
    buffer: Pubkey
    upgraded: bool
    chunks_written: int
    chunks_skipped: int
    signature: Signature
    seconds: float


def set_compute_unit_price(micro_lamports: int) -> Instruction:
    """``ComputeBudget::SetComputeUnitPrice``: the priority fee per compute unit."""
    return Instruction(_COMPUTE_BUDGET, struct.pack("<BQ", 3, micro_lamports), [])


def extend_program(program: Pubkey, payer: Pubkey, additional_bytes: int) -> Instruction:
    """``ExtendProgram``: grow the ProgramData account of ``program`` by ``additional_bytes``."""
    return Instruction(
        loader.LOADER_V3,
        struct.pack("<II", _EXTEND_PROGRAM, additional_bytes),
        [
            AccountMeta(loader.program_data_address(program), False, True),
            AccountMeta(program, False, True),
            AccountMeta(_SYSTEM_PROGRAM, False, False),
            AccountMeta(payer, True, True),
        ],
    )


async def _read(call: Callable[[], Awaitable[T]], retries: int) -> T:
    """Run an RPC read, retrying transport failures with backoff."""
    for attempt in range(retries + 1):
        try:
            return await call()
        except _TRANSIENT:
            if attempt == retries:
                raise
            await asyncio.sleep(min(2.0, 0.2 * 2**attempt))
    raise AssertionError("unreachable")


class _Sender:
    """Signs, sends and confirms transactions, resending until they land or retries run out."""

    def __init__(self, client: AsyncClient, payer: Keypair, commitment: Commitment, retries: int,
                 poll: float, prefix: Sequence[Instruction] = ()) -> None:  # fmt: skip
        self.client = client
        self.payer = payer
        self.commitment = commitment
        self.retries = retries
        self.poll = poll
        self.prefix = list(prefix)
        self._blockhash: tuple[Hash, int, float] | None = None

    async def _recent(self) -> tuple[Hash, int]:
        now = time.monotonic()
        if self._blockhash is None or now - self._blockhash[2] > 2.0:
            resp = await _read(
                lambda: self.client.get_latest_blockhash(self.commitment), self.retries
            )
            self._blockhash = (resp.value.blockhash, resp.value.last_valid_block_height, now)
        return self._blockhash[0], self._blockhash[1]

    async def send(
        self, instructions: Sequence[Instruction], signers: Sequence[Keypair], what: str
    ) -> Signature:
        """Send until the transaction is confirmed; a new blockhash each time one expires.

        Transport failures are retried with backoff; once a transaction is out, only its
        expiry (block height past its last valid one) makes a new one be sent, so a
        transaction is never sent twice while the first may still land.
        """
        last_error: BaseException | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(min(2.0, 0.2 * 2 ** (attempt - 1)))
            try:
                blockhash, last_valid = await self._recent()
            except _TRANSIENT as exc:
                last_error = exc
                continue
            message = MessageV0.try_compile(
                self.payer.pubkey(), [*self.prefix, *instructions], [], blockhash
            )
            others = [s for s in signers if s.pubkey() != self.payer.pubkey()]
            tx = VersionedTransaction(message, [self.payer, *others])
            signature = tx.signatures[0]
            try:
                opts = TxOpts(skip_preflight=False, preflight_commitment=self.commitment)
                await self.client.send_transaction(tx, opts)
            except RPCException as exc:
                data = exc.args[0] if exc.args else None
                logs = list(getattr(getattr(data, "data", None), "logs", None) or [])
                text = str(getattr(data, "message", exc))
                if "Blockhash not found" in text:
                    last_error = exc
                    self._blockhash = None
                    continue
                if "already been processed" not in text:  # else: the same bytes landed before
                    raise ProgramDeployError(f"{what} failed: {text}", logs) from exc
            except _TRANSIENT as exc:
                last_error = exc  # it may have arrived all the same: look for it
            try:
                if await self._confirm(signature, last_valid, what):
                    return signature
            except _TRANSIENT as exc:
                last_error = exc
                continue
            last_error = TimeoutError(f"transaction {signature} expired before landing")
            self._blockhash = None
        raise ProgramDeployError(
            f"{what} did not land after {self.retries + 1} attempts: {last_error}"
        )

    async def _confirm(self, signature: Signature, last_valid: int, what: str) -> bool:
        """Wait for ``signature``: True once at the commitment, False once it expired."""
        wanted = {"processed": 0, "confirmed": 1, "finalized": 2}[str(self.commitment)]
        while True:
            resp = await _read(
                lambda: self.client.get_signature_statuses([signature]), self.retries
            )
            status = resp.value[0]
            if status is not None:
                if status.err is not None:
                    raise ProgramDeployError(f"{what} failed: {status.err}")
                level = {"Processed": 0, "Confirmed": 1, "Finalized": 2}.get(
                    str(status.confirmation_status).rsplit(".", 1)[-1], 0
                )
                if status.confirmations is None or level >= wanted:
                    return True
            else:
                height = await _read(
                    lambda: self.client.get_block_height(self.commitment), self.retries
                )
                if height.value > last_valid:
                    return False
            await asyncio.sleep(self.poll)


async def _read_buffer(
    client: AsyncClient, buffer: Pubkey, commitment: Commitment, retries: int
) -> bytes | None:
    resp = await _read(
        lambda: client.get_account_info(buffer, commitment=commitment, encoding="base64"), retries
    )
    account = resp.value
    if account is None:
        return None
    if account.owner != loader.LOADER_V3:
        raise ProgramDeployError(f"account {buffer} exists and is not a loader buffer")
    return bytes(account.data)


async def deploy_program(
    client: AsyncClient,
    payer: Keypair,
    so: bytes,
    *,
    program: Keypair | None = None,
    program_id: Pubkey | None = None,
    buffer: Keypair | None = None,
    max_data_len: int | None = None,
    commitment: Commitment = Confirmed,
    retries: int = 5,
    concurrency: int = 8,
    poll_interval: float = 0.4,
    compute_unit_price: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> DeployResult:
    """Deploy or upgrade a program through the upgradeable loader over RPC.

    Args:
        client: Any cluster's RPC (our localnet, devnet, mainnet...).
        payer: Pays fees and rent; buffer authority and upgrade authority.
        so: The program (an sBPF ELF).
        program: The program keypair; required for a first deploy (it signs the account
            creation). When the program already exists it is upgraded instead.
        program_id: The program to upgrade when its keypair is not at hand.
        buffer: The buffer keypair; pass the same one again to resume a half-written buffer.
            A fresh one is generated when ``None``.
        max_data_len: Room for future upgrades (default: the program's size).
        commitment: Commitment every step waits for.
        retries: Attempts per transaction beyond the first (resent with a fresh blockhash).
        concurrency: Write transactions in flight.
        poll_interval: Seconds between signature-status polls.
        compute_unit_price: Priority fee in micro-lamports per compute unit, added to every
            transaction (``SetComputeUnitPrice``); busy clusters need one for writes to land.
        on_progress: ``on_progress(bytes_done, total)`` after each chunk (skipped chunks count).

    Returns:
        What was done.

    Raises:
        ProgramDeployError: A transaction failed, never landed, or an account is in the way.
    """
    started = time.monotonic()
    if not so:
        raise ProgramDeployError("the program is empty")
    if program is None and program_id is None:
        raise ProgramDeployError(
            "give the program keypair (new deploy) or the program id (upgrade)"
        )
    target = program.pubkey() if program is not None else program_id
    assert target is not None
    buffer = buffer or Keypair()
    prefix = [set_compute_unit_price(compute_unit_price)] if compute_unit_price else []
    sender = _Sender(client, payer, commitment, retries, poll_interval, prefix)
    try:
        existing = (
            await _read(lambda: client.get_account_info(target, commitment=commitment), retries)
        ).value
        upgrade = existing is not None
        if upgrade:
            assert existing is not None
            if existing.owner != loader.LOADER_V3 or not existing.executable:
                raise ProgramDeployError(f"{target} exists and is not an upgradeable program")
        elif program is None:
            raise ProgramDeployError(
                f"program {target} does not exist; its keypair is needed to deploy it"
            )

        # 1. the buffer: create, or resume
        size = loader.BUFFER_METADATA_SIZE + len(so)
        current = await _read_buffer(client, buffer.pubkey(), commitment, retries)
        if current is None:
            rent = (
                await _read(lambda: client.get_minimum_balance_for_rent_exemption(size), retries)
            ).value
            await sender.send(
                loader.create_buffer(payer.pubkey(), buffer.pubkey(), payer.pubkey(), len(so), rent),
                [payer, buffer], "creating the buffer",
            )  # fmt: skip
            current = bytes(size)
        elif len(current) != size:
            raise ProgramDeployError(
                f"buffer {buffer.pubkey()} holds {len(current) - loader.BUFFER_METADATA_SIZE} bytes, "
                f"the program has {len(so)}: use a new buffer"
            )
        elif current[4] != 1 or current[5:37] != bytes(payer.pubkey()):
            raise ProgramDeployError(
                f"buffer {buffer.pubkey()} is not writable by {payer.pubkey()}"
            )

        # 2. the chunks that differ
        done = 0
        written = 0
        skipped = 0
        for round_ in range(retries + 2):
            body = current[loader.BUFFER_METADATA_SIZE :]
            todo = [(o, c) for o, c in loader.write_chunks(so) if body[o : o + len(c)] != c]
            if round_ == 0:
                skipped = sum(1 for _ in loader.write_chunks(so)) - len(todo)
                done = len(so) - sum(len(c) for _, c in todo)
                if on_progress:
                    on_progress(done, len(so))
            if not todo:
                break
            if round_ > retries:
                raise ProgramDeployError(
                    f"buffer {buffer.pubkey()} still differs after {retries + 1} rounds"
                )

            async def write(
                offset: int, chunk: bytes, limit: asyncio.Semaphore, first: bool
            ) -> None:
                nonlocal done, written
                async with limit:
                    await sender.send(
                        [loader.write(buffer.pubkey(), payer.pubkey(), offset, chunk)],
                        [payer], f"writing bytes {offset}..{offset + len(chunk)}",
                    )  # fmt: skip
                written += 1
                done += len(chunk) if first else 0
                if on_progress:
                    on_progress(min(done, len(so)), len(so))

            limit = asyncio.Semaphore(max(1, concurrency))
            await asyncio.gather(*(write(o, c, limit, round_ == 0) for o, c in todo))
            current = await _read_buffer(client, buffer.pubkey(), commitment, retries) or b""

        # 3. deploy or upgrade
        if upgrade:
            data_address = loader.program_data_address(target)
            data = (
                await _read(
                    lambda: client.get_account_info(data_address, commitment=commitment), retries
                )
            ).value
            if data is None:
                raise ProgramDeployError(f"program {target} has no program data account")
            room = len(data.data) - loader.PROGRAMDATA_METADATA_SIZE
            if len(so) > room:
                await sender.send(
                    [extend_program(target, payer.pubkey(), len(so) - room)],
                    [payer],
                    "ExtendProgram",
                )
            signature = await sender.send(
                [loader.upgrade(target, buffer.pubkey(), payer.pubkey(), payer.pubkey())],
                [payer],
                "Upgrade",
            )
        else:
            assert program is not None
            program_rent = (
                await _read(
                    lambda: client.get_minimum_balance_for_rent_exemption(
                        loader.PROGRAM_ACCOUNT_SIZE
                    ),
                    retries,
                )
            ).value
            ixs = loader.deploy_with_max_data_len(
                payer.pubkey(),
                target,
                buffer.pubkey(),
                payer.pubkey(),
                program_rent,
                max_data_len or len(so),
            )
            signature = await sender.send(ixs, [payer, program], "DeployWithMaxDataLen")
    except RPCException as exc:
        raise ProgramDeployError(f"RPC error: {exc}") from exc
    except _TRANSIENT as exc:
        raise ProgramDeployError(f"cannot reach the cluster: {exc}") from exc
    return DeployResult(
        target, buffer.pubkey(), upgrade, written, skipped, signature, time.monotonic() - started
    )
