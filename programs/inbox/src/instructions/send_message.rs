//! `send_message(thread_id, reply_to, payment_amount, message_type, other_type, flags, content)`
//!
//! Only the thread's sender (`from`) or the inbox owner may post. The message gets the next
//! seq; the poster's read mark moves to it; an owner's reply makes the escrow claimable. An
//! optional payment goes directly to the other participant.
//!
//! Accounts: 0 `[signer, writable]` poster, 1 inbox, 2 `[writable]` thread page, 3 system
//! program, 4 `[writable]` the other participant's wallet (SOL payments; optional),
//! 5 mint (optional), 6 `[writable]` poster's token account (optional), 7 `[writable]` the other
//! participant's token account (optional), 8 token program (optional), 9..15 Light accounts.

use pinocchio::{AccountView};

use crate::accounts::{is_absent, system_program, writable, writable_signer};
use crate::args::Args;
use crate::clock::now;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, MESSAGE_SENT};
use crate::instructions::create_thread::{read_message_args, MessageArgs};
use crate::instructions::shared::{check_not_expired, check_page, load_inbox, read_slot, side_of, update_slot};
use crate::light::{append, LightAccounts, Output};
use crate::payment::{pay, Pay};
use crate::state::page::SLOT_OWNER_REPLIED;
use crate::state::records::{
    prefix, write_message, Message, PaymentTerms, Writer, KIND_MESSAGE, MAX_CONTENT_LEN, MESSAGE_DISCRIMINATOR,
    MESSAGE_FIXED_LEN,
};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [poster, inbox, page, system, other_wallet, mint, poster_token, other_token, token_program, light @ ..] =
        accounts
    else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let thread_id = args.u64()?;
    let reply_to = args.u32()?;
    let payment_amount = args.u64()?;
    let msg = read_message_args(&mut args)?;
    args.finish()?;

    writable_signer(poster)?;
    writable(page)?;
    system_program(system)?;
    let light = LightAccounts::new(light, system)?;
    let info = load_inbox(inbox)?;
    let now = now()?;
    check_not_expired(&info, now)?;
    let slot_index = check_page(page, inbox, thread_id)?;
    let slot = read_slot(page, slot_index)?;
    let side = side_of(poster, &slot, &info)?;
    let seq = slot.message_count.checked_add(1).ok_or(InboxError::ArithmeticOverflow)?;
    if reply_to >= seq {
        return Err(InboxError::InvalidSequence.into());
    }
    let other: [u8; 32] = if side == 0 { info.owner } else { slot.from };

    let mut terms = PaymentTerms::NONE;
    if payment_amount > 0 {
        let mint_key = if is_absent(mint) { [0; 32] } else { *mint.address().as_array() };
        if mint_key == [0; 32] && other_wallet.address().as_array() != &other {
            return Err(InboxError::Unauthorized.into());
        }
        let (kind, _) = pay(&Pay {
            payer: poster,
            amount: payment_amount,
            mint: mint_key,
            sol_destination: other_wallet,
            token_owner: &other,
            mint_account: mint,
            source_token: poster_token,
            dest_token: other_token,
            token_program,
        })?;
        terms = PaymentTerms { mode: 1, token_program: kind, mint: mint_key, amount: payment_amount };
    }

    update_slot(page, slot_index, |s| {
        s.message_count = seq.to_le_bytes();
        s.updated_at = now.to_le_bytes();
        if side == 0 {
            s.read_from = seq.to_le_bytes();
        } else {
            s.read_to = seq.to_le_bytes();
            s.flags |= SLOT_OWNER_REPLIED;
        }
        Ok(())
    })?;

    let post = Post { inbox, thread_id, seq, side, now, reply_to, terms: &terms, msg: &msg };
    write_record(poster, &light, &post)?;
    Event::new(&MESSAGE_SENT)
        .put(inbox.address().as_array())
        .u64(thread_id)
        .u32(seq)
        .put(poster.address().as_array())
        .emit();
    Ok(())
}

struct Post<'a> {
    inbox: &'a AccountView,
    thread_id: u64,
    seq: u32,
    side: u8,
    now: u64,
    reply_to: u32,
    terms: &'a PaymentTerms,
    msg: &'a MessageArgs<'a>,
}

#[inline(never)]
fn write_record(poster: &AccountView, light: &LightAccounts, p: &Post) -> InboxResult<()> {
    let mut buf = [0u8; MESSAGE_FIXED_LEN + MAX_CONTENT_LEN];
    let mut w = Writer::new(&mut buf);
    prefix(&mut w, KIND_MESSAGE, p.inbox.address().as_array(), p.thread_id)?;
    write_message(
        &mut w,
        &Message {
            seq: p.seq,
            sender_side: p.side,
            sender: poster.address().as_array(),
            timestamp: p.now,
            message_type: p.msg.message_type,
            other_type: p.msg.other_type,
            flags: p.msg.flags,
            reply_to: p.reply_to,
            payment: *p.terms,
            content: p.msg.content,
        },
    )?;
    append(poster, light, &[Output { discriminator: MESSAGE_DISCRIMINATOR, data: w.written() }])
}
