//! Account layouts. Regular accounts are zero-copy views with alignment 1 (every multi-byte
//! integer is a little-endian `[u8; N]`), so they can be read in place from account data.
//! Compressed records are plain byte layouts written into the Light CPI.

pub mod block;
pub mod inbox;
pub mod page;
pub mod records;

pub use block::BlockMarker;
pub use inbox::{Inbox, InboxKind, PaymentRule};
pub use page::{EscrowState, ThreadPage, ThreadSlot, SLOTS_PER_PAGE};

use crate::error::{InboxError, InboxResult};

/// A type that can be viewed in place over account data.
///
/// # Safety
/// Implementors must be `#[repr(C)]`, have alignment 1 and accept every bit pattern.
pub unsafe trait Pod: Sized {
    /// Size in bytes.
    const LEN: usize = core::mem::size_of::<Self>();
}

/// View the start of `data` as `T`.
#[inline(always)]
pub fn view<T: Pod>(data: &[u8]) -> InboxResult<&T> {
    const { assert!(core::mem::align_of::<T>() == 1) };
    if data.len() < T::LEN {
        return Err(InboxError::InvalidAccountData.into());
    }
    // SAFETY: `T` is Pod (alignment 1, any bit pattern valid) and `data` holds at least LEN bytes.
    Ok(unsafe { &*(data.as_ptr() as *const T) })
}

/// View the start of `data` as a mutable `T`.
#[inline(always)]
pub fn view_mut<T: Pod>(data: &mut [u8]) -> InboxResult<&mut T> {
    const { assert!(core::mem::align_of::<T>() == 1) };
    if data.len() < T::LEN {
        return Err(InboxError::InvalidAccountData.into());
    }
    // SAFETY: as in `view`; the exclusive borrow of `data` makes the mutable view unique.
    Ok(unsafe { &mut *(data.as_mut_ptr() as *mut T) })
}

/// Little-endian u64 stored as bytes.
pub type U64 = [u8; 8];
/// Little-endian u32 stored as bytes.
pub type U32 = [u8; 4];

#[inline(always)]
pub fn get64(v: &U64) -> u64 {
    u64::from_le_bytes(*v)
}

#[inline(always)]
pub fn get32(v: &U32) -> u32 {
    u32::from_le_bytes(*v)
}

/// Anchor account discriminators: `sha256("account:<Name>")[..8]`.
pub mod discriminator {
    pub const INBOX: [u8; 8] = [41, 120, 76, 139, 162, 162, 166, 244];
    pub const THREAD_PAGE: [u8; 8] = [48, 191, 111, 45, 14, 184, 235, 102];
    pub const BLOCK_MARKER: [u8; 8] = [162, 246, 101, 139, 62, 170, 249, 37];
}
