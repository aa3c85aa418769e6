//! `claim_escrow(thread_id)` — the owner takes a thread's escrow once the sender released it or
//! the owner replied.
//!
//! Accounts: 0 `[signer, writable]` owner, 1 `[writable]` inbox, 2 `[writable]` thread page,
//! 3 mint (optional), 4 `[writable]` inbox vault token account (optional), 5 `[writable]` owner's
//! token account (optional), 6 token program (optional).

use pinocchio::{AccountView};

use crate::accounts::{writable, writable_signer};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, ESCROW_CLAIMED};
use crate::instructions::escrow::{pay_out, Payout};
use crate::instructions::shared::{check_page, load_inbox, read_slot};
use crate::state::page::SLOT_OWNER_REPLIED;
use crate::state::EscrowState;

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [owner, inbox, page, mint, vault, owner_token, token_program, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let thread_id = args.u64()?;
    args.finish()?;
    writable_signer(owner)?;
    writable(inbox)?;
    writable(page)?;
    let info = load_inbox(inbox)?;
    if owner.address().as_array() != &info.owner {
        return Err(InboxError::Unauthorized.into());
    }
    let slot_index = check_page(page, inbox, thread_id)?;
    let slot = read_slot(page, slot_index)?;
    let state = slot.escrow_state;
    if state != EscrowState::Held as u8 && state != EscrowState::Released as u8 {
        return Err(InboxError::EscrowNotHeld.into());
    }
    if state != EscrowState::Released as u8 && slot.flags & SLOT_OWNER_REPLIED == 0 {
        return Err(InboxError::EscrowNotClaimable.into());
    }
    let recipient = info.owner;
    pay_out(
        Payout {
            inbox,
            page,
            slot_index,
            wallet: owner,
            mint,
            vault,
            token_account: owner_token,
            token_program,
            recipient: &recipient,
            final_state: EscrowState::Claimed as u8,
        },
        &info,
        &slot,
    )?;
    Event::new(&ESCROW_CLAIMED)
        .put(inbox.address().as_array())
        .u64(thread_id)
        .u64(slot.escrow_amount)
        .put(&slot.escrow_mint)
        .emit();
    Ok(())
}
