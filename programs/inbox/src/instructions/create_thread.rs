//! `create_thread(expected_thread_id, payment_amount, message_type, other_type, flags, content)`
//!
//! Opens thread `thread_count + 1` in an inbox: pays the inbox's payment rule (directly to the
//! owner or into escrow held by the thread), writes the thread's slot in its page (creating the
//! page, paid by the sender, when the thread is the page's first), and writes two compressed
//! records in one Light CPI: the ThreadHeader and Message #1.
//!
//! `expected_thread_id` (0 = any) makes the call fail instead of opening another id;
//! `payment_amount` is what the sender agrees to pay: at least the rule's amount (protects the
//! sender against a rule raised in flight); without a rule any amount is a direct payment.
//!
//! Accounts: 0 `[signer, writable]` sender, 1 `[writable]` inbox, 2 `[writable]` thread page
//! `["thread_page", inbox, page]`, 3 block marker `["block", inbox, sender]` (must not exist),
//! 4 system program, 5 `[writable]` inbox owner wallet (SOL payments), 6 mint (optional),
//! 7 `[writable]` sender token account (optional), 8 `[writable]` destination token account:
//! the owner's (direct) or the inbox's vault, owned by the inbox PDA (escrow) (optional),
//! 9 token program (optional), 10..16 Light accounts (see `light.rs`).

use pinocchio::{cpi::Seed, AccountView};

use crate::accounts::{canonical_pda, create_pda, is_absent, system_program, writable, writable_signer};
use crate::args::Args;
use crate::clock::now;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, THREAD_CREATED};
use crate::instructions::shared::{check_not_expired, load_inbox, InboxInfo};
use crate::light::{append, LightAccounts, Output};
use crate::payment::{pay, Pay};
use crate::state::inbox::MAX_EPHEMERAL_THREADS;
use crate::state::page::{EscrowState, SLOT_USED};
use crate::state::records::{
    prefix, write_message, write_thread_header, Message, PaymentTerms, ThreadHeader, Writer, KIND_MESSAGE,
    KIND_THREAD_HEADER, MAX_CONTENT_LEN, MAX_MESSAGE_TYPE, MESSAGE_DISCRIMINATOR, MESSAGE_FIXED_LEN,
    THREAD_HEADER_DISCRIMINATOR, THREAD_HEADER_LEN,
};
use crate::state::{view, view_mut, InboxKind, ThreadPage};

/// The message part shared by `create_thread` and `send_message`.
pub struct MessageArgs<'a> {
    pub message_type: u8,
    pub other_type: u16,
    pub flags: u8,
    pub content: &'a [u8],
}

pub fn read_message_args<'a>(args: &mut Args<'a>) -> InboxResult<MessageArgs<'a>> {
    let message_type = args.u8()?;
    let other_type = args.u16()?;
    let flags = args.u8()?;
    let content = args.bytes()?;
    if message_type > MAX_MESSAGE_TYPE || (message_type != crate::state::records::MESSAGE_TYPE_OTHER && other_type != 0) {
        return Err(InboxError::InvalidMessageType.into());
    }
    if flags & !1 != 0 {
        return Err(InboxError::InvalidMessageType.into());
    }
    if content.len() > MAX_CONTENT_LEN {
        return Err(InboxError::ContentTooLong.into());
    }
    Ok(MessageArgs { message_type, other_type, flags, content })
}

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [sender, inbox, page, block, system, owner_wallet, mint, sender_token, dest_token, token_program, light @ ..] =
        accounts
    else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let expected_id = args.u64()?;
    let payment_amount = args.u64()?;
    let msg = read_message_args(&mut args)?;
    args.finish()?;

    writable_signer(sender)?;
    writable(inbox)?;
    writable(page)?;
    system_program(system)?;
    let light = LightAccounts::new(light, system)?;
    let info = load_inbox(inbox)?;
    let now = now()?;
    check_not_expired(&info, now)?;
    let sender_key = *sender.address().as_array();
    if sender_key == info.owner {
        return Err(InboxError::SelfThread.into());
    }
    check_not_blocked(block, inbox, &sender_key)?;

    let thread_id = info.thread_count.checked_add(1).ok_or(InboxError::ArithmeticOverflow)?;
    if expected_id != 0 && expected_id != thread_id {
        return Err(InboxError::ThreadIdMismatch.into());
    }
    if info.kind == InboxKind::Ephemeral as u8 && thread_id > MAX_EPHEMERAL_THREADS {
        return Err(InboxError::InboxFull.into());
    }
    let (page_index, slot) = ThreadPage::locate(thread_id);
    open_page(sender, page, inbox, page_index)?;

    // Payment: the rule (direct or escrow), or a voluntary direct payment without a rule.
    let rule = &info.rule;
    let escrow = info.has_rule && rule.escrow == 1;
    let mint_key = if info.has_rule {
        if payment_amount < u64::from_le_bytes(rule.amount) {
            return Err(InboxError::PaymentTooLow.into());
        }
        rule.mint
    } else if is_absent(mint) {
        [0; 32]
    } else {
        *mint.address().as_array()
    };
    let mut terms = PaymentTerms::NONE;
    let mut decimals = 0;
    if payment_amount > 0 {
        if !escrow && owner_wallet.address().as_array() != &info.owner {
            return Err(InboxError::Unauthorized.into());
        }
        let (kind, dec) = pay(&Pay {
            payer: sender,
            amount: payment_amount,
            mint: mint_key,
            sol_destination: if escrow { page } else { owner_wallet },
            token_owner: if escrow { inbox.address().as_array() } else { &info.owner },
            mint_account: mint,
            source_token: sender_token,
            dest_token,
            token_program,
        })?;
        if info.has_rule && mint_key != [0; 32] && kind != rule.token_program {
            return Err(InboxError::InvalidTokenProgram.into());
        }
        terms = PaymentTerms { mode: if escrow { 2 } else { 1 }, token_program: kind, mint: mint_key, amount: payment_amount };
        decimals = dec;
    }
    let refund_after = if escrow { u64::from_le_bytes(rule.refund_after_secs) } else { 0 };

    write_slot(page, slot, &SlotInit { from: &sender_key, now, terms: &terms, decimals, refund_after })?;
    {
        let mut data = inbox.try_borrow_mut()?;
        let state: &mut crate::state::Inbox = view_mut(&mut data)?;
        state.thread_count = thread_id.to_le_bytes();
        if escrow && payment_amount > 0 {
            let open = state.open_escrows().checked_add(1).ok_or(InboxError::ArithmeticOverflow)?;
            state.set_open_escrows(open);
        }
    }

    write_records(sender, &light, &Opening { info: &info, inbox, thread_id, now, terms: &terms, refund_after, msg: &msg })?;
    Event::new(&THREAD_CREATED)
        .put(inbox.address().as_array())
        .u64(thread_id)
        .put(&sender_key)
        .u64(payment_amount)
        .u8(escrow as u8)
        .emit();
    Ok(())
}

/// The block marker PDA of `(inbox, sender)` must be the canonical address and hold nothing.
fn check_not_blocked(block: &AccountView, inbox: &AccountView, sender: &[u8; 32]) -> InboxResult<()> {
    canonical_pda(block, &[b"block", inbox.address().as_array(), sender])?;
    if block.owned_by(&crate::ID) && block.data_len() > 0 {
        return Err(InboxError::SenderBlocked.into());
    }
    Ok(())
}

/// Create the page if this thread is its first; otherwise check it is the inbox's page.
fn open_page(payer: &AccountView, page: &mut AccountView, inbox: &AccountView, index: u32) -> InboxResult<()> {
    let index_le = index.to_le_bytes();
    let inbox_key = inbox.address().as_array();
    if page.lamports() == 0 || !page.owned_by(&crate::ID) {
        let bump = canonical_pda(page, &[b"thread_page", inbox_key, &index_le])?;
        let bump_seed = [bump];
        let seeds = [Seed::from(b"thread_page"), Seed::from(inbox_key), Seed::from(&index_le), Seed::from(&bump_seed)];
        create_pda(payer, page, ThreadPage::LEN, &seeds)?;
        let mut data = page.try_borrow_mut()?;
        let p: &mut ThreadPage = view_mut(&mut data)?;
        p.discriminator = ThreadPage::DISCRIMINATOR;
        p.version = ThreadPage::VERSION;
        p.bump = bump;
        p.inbox = *inbox_key;
        p.page = index_le;
        p.payer = *payer.address().as_array();
        return Ok(());
    }
    let data = page.try_borrow()?;
    let p: &ThreadPage = view(&data)?;
    if p.discriminator != ThreadPage::DISCRIMINATOR || &p.inbox != inbox_key || p.page != index_le {
        return Err(InboxError::InvalidPda.into());
    }
    crate::instructions::shared::check_page_address(page, p)
}

struct SlotInit<'a> {
    from: &'a [u8; 32],
    now: u64,
    terms: &'a PaymentTerms,
    decimals: u8,
    refund_after: u64,
}

fn write_slot(page: &mut AccountView, slot: usize, s: &SlotInit) -> InboxResult<()> {
    let mut data = page.try_borrow_mut()?;
    let p: &mut ThreadPage = view_mut(&mut data)?;
    let t = &mut p.slots[slot];
    if t.flags & SLOT_USED != 0 {
        return Err(InboxError::AccountAlreadyInitialized.into());
    }
    t.from = *s.from;
    t.created_at = s.now.to_le_bytes();
    t.updated_at = s.now.to_le_bytes();
    t.message_count = 1u32.to_le_bytes();
    t.read_from = 1u32.to_le_bytes();
    t.read_to = 0u32.to_le_bytes();
    t.flags = SLOT_USED;
    if s.terms.mode == 2 {
        t.escrow_state = EscrowState::Held as u8;
        t.escrow_token_program = s.terms.token_program;
        t.escrow_decimals = s.decimals;
        t.escrow_amount = s.terms.amount.to_le_bytes();
        t.escrow_mint = s.terms.mint;
        let refund_at = s.now.checked_add(s.refund_after).ok_or(InboxError::ArithmeticOverflow)?;
        t.refund_at = refund_at.to_le_bytes();
    }
    let used = (slot as u32) + 1;
    if u32::from_le_bytes(p.used) < used {
        p.used = used.to_le_bytes();
    }
    Ok(())
}

struct Opening<'a> {
    info: &'a InboxInfo,
    inbox: &'a AccountView,
    thread_id: u64,
    now: u64,
    terms: &'a PaymentTerms,
    refund_after: u64,
    msg: &'a MessageArgs<'a>,
}

#[inline(never)]
fn write_records(sender: &AccountView, light: &LightAccounts, o: &Opening) -> InboxResult<()> {
    let inbox_key = o.inbox.address().as_array();
    let sender_key = sender.address().as_array();
    let mut header_buf = [0u8; THREAD_HEADER_LEN];
    let mut h = Writer::new(&mut header_buf);
    prefix(&mut h, KIND_THREAD_HEADER, inbox_key, o.thread_id)?;
    write_thread_header(
        &mut h,
        &ThreadHeader {
            from: sender_key,
            to: &o.info.owner,
            created_at: o.now,
            payment: *o.terms,
            refund_after_secs: o.refund_after,
        },
    )?;
    let mut msg_buf = [0u8; MESSAGE_FIXED_LEN + MAX_CONTENT_LEN];
    let mut m = Writer::new(&mut msg_buf);
    prefix(&mut m, KIND_MESSAGE, inbox_key, o.thread_id)?;
    write_message(
        &mut m,
        &Message {
            seq: 1,
            sender_side: 0,
            sender: sender_key,
            timestamp: o.now,
            message_type: o.msg.message_type,
            other_type: o.msg.other_type,
            flags: o.msg.flags,
            reply_to: 0,
            payment: PaymentTerms::NONE,
            content: o.msg.content,
        },
    )?;
    append(
        sender,
        light,
        &[
            Output { discriminator: THREAD_HEADER_DISCRIMINATOR, data: h.written() },
            Output { discriminator: MESSAGE_DISCRIMINATOR, data: m.written() },
        ],
    )
}
