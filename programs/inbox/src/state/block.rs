//! BlockMarker: PDA `["block", inbox, sender]`. Its existence blocks `sender` from opening
//! threads in `inbox`.

use super::{discriminator, Pod};

#[repr(C)]
pub struct BlockMarker {
    pub discriminator: [u8; 8],
    pub bump: u8,
    pub inbox: [u8; 32],
    pub sender: [u8; 32],
}

// SAFETY: repr(C), only u8 arrays: alignment 1, every bit pattern valid.
unsafe impl Pod for BlockMarker {}

impl BlockMarker {
    pub const DISCRIMINATOR: [u8; 8] = discriminator::BLOCK_MARKER;
    pub const LEN: usize = core::mem::size_of::<BlockMarker>();
}
