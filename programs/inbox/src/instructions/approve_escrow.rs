//! `approve_escrow(thread_id)` — the thread's sender releases its escrow to the owner.
//!
//! Accounts: 0 `[signer]` the thread's sender, 1 inbox, 2 `[writable]` thread page.

use pinocchio::{AccountView};

use crate::accounts::{signer, writable};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, ESCROW_APPROVED};
use crate::instructions::shared::{check_page, load_inbox, read_slot, update_slot};
use crate::state::EscrowState;

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [sender, inbox, page, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let thread_id = args.u64()?;
    args.finish()?;
    signer(sender)?;
    writable(page)?;
    load_inbox(inbox)?;
    let slot_index = check_page(page, inbox, thread_id)?;
    let slot = read_slot(page, slot_index)?;
    if sender.address().as_array() != &slot.from {
        return Err(InboxError::Unauthorized.into());
    }
    if slot.escrow_state != EscrowState::Held as u8 {
        return Err(InboxError::EscrowNotHeld.into());
    }
    update_slot(page, slot_index, |s| {
        s.escrow_state = EscrowState::Released as u8;
        Ok(())
    })?;
    Event::new(&ESCROW_APPROVED).put(inbox.address().as_array()).u64(thread_id).emit();
    Ok(())
}
