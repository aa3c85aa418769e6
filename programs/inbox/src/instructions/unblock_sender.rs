//! `unblock_sender(sender)` — close the block marker; its rent returns to the owner.
//!
//! Accounts: 0 `[signer, writable]` owner, 1 inbox, 2 `[writable]` block marker.

use pinocchio::{AccountView};

use crate::accounts::{close, owned, writable, writable_signer};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, SENDER_UNBLOCKED};
use crate::instructions::shared::load_inbox;
use crate::state::{view, BlockMarker};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [owner, inbox, block, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let sender = args.address()?;
    args.finish()?;
    writable_signer(owner)?;
    writable(block)?;
    let info = load_inbox(inbox)?;
    if owner.address().as_array() != &info.owner {
        return Err(InboxError::Unauthorized.into());
    }
    owned(block)?;
    {
        let data = block.try_borrow()?;
        let marker: &BlockMarker = view(&data)?;
        if marker.discriminator != BlockMarker::DISCRIMINATOR
            || &marker.inbox != inbox.address().as_array()
            || &marker.sender != sender.as_array()
        {
            return Err(InboxError::InvalidPda.into());
        }
    }
    close(block, owner)?;
    Event::new(&SENDER_UNBLOCKED).put(inbox.address().as_array()).put(sender.as_array()).emit();
    Ok(())
}
