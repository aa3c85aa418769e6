//! `set_inbox_metadata(name, uri)` — Standard inboxes only.
//!
//! Accounts: 0 `[signer]` owner, 1 `[writable]` inbox.

use pinocchio::{AccountView};

use crate::accounts::{signer, writable};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, INBOX_UPDATED};
use crate::instructions::create_inbox::write_metadata;
use crate::instructions::shared::load_inbox;
use crate::state::inbox::{InboxMetadata, MAX_NAME_LEN, MAX_URI_LEN};
use crate::state::{view_mut, Inbox, InboxKind};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [owner, inbox, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let name = args.bytes()?;
    let uri = args.bytes()?;
    args.finish()?;
    signer(owner)?;
    writable(inbox)?;
    let info = load_inbox(inbox)?;
    if owner.address().as_array() != &info.owner {
        return Err(InboxError::Unauthorized.into());
    }
    if info.kind != InboxKind::Standard as u8 {
        return Err(InboxError::InvalidInboxKind.into());
    }
    if name.len() > MAX_NAME_LEN || uri.len() > MAX_URI_LEN {
        return Err(InboxError::MetadataTooLong.into());
    }
    {
        let mut data = inbox.try_borrow_mut()?;
        let meta: &mut InboxMetadata = view_mut(&mut data[Inbox::EPHEMERAL_LEN..])?;
        write_metadata(meta, name, uri);
    }
    Event::new(&INBOX_UPDATED).put(inbox.address().as_array()).u8(0).emit();
    Ok(())
}
