"""A crash-safe ledger directory for the localnet: a snapshot plus an append-only journal.

Every state change of the bank — a recorded transaction, an account written directly, a block,
a jump in slot or time — is appended to the journal as one JSON line as it happens; when a
block is produced (the moment it becomes ``confirmed``) the journal is flushed and fsync'd
before any subscriber hears of the block. So ``kill -9`` at any moment loses at most the
working slot, which nobody has seen confirmed. Every ``snapshot_interval`` blocks the bank is
saved whole (:meth:`Bank.save`) and a new, empty journal starts; ``ledger.json`` names the
current snapshot and journal and is replaced atomically, so a crash during a snapshot leaves
the previous pair, which is complete on its own.

Opening a ledger loads the snapshot and replays the journal up to its last block (what
follows it was never confirmed). Replay is exact: transactions run again in the same order,
in the same slots, with the same block times and clock, so LiteSVM reaches the same state.

Layout::

    ledger.json                 {"version": 1, "snapshot": "snapshot-<slot>", "journal": "journal-<slot>.jsonl"}
    snapshot-<slot>/            Bank.save() of the bank right after block <slot>
    journal-<slot>.jsonl        every change since then
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from solders.account import Account
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from solinbox.localnet.bank import Bank, LocalnetStateError, Rejected

__all__ = ["DEFAULT_SNAPSHOT_INTERVAL", "Ledger"]

log = logging.getLogger("solinbox.localnet.ledger")

DEFAULT_SNAPSHOT_INTERVAL = 500
"""Blocks between snapshots (bounds the replay at start: ~3 minutes of 400 ms blocks)."""
_VERSION = 1
_INDEX = "ledger.json"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
    _fsync_dir(directory)


class Ledger:
    """The ledger directory of one bank; see the module docstring.

    Args:
        directory: The ledger directory (created if missing).
        snapshot_interval: Blocks between snapshots.
    """

    def __init__(
        self, directory: Path, *, snapshot_interval: int = DEFAULT_SNAPSHOT_INTERVAL
    ) -> None:
        self.directory = Path(directory)
        self.snapshot_interval = max(1, snapshot_interval)
        self._journal: IO[str] | None = None
        self._journal_name = ""
        self._snapshot_name = ""
        self._blocks_since_snapshot = 0
        self.replayed = 0
        """Journal entries replayed when the ledger was opened."""

    @staticmethod
    def exists(directory: Path) -> bool:
        """Whether ``directory`` holds a ledger (or a state saved by an older localnet)."""
        directory = Path(directory)
        return (directory / _INDEX).is_file() or Bank.has_state(directory)

    def open(
        self, create: Callable[[], Bank], *, programs: Mapping[Pubkey, Path] | None = None
    ) -> Bank:
        """The bank of this ledger: recovered if there is one, else ``create()``, saved first.

        Raises:
            LocalnetStateError: The ledger is unreadable or of another version.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        if (self.directory / _INDEX).is_file():
            bank = self._recover(programs)
        elif Bank.has_state(self.directory):  # a directory saved by Bank.save (older localnets)
            bank = Bank.load(self.directory, programs=programs)
            self._snapshot(bank)
        else:
            bank = create()
            self._snapshot(bank)
        bank.journal = self
        return bank

    # ------------------------------------------------------------------------------ writing

    def append(self, entry: dict[str, Any]) -> None:
        """Add one change to the journal (durable at the next :meth:`commit`)."""
        if self._journal is not None:
            self._journal.write(json.dumps(entry, separators=(",", ":")) + "\n")

    def commit(self, bank: Bank) -> None:
        """A block was produced: flush and fsync the journal; snapshot when it is time."""
        if self._journal is None:
            return
        self._journal.flush()
        os.fsync(self._journal.fileno())
        self._blocks_since_snapshot += 1
        if self._blocks_since_snapshot >= self.snapshot_interval:
            self._snapshot(bank)

    def close(self, bank: Bank | None = None) -> None:
        """Stop journaling; with ``bank``, snapshot it first (a fast start next time)."""
        if bank is not None and self._journal is not None:
            self._snapshot(bank)
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if bank is not None and bank.journal is self:
            bank.journal = None

    def _snapshot(self, bank: Bank) -> None:
        """Save ``bank`` whole, start a new journal, switch ``ledger.json`` to them atomically."""
        tag = f"{bank.confirmed_slot:012d}-{bank.slot:012d}-{bank.transaction_count}"
        snapshot, journal = f"snapshot-{tag}", f"journal-{tag}.jsonl"
        staging = self.directory / f"{snapshot}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        previous_journal = bank.journal
        bank.journal = None  # the save itself changes nothing
        try:
            bank.save(staging)
        finally:
            bank.journal = previous_journal
        _fsync_tree(staging)
        shutil.rmtree(self.directory / snapshot, ignore_errors=True)
        staging.rename(self.directory / snapshot)
        (self.directory / journal).touch()
        index = self.directory / f"{_INDEX}.tmp"
        index.write_text(
            json.dumps({"version": _VERSION, "snapshot": snapshot, "journal": journal})
        )
        with index.open("rb") as handle:
            os.fsync(handle.fileno())
        index.replace(self.directory / _INDEX)
        _fsync_dir(self.directory)
        old_snapshot, old_journal = self._snapshot_name, self._journal_name
        if self._journal is not None:
            self._journal.close()
        self._journal = (self.directory / journal).open("a", encoding="utf-8")
        self._snapshot_name, self._journal_name = snapshot, journal
        self._blocks_since_snapshot = 0
        for name in (old_journal, old_snapshot):  # only once the switch is durable
            if name and name not in (snapshot, journal):
                path = self.directory / name
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(
                    missing_ok=True
                )

    # ----------------------------------------------------------------------------- recovery

    def _recover(self, programs: Mapping[Pubkey, Path] | None) -> Bank:
        try:
            index = json.loads((self.directory / _INDEX).read_text())
            if index.get("version") != _VERSION:
                raise LocalnetStateError(
                    f"{self.directory}: unsupported ledger version {index.get('version')!r}"
                )
            snapshot, journal = (
                self.directory / index["snapshot"],
                self.directory / index["journal"],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LocalnetStateError(
                f"cannot read the ledger index in {self.directory}: {exc}"
            ) from exc
        bank = Bank.load(snapshot, programs=programs)
        entries = self._confirmed_entries(journal)
        for entry in entries:
            self._apply(bank, entry)
        self.replayed = len(entries)
        self._snapshot(bank)  # start from a fresh pair: the replayed journal is now in it
        log.info("ledger %s: snapshot %s + %d journal entries, slot %d", self.directory,
                 snapshot.name, len(entries), bank.slot)  # fmt: skip
        return bank

    @staticmethod
    def _confirmed_entries(journal: Path) -> list[dict[str, Any]]:
        """The journal's entries up to its last block (later ones were never confirmed)."""
        entries: list[dict[str, Any]] = []
        last_block = 0
        try:
            text = journal.read_text(encoding="utf-8")
        except OSError:
            return []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:  # torn last line
                break
            entries.append(entry)
            if entry.get("t") == "block":
                last_block = len(entries)
        return entries[:last_block]

    @staticmethod
    def _apply(bank: Bank, entry: dict[str, Any]) -> None:
        kind = entry.get("t")
        if kind == "tx":
            tx = VersionedTransaction.from_bytes(base64.b64decode(entry["tx"]))
            outcome = bank.process(tx, verify=False)
            if isinstance(outcome, Rejected):
                raise LocalnetStateError(f"replay diverged: {tx.signatures[0]} was {outcome.err}")
        elif kind == "set":
            account = Account(entry["lamports"], base64.b64decode(entry["data"]),
                              Pubkey.from_string(entry["owner"]), entry["executable"], entry["rentEpoch"])  # fmt: skip
            bank.set_account(Pubkey.from_string(entry["key"]), account)
        elif kind == "block":
            bank.produce_block(block_time=entry["time"])
        elif kind == "jump":
            bank.jump(entry["slot"], entry["time"])
        elif kind == "clock":
            bank.set_clock_offset(entry["offset"], entry["time"])
        else:
            raise LocalnetStateError(f"unknown journal entry {entry!r}")
