//! Program errors: Anchor-style custom codes starting at 6000.
//!
//! Each variant is returned as `ProgramError::Custom(code)`; the IDL (`idl/inbox.json`)
//! carries the same names, codes and messages, and a test keeps the two in agreement.

use pinocchio::error::ProgramError;

/// Errors of the inbox program.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxError {
    /// 6000: The instruction discriminator is not one of this program's instructions.
    UnknownInstruction = 6000,
    /// 6001: The instruction data is shorter than its layout or has trailing bytes.
    InvalidInstructionData,
    /// 6002: The instruction is declared in the interface but not available in this build.
    InstructionUnavailable,
    /// 6003: Not enough accounts were passed.
    NotEnoughAccounts,
}

impl InboxError {
    /// The numeric code (`Custom(code)`).
    pub const fn code(self) -> u32 {
        self as u32
    }
}

impl From<InboxError> for ProgramError {
    fn from(e: InboxError) -> Self {
        ProgramError::Custom(e as u32)
    }
}
