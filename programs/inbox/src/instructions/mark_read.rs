//! `mark_read(thread_id, seq)` — move the signer's read mark forward (never back).
//!
//! Accounts: 0 `[signer]` a participant, 1 inbox, 2 `[writable]` thread page.

use pinocchio::{AccountView};

use crate::accounts::{signer, writable};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, READ_MARKED};
use crate::instructions::shared::{check_page, load_inbox, read_slot, side_of, update_slot};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [reader, inbox, page, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let thread_id = args.u64()?;
    let seq = args.u32()?;
    args.finish()?;
    signer(reader)?;
    writable(page)?;
    let info = load_inbox(inbox)?;
    let slot_index = check_page(page, inbox, thread_id)?;
    let slot = read_slot(page, slot_index)?;
    let side = side_of(reader, &slot, &info)?;
    if seq == 0 || seq > slot.message_count {
        return Err(InboxError::InvalidSequence.into());
    }
    let marked = update_slot(page, slot_index, |s| {
        let field = if side == 0 { &mut s.read_from } else { &mut s.read_to };
        let current = u32::from_le_bytes(*field);
        let new = if seq > current { seq } else { current };
        *field = new.to_le_bytes();
        Ok(new)
    })?;
    Event::new(&READ_MARKED).put(inbox.address().as_array()).u64(thread_id).u8(side).u32(marked).emit();
    Ok(())
}
