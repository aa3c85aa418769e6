//! `set_archived(thread_id, archived)` — each side archives a thread for itself.
//!
//! Accounts: 0 `[signer]` a participant, 1 inbox, 2 `[writable]` thread page.

use pinocchio::{AccountView};

use crate::accounts::{signer, writable};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, THREAD_ARCHIVED};
use crate::instructions::shared::{check_page, load_inbox, read_slot, side_of, update_slot};
use crate::state::page::{SLOT_ARCHIVED_FROM, SLOT_ARCHIVED_TO};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [member, inbox, page, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let thread_id = args.u64()?;
    let archived = args.bool()?;
    args.finish()?;
    signer(member)?;
    writable(page)?;
    let info = load_inbox(inbox)?;
    let slot_index = check_page(page, inbox, thread_id)?;
    let slot = read_slot(page, slot_index)?;
    let side = side_of(member, &slot, &info)?;
    let bit = if side == 0 { SLOT_ARCHIVED_FROM } else { SLOT_ARCHIVED_TO };
    update_slot(page, slot_index, |s| {
        if archived {
            s.flags |= bit;
        } else {
            s.flags &= !bit;
        }
        Ok(())
    })?;
    Event::new(&THREAD_ARCHIVED).put(inbox.address().as_array()).u64(thread_id).u8(side).u8(archived as u8).emit();
    Ok(())
}
