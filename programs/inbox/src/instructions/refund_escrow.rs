//! `refund_escrow(thread_id)` — the sender takes back an escrow the owner never answered, once
//! the rule's `refund_after_secs` have passed (and only while the sender has not released it).
//!
//! Accounts: 0 `[signer, writable]` the thread's sender, 1 `[writable]` inbox, 2 `[writable]`
//! thread page, 3 mint (optional), 4 `[writable]` inbox vault token account (optional),
//! 5 `[writable]` sender's token account (optional), 6 token program (optional).

use pinocchio::{AccountView};

use crate::accounts::{writable, writable_signer};
use crate::args::Args;
use crate::clock::now;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, ESCROW_REFUNDED};
use crate::instructions::escrow::{pay_out, Payout};
use crate::instructions::shared::{check_page, load_inbox, read_slot};
use crate::state::page::SLOT_OWNER_REPLIED;
use crate::state::EscrowState;

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [sender, inbox, page, mint, vault, sender_token, token_program, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let thread_id = args.u64()?;
    args.finish()?;
    writable_signer(sender)?;
    writable(inbox)?;
    writable(page)?;
    let info = load_inbox(inbox)?;
    let slot_index = check_page(page, inbox, thread_id)?;
    let slot = read_slot(page, slot_index)?;
    if sender.address().as_array() != &slot.from {
        return Err(InboxError::Unauthorized.into());
    }
    if slot.escrow_state != EscrowState::Held as u8 {
        return Err(InboxError::EscrowNotHeld.into());
    }
    if slot.flags & SLOT_OWNER_REPLIED != 0 {
        return Err(InboxError::OwnerReplied.into());
    }
    if now()? < slot.refund_at {
        return Err(InboxError::RefundTooEarly.into());
    }
    let recipient = slot.from;
    pay_out(
        Payout {
            inbox,
            page,
            slot_index,
            wallet: sender,
            mint,
            vault,
            token_account: sender_token,
            token_program,
            recipient: &recipient,
            final_state: EscrowState::Refunded as u8,
        },
        &info,
        &slot,
    )?;
    Event::new(&ESCROW_REFUNDED)
        .put(inbox.address().as_array())
        .u64(thread_id)
        .u64(slot.escrow_amount)
        .put(&slot.escrow_mint)
        .emit();
    Ok(())
}
