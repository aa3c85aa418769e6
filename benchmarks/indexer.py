"""Indexer figures at scale: ingest rate, ingest memory and Photon query latency.

Three stages, run by ``scripts/bench-indexer [N] [--postgres]`` (``python benchmarks/indexer.py``
from a source checkout; it builds the inbox program there):

1. **Corpus.** ``N`` real inbox-program transactions executed in LiteSVM
   (:class:`~solinbox.testing.LocalChain`: our program and the real Light programs), streamed to
   a file in ``--cache-dir`` (default ``.cache/bench/`` under the current directory) named after the parameters and the program's hash, and reused when
   it exists. Every transaction keeps what an indexer receives from a block: signature, slot,
   block time, the flattened instruction list (:meth:`Indexer.litesvm_flat
   <solinbox.indexer.Indexer.litesvm_flat>`) and the log lines. The history is spread over
   ``wallets x inboxes_per_wallet`` inboxes (default 100 x 10) with ``threads_per_inbox``
   threads each, messages round-robin over the threads, so a filter on one inbox matches
   ~0.1% of the records. Records go to the five V2 output queues in turn (``--tree v1``: the two
   V1 trees). A V2 output queue holds two batches of 50 leaves and refuses appends until a
   forester has inserted a full batch into its tree (``BatchNotReady``); the generator plays
   the forester's part for the queue: it marks the full batch as inserted in the queue account
   (what ``batch_append`` does after verifying its proof), so leaf indices keep increasing.
   Nothing reads the tree's root here (records are outputs only), and the transactions the
   indexer sees are byte for byte what the programs produced.
2. **Ingest**, in a fresh process (its RSS is its own): the corpus is read chunk by chunk,
   transactions are grouped into blocks by slot, each transaction goes through
   :meth:`Indexer.indexed <solinbox.indexer.Indexer.indexed>` (Light parsing, Poseidon leaf-hash
   check, inbox instructions and events) and each block is stored with ``apply_block`` (one
   database transaction per block, with the checkpoint), exactly as :meth:`Indexer.attach
   <solinbox.indexer.Indexer.attach>` does. Only the indexer's and the store's calls are timed;
   RSS is sampled at every tenth of the history.
3. **Queries**, in the ingest process: a :class:`~solinbox.indexer.PhotonServer` on a free port,
   asked over HTTP (httpx) ``getCompressedAccountsByOwner`` with page 100 and (a) kind = Message
   + inbox, (b) kind = Message + inbox + thread id, (c) kind = ThreadHeader + thread sender, for
   random inboxes, threads and senders; every answer must hold exactly the expected number of
   items and the right records.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import inspect
import json
import os
import pickle
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from solders.account import Account
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from solinbox.light.events import FlatInstruction
from solinbox.light.ids import LIGHT_SYSTEM_PROGRAM_ID, STATE_TREES_V1, STATE_TREES_V2
from solinbox.program import instructions as ix
from solinbox.program.constants import RecordKind
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import inbox_address
from solinbox.program.records import OFFSET_INBOX, OFFSET_KIND, OFFSET_THREAD_ID, THREAD_FROM_OFFSET
from solinbox.testing import LocalChain, TransactionFailed

__all__ = [
    "CorpusParams",
    "CorpusTx",
    "IngestStats",
    "Manifest",
    "QueryStats",
    "QueueForester",
    "corpus_paths",
    "ensure_corpus",
    "generate_corpus",
    "ingest_corpus",
    "main",
    "measure_queries",
    "read_corpus",
]

CACHE_DIR = Path(".cache") / "bench"
"""Default corpus cache, relative to the current directory (``--cache-dir`` overrides)."""
FORMAT_VERSION = 1
_MAGIC = b"solinbox-indexer-corpus\n"
_FRAME = struct.Struct("<I")
CHUNK = 1_000
"""Transactions per corpus frame (one zlib-compressed pickle each)."""
BATCH_NOT_READY = 14_301
"""``BatchedMerkleTreeError::BatchNotReady``: the output queue's next batch is still full."""
PAGE = 100
_T0 = 1_750_000_000


class BenchError(RuntimeError):
    """The benchmark cannot go on (bad parameters, a corpus that does not match, a wrong answer)."""


# -- parameters and the corpus on disk ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CorpusParams:
    """What the corpus is made of; every field is part of its cache key."""

    transactions: int
    wallets: int = 100
    inboxes_per_wallet: int = 10
    threads_per_inbox: int = 2
    tree: str = "v2"
    block_size: int = 100
    body_bytes: int = 64

    @property
    def inboxes(self) -> int:
        """Number of inboxes."""
        return self.wallets * self.inboxes_per_wallet

    @property
    def threads(self) -> int:
        """Number of threads."""
        return self.inboxes * self.threads_per_inbox

    def check(self) -> None:
        """Raise :class:`BenchError` if the history cannot be laid out."""
        if self.tree not in ("v1", "v2"):
            raise BenchError(f"tree must be v1 or v2, not {self.tree!r}")
        if self.wallets < 2 or self.inboxes_per_wallet < 1 or self.threads_per_inbox < 1:
            raise BenchError("need at least 2 wallets, 1 inbox per wallet and 1 thread per inbox")
        if self.wallets <= self.inboxes_per_wallet * self.threads_per_inbox:
            raise BenchError(
                "need more wallets than threads per wallet (a sender is not the owner)"
            )
        if self.block_size < 1 or self.body_bytes < 1:
            raise BenchError("block size and body size must be positive")
        if self.transactions < self.inboxes + self.threads:
            raise BenchError(
                f"{self.transactions:,} transactions cannot hold {self.inboxes:,} create_inbox "
                f"and {self.threads:,} create_thread; pass N >= {self.inboxes + self.threads:,}"
            )

    def key(self, program_digest: str) -> str:
        """The corpus's file stem."""
        return (
            f"indexer-v{FORMAT_VERSION}-n{self.transactions}-w{self.wallets}"
            f"-i{self.inboxes_per_wallet}-t{self.threads_per_inbox}-{self.tree}"
            f"-b{self.block_size}-m{self.body_bytes}-{program_digest[:12]}"
        )


@dataclass(slots=True)
class Manifest:
    """What a corpus holds, for the queries' expected answers (written next to it, as JSON)."""

    params: dict[str, Any]
    program_sha256: str
    transactions: int = 0
    light_transactions: int = 0
    records: int = 0
    slots: int = 0
    generation_seconds: float = 0.0
    forester_drains: int = 0
    #: inbox (base58) -> owner (base58)
    inbox_owner: dict[str, str] = field(default_factory=dict)
    #: inbox (base58) -> Message records
    inbox_messages: dict[str, int] = field(default_factory=dict)
    #: "inbox/thread_id" -> Message records
    thread_messages: dict[str, int] = field(default_factory=dict)
    #: sender (base58) -> ThreadHeader records (threads it opened)
    sender_threads: dict[str, int] = field(default_factory=dict)

    def dump(self, path: Path) -> None:
        """Write as JSON (atomically)."""
        tmp = path.with_suffix(".json.part")
        tmp.write_text(json.dumps(asdict(self), indent=1))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read back :meth:`dump`'s output."""
        return cls(**json.loads(path.read_text()))


@dataclass(frozen=True, slots=True)
class CorpusTx:
    """One successful transaction, as an indexer receives it from a block."""

    signature: Signature
    slot: int
    block_time: int | None
    flat: list[FlatInstruction]
    logs: list[str]


def program_digest(so: Path) -> str:
    """sha256 of the program binary (part of the corpus key: another program, another corpus)."""
    return hashlib.sha256(so.read_bytes()).hexdigest()


def corpus_paths(params: CorpusParams, digest: str, cache: Path = CACHE_DIR) -> tuple[Path, Path]:
    """``(corpus file, manifest)`` for these parameters."""
    stem = params.key(digest)
    return cache / f"{stem}.corpus", cache / f"{stem}.json"


class _CorpusWriter:
    """Frames of :data:`CHUNK` transactions; keys are stored once per frame in a table."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.out.write(_MAGIC)
        self._reset()

    def _reset(self) -> None:
        self.key_index: dict[bytes, int] = {}
        self.keys: list[bytes] = []
        self.txs: list[tuple[Any, ...]] = []

    def _key(self, key: Pubkey) -> int:
        raw = bytes(key)
        index = self.key_index.get(raw)
        if index is None:
            index = self.key_index[raw] = len(self.keys)
            self.keys.append(raw)
        return index

    def add(
        self,
        signature: Signature,
        slot: int,
        block_time: int,
        flat: Sequence[FlatInstruction],
        logs: Sequence[str],
    ) -> None:
        instructions = [
            (
                self._key(i.program_id),
                tuple(self._key(a) for a in i.accounts),
                i.data,
                i.stack_height,
            )
            for i in flat
        ]
        self.txs.append((bytes(signature), slot, block_time, instructions, list(logs)))
        if len(self.txs) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.txs:
            return
        blob = zlib.compress(pickle.dumps((self.keys, self.txs), protocol=5), 1)
        self.out.write(_FRAME.pack(len(blob)) + blob)
        self._reset()


def read_corpus(path: Path) -> Iterator[list[CorpusTx]]:
    """The corpus's transactions, one frame (:data:`CHUNK` transactions) at a time.

    The frames are pickles: only read corpora this module wrote (the cache is local).
    """
    with path.open("rb") as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            raise BenchError(f"{path} is not an indexer corpus")
        while header := f.read(_FRAME.size):
            (size,) = _FRAME.unpack(header)
            raw_keys, txs = pickle.loads(zlib.decompress(f.read(size)))
            keys = [Pubkey(k) for k in raw_keys]
            yield [
                CorpusTx(
                    Signature.from_bytes(sig),
                    slot,
                    block_time,
                    [
                        FlatInstruction(keys[p], tuple(keys[a] for a in accounts), data, height)
                        for p, accounts, data, height in instructions
                    ],
                    logs,
                )
                for sig, slot, block_time, instructions, logs in txs
            ]


# -- generation ----------------------------------------------------------------------------------
class QueueForester:
    """Empties full batches of V2 output queues in LiteSVM, as a forester would.

    A batched output queue (light-batched-merkle-tree's ``BatchedQueueAccount``) has two
    batches; a full batch refuses appends until the forester's ``batch_append`` has inserted it
    into the tree and marked it ``Inserted``; the next append then clears it and refills it
    from the queue's ``next_index``. This sets that mark directly (state ``Inserted``, every zkp
    batch counted as inserted) without touching the tree. The layout — ``QueueBatches`` at
    byte 224 of the account (``num_batches, batch_size, zkp_batch_size, bloom_filter_capacity,
    currently_processing_batch_index, pending_batch_index, next_index`` then two 96-byte
    ``Batch`` structs) — is checked against the account before any write.
    """

    QUEUE_BATCHES = 224
    BATCH_LEN = 96
    _FILL, _INSERTED, _FULL = 0, 1, 2

    def __init__(self, chain: LocalChain) -> None:
        self.chain = chain
        self.drains = 0

    def _batches(self, data: bytes) -> list[int]:
        base = self.QUEUE_BATCHES
        num_batches, batch_size, zkp = struct.unpack_from("<QQQ", data, base + 8)
        offsets = [base + 64 + self.BATCH_LEN * b for b in range(num_batches)]
        ok = num_batches == 2 and zkp > 0 and batch_size % zkp == 0
        for off in offsets if ok else ():
            state, _, _, _, _, _, b_size, b_zkp = struct.unpack_from("<8Q", data, off)
            ok = ok and state in (self._FILL, self._INSERTED, self._FULL)
            ok = ok and (b_size, b_zkp) == (batch_size, zkp)
        if not ok:
            raise BenchError("unexpected V2 output queue layout; cannot play the forester")
        return offsets

    def drain(self, queue: Pubkey) -> int:
        """Mark every full batch of ``queue`` as inserted; returns how many were."""
        account = self.chain.svm.get_account(queue)
        if account is None:
            raise BenchError(f"no queue account {queue}")
        data = bytearray(account.data)
        drained = 0
        for off in self._batches(bytes(data)):
            state, full_zkp = struct.unpack_from("<QQ", data, off + 8)
            if state == self._FULL:
                struct.pack_into("<Q", data, off + 8, self._INSERTED)
                struct.pack_into("<Q", data, off + 24, full_zkp)  # num_inserted_zkp_batches
                drained += 1
        if drained:
            self.chain.svm.set_account(
                queue,
                Account(
                    account.lamports,
                    bytes(data),
                    account.owner,
                    account.executable,
                    account.rent_epoch,
                ),
            )
            self.drains += drained
        return drained


def _wallet_seed(index: int) -> bytes:
    return hashlib.sha256(b"solinbox bench wallet %d" % index).digest()


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


class _Ticker:
    """A rich progress bar on a terminal; a line every 5% otherwise (logs of background runs)."""

    def __init__(self, console: Console, description: str, total: int) -> None:
        self.console = console
        self.total = total
        self.description = description
        self.progress = _progress(console) if console.is_terminal else None
        self.task = (
            self.progress.add_task(description, total=total, rate="")
            if self.progress is not None
            else None
        )
        self.started = time.perf_counter()
        self.next_line = 0

    def __enter__(self) -> _Ticker:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, done: int) -> None:
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done, rate=f"{rate:,.0f} tx/s")
        elif done >= self.next_line or done == self.total:
            self.console.print(
                f"{self.description}: {done:,}/{self.total:,} ({done / self.total:.0%}), "
                f"{rate:,.0f} tx/s, {time.perf_counter() - self.started:,.0f} s"
            )
            self.next_line = done + max(1, self.total // 20)


def generate_corpus(
    params: CorpusParams,
    so: Path,
    corpus: Path,
    manifest_path: Path,
    *,
    console: Console | None = None,
) -> Manifest:
    """Execute the history in LiteSVM and stream it to ``corpus``; returns (and writes) its manifest.

    Order: every ``create_inbox`` (inbox ``k`` of wallet ``w``), then every ``create_thread``
    (thread ``j`` of an inbox is opened by wallet ``w + 1 + k * threads_per_inbox + j``), then
    ``send_message`` round-robin over the threads, posted alternately by the thread's sender and
    the inbox owner. The slot moves every ``block_size`` transactions (400 ms per slot).
    """
    from solinbox.indexer import Indexer, SqliteStore  # the flattening the indexer itself uses

    params.check()
    console = console or Console(stderr=True)
    corpus.parent.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(asdict(params), program_digest(so))
    chain = LocalChain(so, unix_timestamp=_T0)
    chain.svm.with_transaction_history(0)  # LiteSVM would keep every transaction otherwise
    flattener = Indexer(SqliteStore(":memory:"))
    forester = QueueForester(chain)
    outputs = (
        [t.output_queue for t in STATE_TREES_V2]
        if params.tree == "v2"
        else [t.tree for t in STATE_TREES_V1]
    )
    wallets = [chain.wallet(1_000, seed=_wallet_seed(i)) for i in range(params.wallets)]

    # the schedule
    inboxes: list[tuple[Keypair, Pubkey]] = []  # (owner, inbox)
    for owner in wallets:
        for k in range(params.inboxes_per_wallet):
            inbox = inbox_address(owner.pubkey(), k)[0]
            inboxes.append((owner, inbox))
            manifest.inbox_owner[str(inbox)] = str(owner.pubkey())
            manifest.inbox_messages[str(inbox)] = 0
    threads: list[tuple[Keypair, Keypair, Pubkey, int]] = []  # (sender, owner, inbox, id)
    for j in range(params.threads_per_inbox):
        for n, (owner, inbox) in enumerate(inboxes):
            w, k = divmod(n, params.inboxes_per_wallet)
            sender = wallets[(w + 1 + k * params.threads_per_inbox + j) % params.wallets]
            threads.append((sender, owner, inbox, j + 1))
    posted = [0] * len(threads)

    def body(i: int) -> ix.MessageInput:
        text = b"bench message %d " % i
        return ix.MessageInput((text * (params.body_bytes // len(text) + 1))[: params.body_bytes])

    def step(i: int) -> tuple[Instruction, Keypair]:
        out = outputs[i % len(outputs)]
        if i < len(inboxes):
            owner, _ = inboxes[i]
            return ix.create_inbox(
                owner.pubkey(), i % params.inboxes_per_wallet, name=f"bench {i}"
            ), owner
        t = i - len(inboxes)
        if t < len(threads):
            sender, owner, inbox, tid = threads[t]
            manifest.inbox_messages[str(inbox)] += 1
            manifest.thread_messages[f"{inbox}/{tid}"] = 1
            manifest.sender_threads[str(sender.pubkey())] = (
                manifest.sender_threads.get(str(sender.pubkey()), 0) + 1
            )
            instr = ix.create_thread(
                sender.pubkey(), inbox, owner.pubkey(), tid, body(i), output_tree=out
            )
            return instr, sender
        t = (i - len(inboxes) - len(threads)) % len(threads)
        sender, owner, inbox, tid = threads[t]
        poster = sender if posted[t] % 2 == 0 else owner
        posted[t] += 1
        manifest.inbox_messages[str(inbox)] += 1
        manifest.thread_messages[f"{inbox}/{tid}"] += 1
        return ix.send_message(poster.pubkey(), inbox, tid, body(i), output_tree=out), poster

    part = corpus.with_suffix(".corpus.part")
    started = time.perf_counter()
    slot = 0
    with part.open("wb") as out, _Ticker(console, "generating", params.transactions) as ticker:
        writer = _CorpusWriter(out)
        for i in range(params.transactions):
            block = 1 + i // params.block_size
            if block != slot:
                slot = block
                chain.svm.warp_to_slot(slot)
                chain.set_time(_T0 + slot * 2 // 5)
            instr, signer = step(i)
            try:
                sent = chain.send(instr, signer)
            except TransactionFailed as exc:
                queue = outputs[i % len(outputs)]
                if exc.code != BATCH_NOT_READY or params.tree != "v2" or not forester.drain(queue):
                    raise
                sent = chain.send(instr, signer)
            flat = flattener.litesvm_flat(sent.transaction, sent.meta)
            if any(f.program_id == LIGHT_SYSTEM_PROGRAM_ID for f in flat):
                manifest.light_transactions += 1
            writer.add(sent.transaction.signatures[0], slot, chain.now(), flat, sent.logs)
            if i % 500 == 0 or i == params.transactions - 1:
                ticker.update(i + 1)
        writer.flush()
    manifest.generation_seconds = time.perf_counter() - started
    manifest.transactions = params.transactions
    manifest.records = sum(manifest.inbox_messages.values()) + len(threads)
    manifest.slots = slot
    manifest.forester_drains = forester.drains
    part.replace(corpus)
    manifest.dump(manifest_path)
    return manifest


def ensure_corpus(
    params: CorpusParams,
    so: Path,
    *,
    regenerate: bool = False,
    cache: Path = CACHE_DIR,
    console: Console | None = None,
) -> tuple[Path, Manifest, bool]:
    """``(corpus, manifest, reused)``: the cached corpus, generated first if missing."""
    corpus, manifest = corpus_paths(params, program_digest(so), cache)
    if corpus.exists() and manifest.exists() and not regenerate:
        return corpus, Manifest.load(manifest), True
    return corpus, generate_corpus(params, so, corpus, manifest, console=console), False


# -- ingest ----------------------------------------------------------------------------------------
def _status_mib() -> tuple[float, float]:
    """``(VmRSS, VmHWM)`` of this process in MiB (peak from getrusage off Linux)."""
    fields: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    if "VmHWM" not in fields:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        fields = {"VmRSS": peak, "VmHWM": peak}
    return fields["VmRSS"], fields["VmHWM"]


@dataclass(slots=True)
class IngestStats:
    """What the ingest stage measured."""

    store: str
    transactions: int
    blocks: int
    stored_transactions: int
    accounts: int
    ingest_seconds: float
    wall_seconds: float
    passes_logs: bool
    rss_baseline_mib: float
    #: percent of the history -> (VmRSS, VmHWM) in MiB after that much was ingested
    rss: dict[int, tuple[float, float]]
    #: percent of the history -> timed (indexer + store) seconds spent up to there
    seconds_at: dict[int, float] = field(default_factory=dict)
    database_mib: float | None = None

    @property
    def rate(self) -> float:
        """Transactions per second of indexer + store time."""
        return self.transactions / self.ingest_seconds


def ingest_corpus(
    store: Any,
    corpus: Path,
    total: int,
    *,
    block_size: int = 0,
    console: Console | None = None,
) -> IngestStats:
    """Index the corpus into ``store`` block by block, as :meth:`Indexer.attach` does.

    Blocks are the slots as generated; ``block_size`` > 0 regroups the transactions into blocks
    of that many, numbered from 1.
    """
    from solinbox.indexer import IndexedTransaction, Indexer

    console = console or Console(stderr=True)
    indexer = Indexer(store)
    passes_logs = "logs" in inspect.signature(Indexer.indexed).parameters
    marks = sorted({max(1, total * p // 100): p for p in range(10, 101, 10)}.items())
    rss: dict[int, tuple[float, float]] = {}
    seconds_at: dict[int, float] = {}
    baseline = _status_mib()[0]
    busy = 0.0
    done = blocks = stored = 0
    batch: list[IndexedTransaction] = []
    batch_slot: int | None = None

    def flush() -> None:
        nonlocal busy, blocks, stored, batch
        if batch_slot is None:
            return
        t = time.perf_counter()
        stored += store.apply_block(batch_slot, batch)
        busy += time.perf_counter() - t
        blocks += 1
        batch = []
        while marks and marks[0][0] <= done:
            percent = marks.pop(0)[1]
            rss[percent] = _status_mib()
            seconds_at[percent] = busy

    started = time.perf_counter()
    with _Ticker(console, "ingesting", total) as ticker:
        for chunk in read_corpus(corpus):
            for tx in chunk:
                slot = 1 + done // block_size if block_size > 0 else tx.slot
                if slot != batch_slot:
                    flush()
                    batch_slot = slot
                t = time.perf_counter()
                if passes_logs:
                    indexed = indexer.indexed(tx.signature, slot, tx.block_time, tx.flat, tx.logs)
                else:
                    indexed = indexer.indexed(tx.signature, slot, tx.block_time, tx.flat)
                busy += time.perf_counter() - t
                if indexed is not None:
                    batch.append(indexed)
                done += 1
            ticker.update(done)
        flush()
    wall = time.perf_counter() - started
    if done != total:
        raise BenchError(f"the corpus holds {done:,} transactions, the manifest says {total:,}")
    return IngestStats(
        store=type(store).__name__,
        transactions=done,
        blocks=blocks,
        stored_transactions=stored,
        accounts=store.count(),
        ingest_seconds=busy,
        wall_seconds=wall,
        passes_logs=passes_logs,
        rss_baseline_mib=baseline,
        rss=rss,
        seconds_at=seconds_at,
    )


# -- queries ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class QueryStats:
    """Latency of one kind of query over HTTP, milliseconds."""

    name: str
    requests: int
    p50: float
    p99: float
    mean_items: float


def _memcmp(offset: int, raw: bytes) -> dict[str, Any]:
    from solinbox.photon._reader import memcmp

    return memcmp(offset, raw)


def _cases(manifest: Manifest, requests: int, rng: random.Random) -> dict[str, list[Any]]:
    """For each query kind: ``(filters, expected items, expected prefix checks)`` per request."""
    message, header = bytes([RecordKind.MESSAGE]), bytes([RecordKind.THREAD_HEADER])
    inboxes = sorted(manifest.inbox_messages)
    threads = sorted(manifest.thread_messages)
    senders = sorted(manifest.sender_threads)
    out: dict[str, list[Any]] = {"a": [], "b": [], "c": []}
    for _ in range(requests):
        inbox = rng.choice(inboxes)
        raw = bytes(Pubkey.from_string(inbox))
        out["a"].append(
            (
                [_memcmp(OFFSET_KIND, message), _memcmp(OFFSET_INBOX, raw)],
                min(PAGE, manifest.inbox_messages[inbox]),
                [(OFFSET_KIND, message), (OFFSET_INBOX, raw)],
            )
        )
        thread = rng.choice(threads)
        t_inbox, tid = thread.split("/")
        raw, tid_raw = bytes(Pubkey.from_string(t_inbox)), struct.pack("<Q", int(tid))
        out["b"].append(
            (
                [
                    _memcmp(OFFSET_KIND, message),
                    _memcmp(OFFSET_INBOX, raw),
                    _memcmp(OFFSET_THREAD_ID, tid_raw),
                ],
                min(PAGE, manifest.thread_messages[thread]),
                [(OFFSET_KIND, message), (OFFSET_INBOX, raw), (OFFSET_THREAD_ID, tid_raw)],
            )
        )
        sender = rng.choice(senders)
        raw = bytes(Pubkey.from_string(sender))
        out["c"].append(
            (
                [_memcmp(OFFSET_KIND, header), _memcmp(THREAD_FROM_OFFSET, raw)],
                min(PAGE, manifest.sender_threads[sender]),
                [(OFFSET_KIND, header), (THREAD_FROM_OFFSET, raw)],
            )
        )
    return out


async def measure_queries(
    store: Any, manifest: Manifest, *, requests: int = 250, seed: int = 1
) -> list[QueryStats]:
    """Time ``getCompressedAccountsByOwner`` (page 100) over HTTP; every answer is checked."""
    import httpx

    from solinbox.indexer import PhotonServer

    names = {
        "a": "kind=Message + inbox",
        "b": "kind=Message + inbox + thread_id",
        "c": "kind=ThreadHeader + thread sender",
    }
    cases = _cases(manifest, requests, random.Random(seed))
    results: list[QueryStats] = []
    async with PhotonServer(store, port=0) as server, httpx.AsyncClient(timeout=60) as http:

        async def ask(filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
            body = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "getCompressedAccountsByOwner",
                "params": {"owner": str(PROGRAM_ID), "limit": PAGE, "filters": filters},
            }
            answer = (await http.post(server.url, json=body)).json()
            if "result" not in answer:
                raise BenchError(f"query failed: {answer}")
            items: list[dict[str, Any]] = answer["result"]["value"]["items"]
            return items

        for key, name in names.items():
            for filters, _, _ in cases[key][:10]:  # warm-up (connection, caches)
                await ask(filters)
            times: list[float] = []
            items_seen = 0
            for filters, expected, checks in cases[key]:
                t = time.perf_counter()
                items = await ask(filters)
                times.append((time.perf_counter() - t) * 1000)
                if len(items) != expected:
                    raise BenchError(f"{name}: {len(items)} items, expected {expected}")
                for item in items:
                    data = base64.b64decode(item["data"]["data"])
                    if any(data[o : o + len(raw)] != raw for o, raw in checks):
                        raise BenchError(f"{name}: an item does not match its filters")
                items_seen += len(items)
            times.sort()
            p99 = times[max(0, -(-len(times) * 99 // 100) - 1)]
            results.append(
                QueryStats(name, len(times), statistics.median(times), p99, items_seen / len(times))
            )
    return results


# -- the two processes -----------------------------------------------------------------------------
def _stage(args: argparse.Namespace) -> None:
    """Ingest + queries (the fresh process); prints one JSON object on stdout."""
    from solinbox.indexer import SqliteStore

    console = Console(stderr=True)
    manifest = Manifest.load(Path(args.manifest))
    with contextlib.ExitStack() as stack:
        database: Path | None = None
        if args.postgres:
            from solinbox.indexer import PostgresStore
            from solinbox.testing.postgres import fresh_database, postgres_server

            dsn = stack.enter_context(postgres_server())
            store: Any = PostgresStore(fresh_database(dsn, "bench"))
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="solinbox-bench-"))
            database = Path(tmp) / "bench.sqlite"
            store = SqliteStore(database)
        stack.callback(store.close)
        stats = ingest_corpus(
            store,
            Path(args.corpus),
            manifest.transactions,
            block_size=args.ingest_block_size,
            console=console,
        )
        if database is not None:
            stats.database_mib = (
                sum(p.stat().st_size for p in database.parent.iterdir() if p.is_file()) / 2**20
            )
        console.print(f"ingested {stats.transactions:,} transactions at {stats.rate:,.0f}/s")
        queries = asyncio.run(measure_queries(store, manifest, requests=args.requests))
    print(json.dumps({"ingest": asdict(stats), "queries": [asdict(q) for q in queries]}))


def _table(
    manifest: Manifest,
    reused: bool,
    ingest: dict[str, Any],
    queries: list[dict[str, Any]],
    postgres: bool,
) -> str:
    p = CorpusParams(**manifest.params)
    tree = "V2 output queues oq1…oq5" if p.tree == "v2" else "V1 trees smt1, smt2"
    gen_rate = manifest.transactions / manifest.generation_seconds
    store = "PostgreSQL" if postgres else "SQLite"
    rss = {int(k): v for k, v in ingest["rss"].items()}
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| corpus | {manifest.transactions:,} transactions ({p.inboxes:,} create_inbox, "
        f"{p.threads:,} create_thread, {manifest.transactions - p.inboxes - p.threads:,} "
        f"send_message of {p.body_bytes} B) → {manifest.records:,} records in {p.inboxes:,} inboxes "
        f"({p.wallets} wallets x {p.inboxes_per_wallet}), {p.threads:,} threads, {tree}, "
        f"{p.block_size} transactions per slot |",
        f"| generated in LiteSVM | {manifest.generation_seconds:,.1f} s ({gen_rate:,.0f} tx/s"
        f"{f', forester emulated {manifest.forester_drains:,} times' if manifest.forester_drains else ''})"
        f"{' — cached corpus reused' if reused else ''} |",
        f"| ingest into {store} (parse + Poseidon check + inbox events + store, one database "
        f"transaction per block), transactions/s | {ingest['transactions'] / ingest['ingest_seconds']:,.0f} "
        f"({ingest['ingest_seconds']:,.1f} s; {ingest['accounts']:,} accounts stored; "
        f"{ingest['blocks']:,} blocks; with corpus decoding {ingest['transactions'] / ingest['wall_seconds']:,.0f}/s"
        f"{'' if ingest['passes_logs'] else '; logs not passed: Indexer.indexed takes none'}) |",
        "| ingest process RSS (VmHWM) at 10% / 50% / 100% of the history | "
        + " / ".join(f"{rss[k][1]:,.0f}" for k in (10, 50, 100))
        + f" MiB (before ingest {ingest['rss_baseline_mib']:,.0f} MiB) |",
    ]
    at = {int(k): v for k, v in ingest.get("seconds_at", {}).items()}
    if {10, 20, 90, 100} <= set(at) and at[20] > at[10] and at[100] > at[90]:
        tenth = ingest["transactions"] / 10  # 10-20%: past the create_inbox / create_thread setup
        lines.append(
            f"| ingest transactions/s over 10-20% / 90-100% of the history | "
            f"{tenth / (at[20] - at[10]):,.0f} / {tenth / (at[100] - at[90]):,.0f} |"
        )
    if ingest.get("database_mib") is not None:
        lines.append(f"| SQLite database size | {ingest['database_mib']:,.0f} MiB |")
    for letter, q in zip("abc", queries, strict=True):
        lines.append(
            f"| ({letter}) getCompressedAccountsByOwner, {q['name']}, page {PAGE}, p50 / p99 | "
            f"{q['p50']:.2f} / {q['p99']:.2f} ms ({q['requests']} requests, "
            f"{q['mean_items']:.0f} items per answer) |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """``scripts/bench-indexer``: corpus (cached), then ingest + queries in a fresh process."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench-indexer", description=__doc__.split("\n")[0]
    )
    parser.add_argument("transactions", nargs="?", type=int, default=20_000, help="N (20,000)")
    parser.add_argument("--postgres", action="store_true", help="a temporary PostgreSQL server")
    parser.add_argument("--tree", choices=("v2", "v1"), default="v2", help="where records go")
    parser.add_argument("--wallets", type=int, default=100)
    parser.add_argument("--inboxes-per-wallet", type=int, default=10)
    parser.add_argument("--threads-per-inbox", type=int, default=2)
    parser.add_argument("--block-size", type=int, default=100, help="transactions per slot")
    parser.add_argument("--body-bytes", type=int, default=64, help="message content size")
    parser.add_argument(
        "--ingest-block-size",
        type=int,
        default=0,
        help="regroup into blocks of this many transactions at ingest (0: the slots as generated)",
    )
    parser.add_argument("--requests", type=int, default=250, help="timed requests per query kind")
    parser.add_argument("--regenerate", action="store_true", help="ignore a cached corpus")
    parser.add_argument("--cache-dir", default=str(CACHE_DIR), help="corpus cache (.cache/bench)")
    parser.add_argument("--program-so", help="inbox .so (default: built in this checkout)")
    parser.add_argument(
        "--generate-only", action="store_true", help="make sure the corpus exists, measure nothing"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--stage", choices=("ingest",), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage == "ingest":
        _stage(args)
        return

    from solinbox.build import build_program

    params = CorpusParams(
        args.transactions,
        args.wallets,
        args.inboxes_per_wallet,
        args.threads_per_inbox,
        args.tree,
        args.block_size,
        args.body_bytes,
    )
    try:
        params.check()
    except BenchError as exc:
        parser.error(str(exc))
    console = Console(stderr=True)
    so = Path(args.program_so) if args.program_so else build_program("inbox").so_path
    corpus, manifest, reused = ensure_corpus(
        params, so, regenerate=args.regenerate, console=console, cache=Path(args.cache_dir)
    )
    console.print(
        f"corpus {corpus.name}: {manifest.transactions:,} transactions, "
        f"{'reused' if reused else f'generated in {manifest.generation_seconds:,.1f} s'}"
    )
    if args.generate_only:
        return
    command = [
        sys.executable, str(Path(__file__).resolve()), "--stage", "ingest",
        "--corpus", str(corpus), "--manifest", str(corpus.with_suffix(".json")),
        "--ingest-block-size", str(args.ingest_block_size), "--requests", str(args.requests),
        *(["--postgres"] if args.postgres else []),
    ]  # fmt: skip
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=os.environ)
    if done.returncode:
        raise SystemExit(done.returncode)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps({"manifest": {k: v for k, v in asdict(manifest).items() if k in (
            "params", "transactions", "light_transactions", "records", "slots",
            "generation_seconds", "forester_drains")}, "reused": reused, **result}, indent=1))  # fmt: skip
        return
    print(_table(manifest, reused, result["ingest"], result["queries"], args.postgres))


if __name__ == "__main__":
    main()
