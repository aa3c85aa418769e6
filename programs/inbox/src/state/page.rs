//! ThreadPage: PDA `["thread_page", inbox, u32 page LE]` — one slot of mutable state per thread.
//!
//! Thread `t` (ids start at 1) lives in page `(t - 1) / 32`, slot `(t - 1) % 32`.

use super::{discriminator, get32, get64, Pod, U32, U64};

/// Slots per page.
pub const SLOTS_PER_PAGE: u64 = 32;

/// Escrow state of a thread.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscrowState {
    None = 0,
    /// Paid by the sender, waiting.
    Held = 1,
    /// The sender approved release to the owner.
    Released = 2,
    Claimed = 3,
    Refunded = 4,
}

/// Slot flags.
pub const SLOT_USED: u8 = 1;
pub const SLOT_ARCHIVED_FROM: u8 = 2;
pub const SLOT_ARCHIVED_TO: u8 = 4;
pub const SLOT_OWNER_REPLIED: u8 = 8;

/// One thread's mutable state (112 bytes). `to` is the inbox owner.
#[repr(C)]
pub struct ThreadSlot {
    pub from: [u8; 32],
    pub created_at: U64,
    pub updated_at: U64,
    /// Number of messages = seq of the last message.
    pub message_count: U32,
    /// Last seq read by the sender side (`from`).
    pub read_from: U32,
    /// Last seq read by the owner side (`to`).
    pub read_to: U32,
    pub flags: u8,
    pub escrow_state: u8,
    /// 0 = native SOL, 1 = SPL Token, 2 = Token-2022.
    pub escrow_token_program: u8,
    pub escrow_decimals: u8,
    pub escrow_amount: U64,
    /// Unix time from which the sender may refund an unanswered escrow.
    pub refund_at: U64,
    pub escrow_mint: [u8; 32],
}

/// The page header followed by 32 slots.
#[repr(C)]
pub struct ThreadPage {
    pub discriminator: [u8; 8],
    pub version: u8,
    pub bump: u8,
    pub _pad: [u8; 2],
    pub inbox: [u8; 32],
    pub page: U32,
    /// Number of slots in use.
    pub used: U32,
    /// Who paid the page's rent (gets it back when an Ephemeral inbox closes).
    pub payer: [u8; 32],
    pub slots: [ThreadSlot; SLOTS_PER_PAGE as usize],
}

// SAFETY: repr(C), only u8 arrays: alignment 1, every bit pattern valid.
unsafe impl Pod for ThreadSlot {}
// SAFETY: as above.
unsafe impl Pod for ThreadPage {}

impl ThreadSlot {
    pub fn used(&self) -> bool {
        self.flags & SLOT_USED != 0
    }
    pub fn message_count(&self) -> u32 {
        get32(&self.message_count)
    }
    pub fn escrow_amount(&self) -> u64 {
        get64(&self.escrow_amount)
    }
    pub fn escrow_state(&self) -> u8 {
        self.escrow_state
    }
}

impl ThreadPage {
    pub const VERSION: u8 = 1;
    pub const DISCRIMINATOR: [u8; 8] = discriminator::THREAD_PAGE;
    pub const LEN: usize = core::mem::size_of::<ThreadPage>();

    /// Page index and slot of a thread id (`id >= 1`).
    #[inline(always)]
    pub fn locate(thread_id: u64) -> (u32, usize) {
        let i = thread_id - 1;
        ((i / SLOTS_PER_PAGE) as u32, (i % SLOTS_PER_PAGE) as usize)
    }
}

const _: () = assert!(core::mem::size_of::<ThreadSlot>() == 112);
const _: () = assert!(ThreadPage::LEN == 84 + 32 * 112);
