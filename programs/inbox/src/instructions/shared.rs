//! Loading and checking the program's own accounts, shared by the instruction processors.

use pinocchio::AccountView;

use crate::accounts::{check_address, owned};
use crate::error::{InboxError, InboxResult};
use crate::state::page::{SLOT_USED, SLOTS_PER_PAGE};
use crate::state::{view, view_mut, Inbox, PaymentRule, ThreadPage, ThreadSlot};

/// The inbox fields an instruction needs, copied out of the account.
#[derive(Clone, Copy)]
pub struct InboxInfo {
    pub owner: [u8; 32],
    pub id: u64,
    pub kind: u8,
    pub bump: u8,
    pub thread_count: u64,
    pub expires_at: u64,
    pub open_escrows: u32,
    pub has_rule: bool,
    pub rule: PaymentRule,
}

/// Check that `account` is an Inbox of this program at its PDA and read it.
pub fn load_inbox(account: &AccountView) -> InboxResult<InboxInfo> {
    owned(account)?;
    let data = account.try_borrow()?;
    let inbox: &Inbox = view(&data)?;
    if inbox.discriminator != Inbox::DISCRIMINATOR {
        return Err(InboxError::InvalidAccountData.into());
    }
    check_address(account, &[b"inbox", &inbox.owner, &inbox.id], inbox.bump)?;
    Ok(InboxInfo {
        owner: inbox.owner,
        id: inbox.id(),
        kind: inbox.kind,
        bump: inbox.bump,
        thread_count: inbox.thread_count(),
        expires_at: inbox.expires_at(),
        open_escrows: inbox.open_escrows(),
        has_rule: inbox.has_rule(),
        rule: inbox.rule,
    })
}

/// Apply `f` to the inbox account's state.
pub fn update_inbox<R>(account: &mut AccountView, f: impl FnOnce(&mut Inbox) -> InboxResult<R>) -> InboxResult<R> {
    let mut data = account.try_borrow_mut()?;
    let inbox: &mut Inbox = view_mut(&mut data)?;
    f(inbox)
}

/// The inbox accepts new messages at `now`.
pub fn check_not_expired(info: &InboxInfo, now: u64) -> InboxResult<()> {
    if info.expires_at != 0 && now >= info.expires_at {
        return Err(InboxError::InboxExpired.into());
    }
    Ok(())
}

/// Where a thread lives: `(page index, slot index)`; ids start at 1.
pub fn locate(thread_id: u64) -> InboxResult<(u32, usize)> {
    if thread_id == 0 || thread_id > u32::MAX as u64 * SLOTS_PER_PAGE {
        return Err(InboxError::ThreadNotFound.into());
    }
    Ok(ThreadPage::locate(thread_id))
}

/// The page account is at the PDA its stored inbox, index and bump give.
pub(crate) fn check_page_address(page: &AccountView, p: &ThreadPage) -> InboxResult<()> {
    check_address(page, &[b"thread_page", &p.inbox, &p.page], p.bump)
}

/// Check that `page` is the thread page of `inbox` that holds `thread_id`; return the slot.
pub fn check_page(page: &AccountView, inbox: &AccountView, thread_id: u64) -> InboxResult<usize> {
    let (index, slot) = locate(thread_id)?;
    owned(page)?;
    let data = page.try_borrow()?;
    let p: &ThreadPage = view(&data)?;
    if p.discriminator != ThreadPage::DISCRIMINATOR {
        return Err(InboxError::InvalidAccountData.into());
    }
    if &p.inbox != inbox.address().as_array() || u32::from_le_bytes(p.page) != index {
        return Err(InboxError::InvalidPda.into());
    }
    check_address(page, &[b"thread_page", &p.inbox, &p.page], p.bump)?;
    if p.slots[slot].flags & SLOT_USED == 0 {
        return Err(InboxError::ThreadNotFound.into());
    }
    Ok(slot)
}

/// A copy of a thread's slot.
pub fn read_slot(page: &AccountView, slot: usize) -> InboxResult<ThreadSlotCopy> {
    let data = page.try_borrow()?;
    let p: &ThreadPage = view(&data)?;
    let s = &p.slots[slot];
    Ok(ThreadSlotCopy {
        from: s.from,
        message_count: s.message_count(),
        flags: s.flags,
        escrow_state: s.escrow_state,
        escrow_token_program: s.escrow_token_program,
        escrow_decimals: s.escrow_decimals,
        escrow_amount: s.escrow_amount(),
        refund_at: u64::from_le_bytes(s.refund_at),
        escrow_mint: s.escrow_mint,
    })
}

/// Apply `f` to a thread's slot.
pub fn update_slot<R>(page: &mut AccountView, slot: usize, f: impl FnOnce(&mut ThreadSlot) -> InboxResult<R>) -> InboxResult<R> {
    let mut data = page.try_borrow_mut()?;
    let p: &mut ThreadPage = view_mut(&mut data)?;
    f(&mut p.slots[slot])
}

/// The fields of a slot instructions decide on.
#[derive(Clone, Copy)]
pub struct ThreadSlotCopy {
    pub from: [u8; 32],
    pub message_count: u32,
    pub flags: u8,
    pub escrow_state: u8,
    pub escrow_token_program: u8,
    pub escrow_decimals: u8,
    pub escrow_amount: u64,
    pub refund_at: u64,
    pub escrow_mint: [u8; 32],
}

/// Which side of the thread `signer` is: 0 = sender (`from`), 1 = inbox owner (`to`).
pub fn side_of(signer: &AccountView, slot: &ThreadSlotCopy, inbox: &InboxInfo) -> InboxResult<u8> {
    let key = signer.address().as_array();
    if key == &slot.from {
        Ok(0)
    } else if key == &inbox.owner {
        Ok(1)
    } else {
        Err(InboxError::Unauthorized.into())
    }
}
