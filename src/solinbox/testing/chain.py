"""An in-process chain for tests: LiteSVM with the inbox program and the real Light programs.

:class:`LocalChain` wraps a LiteSVM built by :func:`solinbox.localnet.genesis.build_light_svm`
with conveniences a wallet or backend test needs: funded wallets, sending instructions with a
compute budget, typed failures (:class:`TransactionFailed` carries the program error code and
logs), reading the program's accounts, the compressed records a transaction wrote, a clock to
move forward, and SPL Token / Token-2022 mints and accounts written directly into the state.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from solders.account import Account
from solders.compute_budget import set_compute_unit_limit
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata, TransactionMetadata

from solinbox.errors import SolinboxError
from solinbox.light.events import NewCompressedAccount, outputs_from_litesvm
from solinbox.localnet.genesis import build_light_svm
from solinbox.program.accounts import BlockMarker, Inbox, ThreadPage, ThreadSlot
from solinbox.program.events import Event, parse_events
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import TOKEN_PROGRAM_ID, thread_page_for
from solinbox.program.records import Record, decode_record

__all__ = ["LAMPORTS_PER_SOL", "LocalChain", "Sent", "TransactionFailed"]

LAMPORTS_PER_SOL = 1_000_000_000
_CUSTOM = re.compile(r"Custom\((\d+)\)")


class TransactionFailed(SolinboxError):
    """A transaction failed; ``code`` is the custom program error code if there is one."""

    def __init__(self, err: object, logs: Sequence[str], compute_units: int) -> None:
        self.err = err
        self.logs = list(logs)
        self.compute_units = compute_units
        match = _CUSTOM.search(str(err))
        self.code: int | None = int(match.group(1)) if match else None
        super().__init__(f"{err}\n  " + "\n  ".join(self.logs[-12:]))


@dataclass(frozen=True, slots=True)
class Sent:
    """A successful transaction and what it produced."""

    transaction: VersionedTransaction
    meta: TransactionMetadata

    @property
    def compute_units(self) -> int:
        """Compute units the whole transaction consumed."""
        return self.meta.compute_units_consumed()

    @property
    def logs(self) -> list[str]:
        """The runtime's log lines."""
        return list(self.meta.logs())

    def outputs(self) -> list[NewCompressedAccount]:
        """The compressed accounts the transaction created (leaf hashes verified)."""
        return outputs_from_litesvm(self.transaction, self.meta, verify_hashes=True)

    def records(self) -> list[Record]:
        """The inbox records among the outputs, decoded."""
        return [
            decode_record(o.discriminator, o.data)
            for o in self.outputs()
            if o.owner == PROGRAM_ID and o.discriminator is not None and o.data is not None
        ]

    def events(self) -> list[Event]:
        """The inbox program's events."""
        return parse_events(self.logs)

    def light_compute_units(self) -> int:
        """Compute units consumed inside the Light system program's CPIs."""
        total = 0
        for line in self.logs:
            if line.startswith("Program SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7 consumed "):
                total += int(line.split()[3])
        return total


class LocalChain:
    """LiteSVM with the inbox program (``so``) and Light; see the module docstring.

    Pass ``svm`` instead of ``so`` to wrap an existing LiteSVM (e.g. one where the program was
    deployed through the upgradeable loader).
    """

    def __init__(
        self,
        so: Path | None = None,
        *,
        svm: LiteSVM | None = None,
        unix_timestamp: int = 1_750_000_000,
    ) -> None:
        if svm is None:
            if so is None:
                raise ValueError("LocalChain needs the program's .so or an existing LiteSVM")
            svm = build_light_svm(programs={PROGRAM_ID: Path(so)})
        self.svm: LiteSVM = svm
        self.set_time(unix_timestamp)

    # -- wallets and time ---------------------------------------------------------------------
    def wallet(self, sol: float = 10.0, *, seed: bytes | None = None) -> Keypair:
        """A new keypair funded with ``sol`` SOL (deterministic when ``seed`` (32 bytes) is given)."""
        kp = Keypair.from_seed(seed) if seed is not None else Keypair()
        self.svm.airdrop(kp.pubkey(), int(sol * LAMPORTS_PER_SOL))
        return kp

    def balance(self, key: Pubkey) -> int:
        """Lamports of ``key`` (0 if it does not exist)."""
        return self.svm.get_balance(key) or 0

    def now(self) -> int:
        """The clock's unix timestamp."""
        return int(self.svm.get_clock().unix_timestamp)

    def set_time(self, unix_timestamp: int) -> None:
        """Set the clock's unix timestamp."""
        clock = self.svm.get_clock()
        clock.unix_timestamp = unix_timestamp
        self.svm.set_clock(clock)

    def advance(self, seconds: int) -> None:
        """Move the clock forward."""
        self.set_time(self.now() + seconds)

    # -- sending ------------------------------------------------------------------------------
    def send(
        self,
        instructions: Instruction | Sequence[Instruction],
        signers: Keypair | Sequence[Keypair],
        *,
        compute_units: int = 400_000,
    ) -> Sent:
        """Sign (the first signer pays) and execute; raises :class:`TransactionFailed`."""
        ixs = [instructions] if isinstance(instructions, Instruction) else list(instructions)
        keys = [signers] if isinstance(signers, Keypair) else list(signers)
        msg = MessageV0.try_compile(
            keys[0].pubkey(),
            [set_compute_unit_limit(compute_units), *ixs],
            [],
            self.svm.latest_blockhash(),
        )
        tx = VersionedTransaction(msg, keys)
        result = self.svm.send_transaction(tx)
        self.svm.expire_blockhash()
        if isinstance(result, FailedTransactionMetadata):
            meta = result.meta()
            raise TransactionFailed(result.err(), meta.logs(), meta.compute_units_consumed())
        return Sent(tx, result)

    # -- reading ------------------------------------------------------------------------------
    def data(self, key: Pubkey) -> bytes | None:
        """Account data, or None if the account does not exist."""
        account = self.svm.get_account(key)
        return bytes(account.data) if account is not None and account.lamports > 0 else None

    def inbox(self, key: Pubkey) -> Inbox:
        """Decode an Inbox account."""
        raw = self.data(key)
        if raw is None:
            raise KeyError(f"no inbox at {key}")
        return Inbox.decode(raw)

    def page(self, inbox: Pubkey, thread_id: int) -> ThreadPage:
        """Decode the page that holds ``thread_id``."""
        raw = self.data(thread_page_for(inbox, thread_id))
        if raw is None:
            raise KeyError(f"no page for thread {thread_id} of {inbox}")
        return ThreadPage.decode(raw)

    def thread(self, inbox: Pubkey, thread_id: int) -> ThreadSlot:
        """A thread's slot."""
        slot = self.page(inbox, thread_id).thread(thread_id)
        if slot is None:
            raise KeyError(f"no thread {thread_id} in {inbox}")
        return slot

    def block_marker(self, key: Pubkey) -> BlockMarker | None:
        """Decode a block marker, or None if absent."""
        raw = self.data(key)
        return BlockMarker.decode(raw) if raw is not None else None

    # -- tokens -------------------------------------------------------------------------------
    def create_mint(
        self,
        decimals: int = 6,
        *,
        token_program: Pubkey = TOKEN_PROGRAM_ID,
        authority: Pubkey | None = None,
        address: Pubkey | None = None,
    ) -> Pubkey:
        """Write an initialized mint (no extensions) into the state."""
        mint = address or Keypair().pubkey()
        auth = authority or Keypair().pubkey()
        data = struct.pack("<I32sQB?I32s", 1, bytes(auth), 0, decimals, True, 0, bytes(32))
        self._set(mint, data, token_program)
        return mint

    def create_token_account(
        self,
        owner: Pubkey,
        mint: Pubkey,
        amount: int,
        *,
        token_program: Pubkey = TOKEN_PROGRAM_ID,
        address: Pubkey | None = None,
    ) -> Pubkey:
        """Write an initialized token account holding ``amount`` (and add it to the mint supply)."""
        key = address or Keypair().pubkey()
        # mint, owner, amount, delegate COption<Pubkey>, state = Initialized, is_native
        # COption<u64>, delegated_amount, close_authority COption<Pubkey>: 165 bytes
        data = (
            bytes(mint) + bytes(owner) + struct.pack("<Q", amount) + bytes(36) + b"\x01" + bytes(56)
        )
        self._set(key, data, token_program)
        mint_data = bytearray(self.data(mint) or b"")
        supply = struct.unpack_from("<Q", mint_data, 36)[0] + amount
        struct.pack_into("<Q", mint_data, 36, supply)
        self._set(mint, bytes(mint_data), token_program)
        return key

    def token_balance(self, account: Pubkey) -> int:
        """The amount held by a token account."""
        raw = self.data(account)
        if raw is None:
            raise KeyError(f"no token account {account}")
        return int(struct.unpack_from("<Q", raw, 64)[0])

    def _set(self, key: Pubkey, data: bytes, owner: Pubkey) -> None:
        lamports = self.svm.minimum_balance_for_rent_exemption(len(data))
        self.svm.set_account(key, Account(lamports, data, owner, False, 0))
