//! Anchor-format events: `sol_log_data` of one field, `sha256("event:<Name>")[..8]` ‖ Borsh body.
//! They record state changes that produce no compressed record (read marks, archive, escrow
//! moves, blocks) so an indexer and anchorpy can follow them.

use pinocchio::syscalls::sol_log_data;

pub const INBOX_CREATED: [u8; 8] = [115, 35, 133, 221, 178, 156, 141, 254];
pub const INBOX_UPDATED: [u8; 8] = [63, 182, 130, 140, 20, 60, 5, 132];
pub const INBOX_CLOSED: [u8; 8] = [65, 170, 180, 163, 96, 248, 160, 25];
pub const THREAD_CREATED: [u8; 8] = [59, 69, 189, 201, 230, 112, 52, 77];
pub const MESSAGE_SENT: [u8; 8] = [116, 70, 224, 76, 128, 28, 110, 55];
pub const READ_MARKED: [u8; 8] = [199, 106, 37, 4, 183, 89, 49, 127];
pub const THREAD_ARCHIVED: [u8; 8] = [240, 19, 129, 80, 71, 239, 113, 141];
pub const SENDER_BLOCKED: [u8; 8] = [149, 109, 104, 111, 69, 68, 102, 58];
pub const SENDER_UNBLOCKED: [u8; 8] = [167, 249, 245, 200, 28, 159, 88, 17];
pub const ESCROW_APPROVED: [u8; 8] = [87, 181, 230, 68, 208, 43, 121, 31];
pub const ESCROW_CLAIMED: [u8; 8] = [32, 116, 46, 229, 165, 72, 108, 78];
pub const ESCROW_REFUNDED: [u8; 8] = [132, 209, 49, 109, 135, 138, 28, 81];

/// An event body under construction (at most 128 bytes after the discriminator).
pub struct Event {
    buf: [u8; 136],
    len: usize,
}

impl Event {
    #[inline(always)]
    pub fn new(discriminator: &[u8; 8]) -> Self {
        let mut buf = [0u8; 136];
        buf[..8].copy_from_slice(discriminator);
        Self { buf, len: 8 }
    }

    #[inline(always)]
    pub fn put(mut self, bytes: &[u8]) -> Self {
        let end = self.len + bytes.len();
        self.buf[self.len..end].copy_from_slice(bytes);
        self.len = end;
        self
    }

    #[inline(always)]
    pub fn u8(self, v: u8) -> Self {
        self.put(&[v])
    }

    #[inline(always)]
    pub fn u32(self, v: u32) -> Self {
        self.put(&v.to_le_bytes())
    }

    #[inline(always)]
    pub fn u64(self, v: u64) -> Self {
        self.put(&v.to_le_bytes())
    }

    /// Log the event.
    pub fn emit(&self) {
        let field = [self.buf.as_ptr() as u64, self.len as u64];
        // SAFETY: one {addr, len} pair describing the initialized part of `buf`.
        unsafe { sol_log_data(field.as_ptr() as *const u8, 1) };
    }
}
