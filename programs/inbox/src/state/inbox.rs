//! The Inbox account: PDA `["inbox", owner, u64 id LE]`.

use super::{discriminator, get64, Pod, U64};

/// Inbox kind.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxKind {
    /// Permanent, may carry metadata.
    Standard = 0,
    /// Lightweight: no metadata, optional expiry, closable by its owner.
    Ephemeral = 1,
}

impl InboxKind {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::Standard),
            1 => Some(Self::Ephemeral),
            _ => None,
        }
    }
}

/// Maximum metadata name length in bytes.
pub const MAX_NAME_LEN: usize = 32;
/// Maximum metadata uri length in bytes.
pub const MAX_URI_LEN: usize = 200;
/// Ephemeral inboxes hold at most this many threads (8 pages), so `close_inbox` fits one tx.
pub const MAX_EPHEMERAL_THREADS: u64 = 256;

/// The payment rule: what opening a thread costs. `mint == [0; 32]` means native SOL.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PaymentRule {
    pub mint: [u8; 32],
    pub amount: U64,
    /// 0 = paid directly to the owner, 1 = held in escrow per thread.
    pub escrow: u8,
    /// 0 = native SOL, 1 = SPL Token, 2 = Token-2022.
    pub token_program: u8,
    pub decimals: u8,
    pub _pad: u8,
    pub refund_after_secs: U64,
}

/// Inbox flags.
pub const FLAG_HAS_RULE: u8 = 1;

/// The inbox account (alignment 1). Standard inboxes append the metadata block.
#[repr(C)]
pub struct Inbox {
    pub discriminator: [u8; 8],
    pub version: u8,
    pub kind: u8,
    pub bump: u8,
    pub flags: u8,
    pub owner: [u8; 32],
    pub id: U64,
    /// Threads created so far; the next thread id is `thread_count + 1`.
    pub thread_count: U64,
    pub created_at: U64,
    /// Unix time after which the inbox takes no new messages (0 = never; Ephemeral only).
    pub expires_at: U64,
    /// Threads whose escrow is held or released but not yet claimed or refunded.
    pub open_escrows: [u8; 4],
    pub rule: PaymentRule,
}

/// The metadata block that follows a Standard inbox.
#[repr(C)]
pub struct InboxMetadata {
    pub name_len: u8,
    pub name: [u8; MAX_NAME_LEN],
    pub uri_len: u8,
    pub uri: [u8; MAX_URI_LEN],
}

// SAFETY: repr(C), only u8 arrays: alignment 1, every bit pattern valid.
unsafe impl Pod for Inbox {}
// SAFETY: as above.
unsafe impl Pod for InboxMetadata {}
// SAFETY: as above.
unsafe impl Pod for PaymentRule {}

impl Inbox {
    pub const VERSION: u8 = 1;
    pub const DISCRIMINATOR: [u8; 8] = discriminator::INBOX;
    /// Size of an Ephemeral inbox (no metadata).
    pub const EPHEMERAL_LEN: usize = core::mem::size_of::<Inbox>();
    /// Size of a Standard inbox.
    pub const STANDARD_LEN: usize = Self::EPHEMERAL_LEN + core::mem::size_of::<InboxMetadata>();

    pub fn len_for(kind: InboxKind) -> usize {
        match kind {
            InboxKind::Standard => Self::STANDARD_LEN,
            InboxKind::Ephemeral => Self::EPHEMERAL_LEN,
        }
    }

    pub fn has_rule(&self) -> bool {
        self.flags & FLAG_HAS_RULE != 0
    }

    pub fn thread_count(&self) -> u64 {
        get64(&self.thread_count)
    }

    pub fn id(&self) -> u64 {
        get64(&self.id)
    }

    pub fn expires_at(&self) -> u64 {
        get64(&self.expires_at)
    }

    pub fn open_escrows(&self) -> u32 {
        u32::from_le_bytes(self.open_escrows)
    }

    pub fn set_open_escrows(&mut self, v: u32) {
        self.open_escrows = v.to_le_bytes();
    }
}

const _: () = assert!(Inbox::EPHEMERAL_LEN == 132);
const _: () = assert!(Inbox::STANDARD_LEN == 366);
