"""The async client: inboxes and threads on any RPC endpoint (our localnet or a real cluster)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Commitment, Confirmed
from solana.rpc.core import RPCException
from solana.rpc.models import MemcmpOpts
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox._base58 import b58encode
from solinbox.client._errors import ClientError, RpcError
from solinbox.client._tx import TransactionResult, TransactionSender
from solinbox.crypto import open_body, seal_body
from solinbox.light.ids import SYSTEM_PROGRAM_ID
from solinbox.lookup_table import (
    create_lookup_table,
    decode_lookup_table,
    extend_lookup_table,
    inbox_lookup_addresses,
)
from solinbox.photon import PhotonReader
from solinbox.photon._reader import InboxActivityItem, memcmp
from solinbox.program import errors as program_errors
from solinbox.program import instructions as ix
from solinbox.program.accounts import Inbox, PaymentRule, ThreadPage, ThreadSlot
from solinbox.program.constants import (
    SLOTS_PER_PAGE,
    InboxKind,
    MessageType,
    RecordKind,
    Side,
    TokenProgramKind,
)
from solinbox.program.ids import PROGRAM_ID
from solinbox.program.pda import (
    ASSOCIATED_TOKEN_PROGRAM_ID,
    TOKEN_2022_PROGRAM_ID,
    TOKEN_PROGRAM_ID,
    associated_token_address,
    inbox_address,
    thread_page,
    thread_page_for,
    vault_address,
)
from solinbox.program.records import (
    OFFSET_INBOX,
    OFFSET_KIND,
    OFFSET_THREAD_ID,
    THREAD_FROM_OFFSET,
    THREAD_TO_OFFSET,
    Message,
    Record,
    ThreadHeader,
    decode_record,
)

__all__ = ["Activity", "ActivityThread", "InboxClient", "InboxView", "ThreadClient"]

_TOKEN_PROGRAMS = {
    TokenProgramKind.SPL_TOKEN: TOKEN_PROGRAM_ID,
    TokenProgramKind.TOKEN_2022: TOKEN_2022_PROGRAM_ID,
}


def create_associated_token_account_idempotent(
    payer: Pubkey, owner: Pubkey, mint: Pubkey, token_program: Pubkey
) -> Instruction:
    """The associated-token-account program's ``CreateIdempotent``."""
    ata = associated_token_address(owner, mint, token_program)
    return Instruction(
        ASSOCIATED_TOKEN_PROGRAM_ID,
        bytes([1]),
        [
            AccountMeta(payer, True, True),
            AccountMeta(ata, False, True),
            AccountMeta(owner, False, False),
            AccountMeta(mint, False, False),
            AccountMeta(SYSTEM_PROGRAM_ID, False, False),
            AccountMeta(token_program, False, False),
        ],
    )


@dataclass(frozen=True, slots=True)
class InboxView:
    """An inbox account and its address."""

    address: Pubkey
    state: Inbox


class InboxClient:
    """Inboxes and threads for one wallet, over an injected solana-py :class:`AsyncClient`.

    ``photon`` (a Photon reader, optional) serves the compressed records; without it the client
    still does every write and reads the regular accounts (inboxes, thread pages).
    """

    def __init__(
        self,
        rpc: AsyncClient,
        wallet: Keypair,
        *,
        photon: PhotonReader | None = None,
        program_id: Pubkey = PROGRAM_ID,
        output_tree: Pubkey = ix.DEFAULT_OUTPUT_TREE,
        lookup_tables: Sequence[AddressLookupTableAccount] = (),
        commitment: Commitment = Confirmed,
        owns_rpc: bool = False,
    ) -> None:
        self.rpc = rpc
        self.wallet = wallet
        self.photon = photon
        self.program_id = program_id
        self.output_tree = output_tree
        self.commitment = commitment
        self.sender = TransactionSender(rpc, commitment=commitment, lookup_tables=lookup_tables)
        self._owns_rpc = owns_rpc
        self.read_after_write_timeout = 10.0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the RPC client if this client created it."""
        if self._owns_rpc:
            await self.rpc.close()

    @property
    def me(self) -> Pubkey:
        """The wallet's address."""
        return self.wallet.pubkey()

    async def send(self, *instructions: Instruction) -> TransactionResult:
        """Send instructions signed by the wallet.

        With a Photon reader, waits (bounded) until the indexer has seen the transaction's slot,
        so reads right after a write see it.
        """
        result = await self.sender.send(list(instructions), [self.wallet])
        if self.photon is not None:
            await self.photon.wait_for_slot(result.slot, timeout=self.read_after_write_timeout)
        return result

    def _reader(self) -> PhotonReader:
        if self.photon is None:
            raise ClientError("this needs a Photon endpoint: pass photon=PhotonReader(url)")
        return self.photon

    async def records(self, *filters: tuple[int, bytes]) -> list[Record]:
        """The program's compressed records matching memcmp ``(offset, bytes)`` filters."""
        return [record for record, _ in await self.records_with_slots(*filters)]

    async def records_with_slots(self, *filters: tuple[int, bytes]) -> list[tuple[Record, int]]:
        """Like :meth:`records`, with the slot each record was created in."""
        out: list[tuple[Record, int]] = []
        reader = self._reader()
        async for account in reader.accounts_by_owner(
            self.program_id, filters=[memcmp(o, b) for o, b in filters]
        ):
            if account.discriminator is None or account.data is None:
                continue
            try:
                out.append(
                    (decode_record(account.discriminator, account.data), account.slot_created)
                )
            except ValueError:
                continue  # not one of our records (or a future version): skip, never guess
        return out

    async def history(
        self, inbox: Pubkey, *, thread_id: int | None = None, limit: int = 50
    ) -> list[InboxActivityItem]:
        """The latest instructions on ``inbox`` (or one of its threads), newest first.

        Every instruction counts — threads opened, messages, reads, archives, reactions, blocks,
        escrow moves — with the events it logged. Needs solinbox's indexer (``getInboxActivity``
        is not a Photon method): a Photon endpoint raises
        :class:`~solinbox.photon.PhotonMethodNotFound`.
        """
        reader = self._reader()
        return [
            item
            async for item in reader.inbox_activity(
                inbox, thread_id=thread_id, page_size=min(limit, 1000), max_items=limit
            )
        ]

    def activity(self, wallet: Pubkey | None = None) -> Activity:
        """Threads ``wallet`` (default: this wallet) sent or received, across every inbox."""
        return Activity(self, wallet or self.me)

    async def use_lookup_table(self, table: Pubkey | None = None) -> Pubkey:
        """Compile transactions with an address lookup table of the accounts every write names.

        With ``table = None`` a new table is created (this wallet pays and is its authority) and
        filled; its addresses are usable from the next slot, which this call waits for. Bodies
        may then be ~180 bytes larger (``docs/protocol.md`` has the measured limits).
        """
        if table is None:
            slot = (await self.rpc.get_slot(self.commitment)).value
            create, table = create_lookup_table(self.me, self.me, slot)
            extend = extend_lookup_table(
                table, self.me, self.me, inbox_lookup_addresses(self.output_tree, self.program_id)
            )
            done = await self.send(create, extend)
            while (await self.rpc.get_slot(self.commitment)).value <= done.slot:
                await asyncio.sleep(0.05)
        raw = await self._data(table)
        if raw is None:
            raise ClientError(f"no lookup table at {table}")
        self.sender.lookup_tables = [decode_lookup_table(table, raw)]
        return table

    # -- reading regular accounts ---------------------------------------------------------------
    async def _data(self, key: Pubkey) -> bytes | None:
        try:
            value = (await self.rpc.get_account_info(key, self.commitment)).value
        except RPCException as exc:
            raise RpcError(f"getAccountInfo failed: {exc}") from exc
        return bytes(value.data) if value is not None else None

    async def inbox(self, owner: Pubkey | None = None, inbox_id: int = 0) -> InboxView | None:
        """Inbox ``inbox_id`` of ``owner`` (default: this wallet), or None."""
        address = inbox_address(owner or self.me, inbox_id, self.program_id)[0]
        raw = await self._data(address)
        return InboxView(address, Inbox.decode(raw)) if raw is not None else None

    async def inbox_at(self, address: Pubkey) -> InboxView:
        """The inbox at ``address`` (raises ClientError if absent)."""
        raw = await self._data(address)
        if raw is None:
            raise ClientError(f"no inbox at {address}")
        return InboxView(address, Inbox.decode(raw))

    async def inboxes(self, owner: Pubkey | None = None) -> list[InboxView]:
        """Every inbox of ``owner`` (default: this wallet), by id."""
        key = owner or self.me
        filters: list[int | MemcmpOpts] = [
            MemcmpOpts(offset=0, bytes=b58encode(Inbox.DISCRIMINATOR)),
            MemcmpOpts(offset=Inbox.OWNER_OFFSET, bytes=str(key)),
        ]
        try:
            resp = await self.rpc.get_program_accounts(
                self.program_id, self.commitment, encoding="base64", filters=filters
            )
        except RPCException as exc:
            raise RpcError(f"getProgramAccounts failed: {exc}") from exc
        views = [InboxView(a.pubkey, Inbox.decode(bytes(a.account.data))) for a in resp.value]
        return sorted(views, key=lambda v: v.state.id)

    # -- inbox writes -----------------------------------------------------------------------------
    async def create_inbox(
        self,
        inbox_id: int = 0,
        *,
        kind: InboxKind = InboxKind.STANDARD,
        payment_rule: ix.PaymentRuleInput | None = None,
        metadata: tuple[str, str] | None = None,
        expires_at: int = 0,
    ) -> InboxView:
        """Create inbox ``inbox_id`` of this wallet and return it."""
        name, uri = metadata or ("", "")
        await self.send(
            ix.create_inbox(
                self.me,
                inbox_id,
                kind=kind,
                expires_at=expires_at,
                payment_rule=payment_rule,
                name=name,
                uri=uri,
                program_id=self.program_id,
            )
        )
        view = await self.inbox(self.me, inbox_id)
        assert view is not None
        return view

    async def set_metadata(self, name: str, uri: str, inbox_id: int = 0) -> TransactionResult:
        """Replace the name and uri of a Standard inbox."""
        address = inbox_address(self.me, inbox_id, self.program_id)[0]
        return await self.send(
            ix.set_inbox_metadata(self.me, address, name, uri, program_id=self.program_id)
        )

    async def set_payment_rule(
        self, rule: ix.PaymentRuleInput | None, inbox_id: int = 0
    ) -> TransactionResult:
        """Set or remove (None) the inbox's payment rule."""
        address = inbox_address(self.me, inbox_id, self.program_id)[0]
        return await self.send(
            ix.set_payment_rule(self.me, address, rule, program_id=self.program_id)
        )

    async def close_inbox(self, inbox_id: int) -> TransactionResult:
        """Close an Ephemeral inbox, returning each page's rent to the sender who paid it."""
        view = await self.inbox(self.me, inbox_id)
        if view is None:
            raise ClientError(f"inbox {inbox_id} does not exist")
        pages = []
        for index in range((view.state.thread_count + SLOTS_PER_PAGE - 1) // SLOTS_PER_PAGE):
            page = thread_page(view.address, index, self.program_id)[0]
            raw = await self._data(page)
            if raw is None:
                raise ClientError(f"page {index} of {view.address} is missing")
            pages.append((page, ThreadPage.decode(raw).payer))
        return await self.send(
            ix.close_inbox(self.me, view.address, pages, program_id=self.program_id)
        )

    async def block(self, sender: Pubkey, inbox_id: int = 0) -> TransactionResult:
        """Stop ``sender`` from opening threads in the inbox."""
        address = inbox_address(self.me, inbox_id, self.program_id)[0]
        return await self.send(
            ix.block_sender(self.me, address, sender, program_id=self.program_id)
        )

    async def unblock(self, sender: Pubkey, inbox_id: int = 0) -> TransactionResult:
        """Lift a block."""
        address = inbox_address(self.me, inbox_id, self.program_id)[0]
        return await self.send(
            ix.unblock_sender(self.me, address, sender, program_id=self.program_id)
        )

    # -- threads ----------------------------------------------------------------------------------
    async def load_threads(
        self,
        inbox: Pubkey,
        *,
        limit: int = 20,
        offset: int = 0,
        unread_only: bool = False,
        archived: bool | None = False,
        side: Side | None = None,
    ) -> list[ThreadSlot]:
        """The inbox's threads, newest first, from its pages (one ``getMultipleAccounts`` per 100).

        ``side`` is whose view filters apply to (default: the owner's if this wallet owns the
        inbox, else the sender's); ``archived=None`` keeps archived threads too, ``True`` only
        them; ``unread_only`` keeps threads with messages that side has not read.
        """
        view = await self.inbox_at(inbox)
        viewer = (
            side
            if side is not None
            else (Side.OWNER if view.state.owner == self.me else Side.SENDER)
        )
        count = view.state.thread_count
        pages = [
            thread_page(inbox, i, self.program_id)[0]
            for i in range((count + SLOTS_PER_PAGE - 1) // SLOTS_PER_PAGE)
        ]
        slots: list[ThreadSlot] = []
        for start in range(0, len(pages), 100):
            try:
                accounts = (
                    await self.rpc.get_multiple_accounts(
                        pages[start : start + 100], self.commitment
                    )
                ).value
            except RPCException as exc:
                raise RpcError(f"getMultipleAccounts failed: {exc}") from exc
            for account in accounts:
                if account is not None:
                    slots += [
                        s for s in ThreadPage.decode(bytes(account.data)).slots if s is not None
                    ]
        out: list[ThreadSlot] = []
        for slot in sorted(slots, key=lambda s: (s.updated_at, s.thread_id), reverse=True):
            is_archived = (
                slot.archived_by_owner if viewer == Side.OWNER else slot.archived_by_sender
            )
            if archived is not None and is_archived != archived:
                continue
            if unread_only and slot.unread(viewer) == 0:
                continue
            out.append(slot)
        return out[offset : offset + limit]

    def thread(self, inbox: Pubkey, thread_id: int) -> ThreadClient:
        """A handle on thread ``thread_id`` of ``inbox`` (nothing is read until ``load``)."""
        return ThreadClient(self, inbox, thread_id)

    def _token_accounts(
        self, rule: PaymentRule | None, payer_owner: Pubkey, destination_owner: Pubkey
    ) -> tuple[ix.TokenAccounts | None, list[Instruction]]:
        if rule is None or rule.is_sol:
            return None, []
        program = _TOKEN_PROGRAMS[rule.token_program]
        source = associated_token_address(payer_owner, rule.mint, program)
        dest = associated_token_address(destination_owner, rule.mint, program)
        pre = [
            create_associated_token_account_idempotent(
                self.me, destination_owner, rule.mint, program
            )
        ]
        return ix.TokenAccounts(rule.mint, source, dest, program), pre

    async def create_thread(
        self,
        to: Pubkey,
        content: bytes | str,
        *,
        message_type: MessageType = MessageType.TEXT,
        target_inbox: Pubkey | None = None,
        payment: int | None = None,
        encrypt: bool = False,
        attempts: int = 3,
    ) -> ThreadClient:
        """Open a thread in ``to``'s inbox (default: their inbox 0) with a first message.

        Pays the inbox's payment rule automatically (``payment`` overrides the amount; it must
        cover the rule). With ``encrypt`` the body is sealed to the recipient's wallet key.
        Retries when another sender takes the next thread id first.
        """
        body = content.encode() if isinstance(content, str) else content
        if encrypt:
            body = seal_body(body, self.wallet, to)
        address = target_inbox or inbox_address(to, 0, self.program_id)[0]
        for attempt in range(attempts):
            view = await self.inbox_at(address)
            rule = view.state.payment_rule
            amount = payment if payment is not None else (rule.amount if rule else 0)
            token, pre = self._token_accounts(
                rule, self.me, address if rule and rule.escrow else view.state.owner
            )
            if token is not None and rule is not None and rule.escrow:
                token = ix.TokenAccounts(
                    token.mint,
                    token.source,
                    vault_address(address, token.mint, token.token_program),
                    token.token_program,
                )
            thread_id = view.state.next_thread_id
            instruction = ix.create_thread(
                self.me,
                address,
                view.state.owner,
                thread_id,
                ix.MessageInput(body, message_type, encrypted=encrypt),
                payment_amount=amount,
                token=token,
                output_tree=self.output_tree,
                program_id=self.program_id,
            )
            try:
                await self.send(*pre, instruction)
            except program_errors.ThreadIdMismatch:
                if attempt == attempts - 1:
                    raise
                continue
            return ThreadClient(self, address, thread_id)
        raise ClientError("unreachable")  # pragma: no cover


class ThreadClient:
    """One thread: its state in the inbox's page, and the thread instructions."""

    def __init__(self, client: InboxClient, inbox: Pubkey, thread_id: int) -> None:
        self.client = client
        self.inbox = inbox
        self.id = thread_id

    def __repr__(self) -> str:
        return f"ThreadClient(inbox={self.inbox}, id={self.id})"

    async def load(self) -> ThreadSlot:
        """The thread's mutable state (sender, counts, read marks, archive flags, escrow)."""
        raw = await self.client._data(thread_page_for(self.inbox, self.id, self.client.program_id))
        slot = ThreadPage.decode(raw).thread(self.id) if raw is not None else None
        if slot is None:
            raise ClientError(f"thread {self.id} of {self.inbox} does not exist")
        return slot

    async def header(self) -> ThreadHeader:
        """The thread's header record (sender, recipient, payment terms)."""
        for record in await self.client.records(*self._filters(RecordKind.THREAD_HEADER)):
            if isinstance(record, ThreadHeader):
                return record
        raise ClientError(
            f"no header record for thread {self.id} of {self.inbox} (not indexed yet?)"
        )

    def _filters(self, kind: RecordKind) -> list[tuple[int, bytes]]:
        return [
            (OFFSET_KIND, bytes([kind])),
            (OFFSET_INBOX, bytes(self.inbox)),
            (OFFSET_THREAD_ID, self.id.to_bytes(8, "little")),
        ]

    async def load_messages(
        self,
        limit: int = 50,
        *,
        before: int | None = None,
        after: int | None = None,
        direction: str = "backward",
        decrypt: bool = False,
    ) -> list[Message]:
        """Messages by seq, newest first (``backward``) or oldest first (``forward``).

        ``before`` / ``after`` bound the seqs. With ``decrypt``, sealed bodies are opened with
        this wallet's key (``DecryptionError`` on tampered or foreign ciphertext).
        """
        found = [
            r
            for r in await self.client.records(*self._filters(RecordKind.MESSAGE))
            if isinstance(r, Message)
        ]
        unique = {m.seq: m for m in found}
        seqs = sorted(unique, reverse=direction == "backward")
        if before is not None:
            seqs = [q for q in seqs if q < before]
        if after is not None:
            seqs = [q for q in seqs if q > after]
        messages = [unique[q] for q in seqs[:limit]]
        if decrypt:
            messages = [await self._opened(m) for m in messages]
        return messages

    async def _opened(self, message: Message) -> Message:
        if not message.encrypted:
            return message
        other, _ = await self._other_side()
        body = open_body(message.content, self.client.wallet, other)
        return dataclasses.replace(message, content=body)

    async def load_last_message(self, *, decrypt: bool = False) -> Message | None:
        """The newest message, or None."""
        messages = await self.load_messages(1, decrypt=decrypt)
        return messages[0] if messages else None

    async def _other_side(self) -> tuple[Pubkey, Inbox]:
        view = await self.client.inbox_at(self.inbox)
        slot = await self.load()
        me = self.client.me
        return (view.state.owner if me == slot.sender else slot.sender), view.state

    async def send_message(
        self,
        content: bytes | str,
        *,
        message_type: MessageType = MessageType.TEXT,
        reply_to: int = 0,
        payment: int = 0,
        encrypt: bool = False,
    ) -> TransactionResult:
        """Post the next message (optionally sealed to the other side, with a SOL payment)."""
        body = content.encode() if isinstance(content, str) else content
        other, _ = await self._other_side()
        if encrypt:
            body = seal_body(body, self.client.wallet, other)
        c = self.client
        return await c.send(
            ix.send_message(
                c.me,
                self.inbox,
                self.id,
                ix.MessageInput(body, message_type, encrypted=encrypt),
                reply_to=reply_to,
                payment_amount=payment,
                recipient=other if payment else None,
                output_tree=c.output_tree,
                program_id=c.program_id,
            )
        )

    async def mark_read(self, seq: int | None = None) -> TransactionResult:
        """Mark messages up to ``seq`` (default: the last one) as read."""
        upto = seq if seq is not None else (await self.load()).message_count
        c = self.client
        return await c.send(ix.mark_read(c.me, self.inbox, self.id, upto, program_id=c.program_id))

    async def archive(self, archived: bool = True) -> TransactionResult:
        """Archive (or unarchive) the thread for this side."""
        c = self.client
        return await c.send(
            ix.set_archived(c.me, self.inbox, self.id, archived, program_id=c.program_id)
        )

    async def react(self, seq: int, reaction: int, *, added: bool = True) -> TransactionResult:
        """React to message ``seq`` (``reaction`` indexes ``REACTIONS``)."""
        c = self.client
        return await c.send(
            ix.react(
                c.me,
                self.inbox,
                self.id,
                seq,
                reaction,
                added=added,
                output_tree=c.output_tree,
                program_id=c.program_id,
            )
        )

    async def approve_escrow(self) -> TransactionResult:
        """The sender releases the escrow to the owner."""
        c = self.client
        return await c.send(ix.approve_escrow(c.me, self.inbox, self.id, program_id=c.program_id))

    async def _escrow_token(self, recipient: Pubkey) -> ix.TokenAccounts | None:
        slot = await self.load()
        if slot.escrow_token_program == TokenProgramKind.SOL:
            return None
        program = _TOKEN_PROGRAMS[slot.escrow_token_program]
        return ix.TokenAccounts(
            slot.escrow_mint,
            vault_address(self.inbox, slot.escrow_mint, program),
            associated_token_address(recipient, slot.escrow_mint, program),
            program,
        )

    async def claim_escrow(self) -> TransactionResult:
        """The owner takes the escrow (released, or answered)."""
        c = self.client
        token = await self._escrow_token(c.me)
        pre = (
            [
                create_associated_token_account_idempotent(
                    c.me, c.me, token.mint, token.token_program
                )
            ]
            if token
            else []
        )
        return await c.send(
            *pre, ix.claim_escrow(c.me, self.inbox, self.id, token=token, program_id=c.program_id)
        )

    async def refund_escrow(self) -> TransactionResult:
        """The sender takes back an unanswered escrow after the deadline."""
        c = self.client
        token = await self._escrow_token(c.me)
        return await c.send(
            ix.refund_escrow(c.me, self.inbox, self.id, token=token, program_id=c.program_id)
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ActivityThread:
    """A thread in a wallet's history: its header, its current state and the wallet's unread count."""

    header: ThreadHeader
    state: ThreadSlot | None
    unread: int
    last_message: Message | None = None


class Activity:
    """A wallet's threads across every inbox, from the indexer (both directions)."""

    def __init__(self, client: InboxClient, wallet: Pubkey) -> None:
        self.client = client
        self.wallet = wallet

    async def load_threads_across_history(
        self, limit: int = 20, *, include_last_message: bool = False
    ) -> list[ActivityThread]:
        """Threads the wallet sent or received, deduplicated, newest activity first."""
        kind = (OFFSET_KIND, bytes([RecordKind.THREAD_HEADER]))
        sent = await self.client.records_with_slots(kind, (THREAD_FROM_OFFSET, bytes(self.wallet)))
        received = await self.client.records_with_slots(
            kind, (THREAD_TO_OFFSET, bytes(self.wallet))
        )
        headers = {
            (h.inbox, h.thread_id): (h, slot)
            for h, slot in [*sent, *received]
            if isinstance(h, ThreadHeader)
        }
        out: list[tuple[int, ActivityThread]] = []
        for (inbox, tid), (header, slot) in headers.items():
            handle = self.client.thread(inbox, tid)
            try:
                state: ThreadSlot | None = await handle.load()
            except ClientError:
                state = None  # the inbox was closed; the history stays
            if state is not None and state.sender != header.sender:
                state = None  # a re-created inbox reused the id: the header is from before
            side = Side.SENDER if header.sender == self.wallet else Side.OWNER
            unread = state.unread(side) if state else 0
            last = await handle.load_last_message() if include_last_message else None
            out.append((slot, ActivityThread(header, state, unread, last)))
        # newest activity first; timestamps have 1 s resolution, so ties go to the newer thread
        out.sort(
            key=lambda e: (e[1].state.updated_at if e[1].state else e[1].header.created_at, e[0]),
            reverse=True,
        )
        return [t for _, t in out[:limit]]
