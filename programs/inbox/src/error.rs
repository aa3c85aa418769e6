//! Program errors: Anchor-style custom codes starting at 6000.
//!
//! Each variant is returned as `ProgramError::Custom(code)`. The IDL (`idl/inbox.json`) carries
//! the same names, codes and messages (the doc comment of each variant is its message), and a
//! test keeps the two in agreement.

use core::num::NonZeroU64;

use pinocchio::error::ProgramError;

/// Errors of the inbox program.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxError {
    /// 6000: The instruction discriminator is not one of this program's instructions.
    UnknownInstruction = 6000,
    /// 6001: The instruction data is shorter than its layout or has trailing bytes.
    InvalidInstructionData,
    /// 6002: Not enough accounts were passed.
    NotEnoughAccounts,
    /// 6003: A required signature is missing.
    MissingSigner,
    /// 6004: An account that must be writable is not.
    AccountNotWritable,
    /// 6005: An account is owned by the wrong program.
    InvalidAccountOwner,
    /// 6006: An account is not the program address derived from its seeds.
    InvalidPda,
    /// 6007: An account does not hold the expected account type.
    InvalidAccountData,
    /// 6008: The account already exists.
    AccountAlreadyInitialized,
    /// 6009: The signer is not allowed to do this.
    Unauthorized,
    /// 6010: The inbox kind does not allow this.
    InvalidInboxKind,
    /// 6011: The inbox has expired.
    InboxExpired,
    /// 6012: A metadata field is too long.
    MetadataTooLong,
    /// 6013: The payment rule is invalid.
    InvalidPaymentRule,
    /// 6014: The payment mint does not match.
    PaymentMintMismatch,
    /// 6015: A token account does not belong to the expected owner or mint.
    InvalidTokenAccount,
    /// 6016: The token program is not SPL Token or Token-2022.
    InvalidTokenProgram,
    /// 6017: The sender is blocked by this inbox.
    SenderBlocked,
    /// 6018: The expected thread id is not the next thread id.
    ThreadIdMismatch,
    /// 6019: The thread does not exist.
    ThreadNotFound,
    /// 6020: The message type is invalid.
    InvalidMessageType,
    /// 6021: The message content is too long.
    ContentTooLong,
    /// 6022: The sequence number is outside the thread.
    InvalidSequence,
    /// 6023: The thread holds no escrow in this state.
    EscrowNotHeld,
    /// 6024: The escrow is neither released by the sender nor answered by the owner.
    EscrowNotClaimable,
    /// 6025: The escrow refund deadline has not passed.
    RefundTooEarly,
    /// 6026: The owner replied, so the escrow cannot be refunded.
    OwnerReplied,
    /// 6027: The inbox still holds escrow.
    EscrowOutstanding,
    /// 6028: Arithmetic overflow.
    ArithmeticOverflow,
    /// 6029: A Light Protocol account is not the expected one.
    InvalidLightAccount,
    /// 6030: The output tree is not a Light state tree or output queue.
    InvalidOutputTree,
    /// 6031: The reaction is not in the supported set.
    InvalidReaction,
    /// 6032: Not every thread page of the inbox was passed.
    PagesIncomplete,
    /// 6033: The inbox cannot take more threads.
    InboxFull,
    /// 6034: An inbox owner cannot open a thread in their own inbox.
    SelfThread,
    /// 6035: The expiry time is invalid.
    InvalidExpiry,
    /// 6036: The payment is below the inbox's rule.
    PaymentTooLow,
}

impl From<InboxError> for ProgramError {
    #[inline(always)]
    fn from(e: InboxError) -> Self {
        ProgramError::Custom(e as u32)
    }
}

/// A program error as the runtime encodes it (`Custom(n)` = `n`, builtins `= k << 32`).
///
/// `Result<(), Error>` is a single 64-bit scalar (0 = Ok) thanks to the `NonZeroU64` niche.
/// Upstream BPF cannot return small aggregates, which `Result<(), ProgramError>` is
/// (`docs/toolchain.md`), so every non-inlined function of the program returns this type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Error(NonZeroU64);

impl Error {
    /// The value the entrypoint returns to the runtime.
    #[inline(always)]
    pub fn code(self) -> u64 {
        self.0.get()
    }
}

impl From<InboxError> for Error {
    #[inline(always)]
    fn from(e: InboxError) -> Self {
        // SAFETY: every InboxError code is at least 6000.
        Error(unsafe { NonZeroU64::new_unchecked(e as u64) })
    }
}

impl From<ProgramError> for Error {
    #[inline(always)]
    fn from(e: ProgramError) -> Self {
        let code: u64 = e.into();
        // Custom(0) encodes as 1 << 32 (CUSTOM_ZERO); no ProgramError encodes as 0 except
        // success, which is never an error value. Fall back to Custom(u32::MAX) defensively.
        Error(NonZeroU64::new(code).unwrap_or(NonZeroU64::MAX))
    }
}

/// Result type of every function of the program.
pub type InboxResult<T> = Result<T, Error>;

/// `a * b`, or `ArithmeticOverflow`. `u64::checked_mul` (and the `b > MAX / a` idiom, which
/// LLVM rewrites into it) lowers to a 128-bit multiply, `__multi3`, which upstream BPF has no
/// library for; so the product is assembled from 32-bit halves.
#[inline(always)]
pub fn mul(a: u64, b: u64) -> InboxResult<u64> {
    let (ah, al) = (a >> 32, a & 0xFFFF_FFFF);
    let (bh, bl) = (b >> 32, b & 0xFFFF_FFFF);
    if ah != 0 && bh != 0 {
        return Err(InboxError::ArithmeticOverflow.into());
    }
    // At most one of the cross terms is non-zero, and it is below 2^64.
    let cross = ah * bl + al * bh;
    if cross >> 32 != 0 {
        return Err(InboxError::ArithmeticOverflow.into());
    }
    (cross << 32).checked_add(al * bl).ok_or(InboxError::ArithmeticOverflow.into())
}
