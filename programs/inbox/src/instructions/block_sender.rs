//! `block_sender(sender)` — create the block marker `["block", inbox, sender]` (owner pays).
//!
//! Accounts: 0 `[signer, writable]` owner, 1 inbox, 2 `[writable]` block marker, 3 system program.

use pinocchio::{cpi::Seed, AccountView};

use crate::accounts::{canonical_pda, create_pda, system_program, writable, writable_signer};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, SENDER_BLOCKED};
use crate::instructions::shared::load_inbox;
use crate::state::{view_mut, BlockMarker};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [owner, inbox, block, system, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let sender = args.address()?;
    args.finish()?;
    writable_signer(owner)?;
    writable(block)?;
    system_program(system)?;
    let info = load_inbox(inbox)?;
    if owner.address().as_array() != &info.owner {
        return Err(InboxError::Unauthorized.into());
    }
    let inbox_key = inbox.address().as_array();
    let bump = canonical_pda(block, &[b"block", inbox_key, sender.as_array()])?;
    if block.owned_by(&crate::ID) {
        return Err(InboxError::AccountAlreadyInitialized.into());
    }
    let bump_seed = [bump];
    let seeds = [Seed::from(b"block"), Seed::from(inbox_key), Seed::from(sender.as_array()), Seed::from(&bump_seed)];
    create_pda(owner, block, BlockMarker::LEN, &seeds)?;
    {
        let mut data = block.try_borrow_mut()?;
        let marker: &mut BlockMarker = view_mut(&mut data)?;
        marker.discriminator = BlockMarker::DISCRIMINATOR;
        marker.bump = bump;
        marker.inbox = *inbox_key;
        marker.sender = *sender.as_array();
    }
    Event::new(&SENDER_BLOCKED).put(inbox_key).put(sender.as_array()).emit();
    Ok(())
}
