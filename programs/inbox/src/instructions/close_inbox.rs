//! `close_inbox()` — Ephemeral inboxes only, once no escrow is held. Closes every thread page
//! (each page's rent goes back to the sender who paid it) and the inbox (rent to the owner).
//!
//! Accounts: 0 `[signer, writable]` owner, 1 `[writable]` inbox, then for each page `i` in order
//! `[writable]` page `i`, `[writable]` the wallet that paid page `i`.

use pinocchio::{AccountView};

use crate::accounts::{close, owned, writable, writable_signer};
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, INBOX_CLOSED};
use crate::instructions::shared::load_inbox;
use crate::state::{view, InboxKind, ThreadPage, SLOTS_PER_PAGE};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [owner, inbox, pages @ ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    if !data.is_empty() {
        return Err(InboxError::InvalidInstructionData.into());
    }
    writable_signer(owner)?;
    writable(inbox)?;
    let info = load_inbox(inbox)?;
    if owner.address().as_array() != &info.owner {
        return Err(InboxError::Unauthorized.into());
    }
    if info.kind != InboxKind::Ephemeral as u8 {
        return Err(InboxError::InvalidInboxKind.into());
    }
    if info.open_escrows != 0 {
        return Err(InboxError::EscrowOutstanding.into());
    }
    let page_count = info.thread_count.div_ceil(SLOTS_PER_PAGE) as usize;
    if pages.len() != 2 * page_count {
        return Err(InboxError::PagesIncomplete.into());
    }
    for (i, pair) in pages.chunks_exact_mut(2).enumerate() {
        let [page, payer] = pair else { unreachable!() };
        owned(page)?;
        writable(page)?;
        writable(payer)?;
        {
            let data = page.try_borrow()?;
            let p: &ThreadPage = view(&data)?;
            if p.discriminator != ThreadPage::DISCRIMINATOR
                || &p.inbox != inbox.address().as_array()
                || u32::from_le_bytes(p.page) as usize != i
            {
                return Err(InboxError::PagesIncomplete.into());
            }
            if &p.payer != payer.address().as_array() {
                return Err(InboxError::Unauthorized.into());
            }
        }
        close(page, payer)?;
    }
    close(inbox, owner)?;
    Event::new(&INBOX_CLOSED).put(inbox.address().as_array()).emit();
    Ok(())
}
