//! Instruction discriminators: `sha256("global:<name>")[..8]`, as Anchor computes them.

/// Length of an instruction discriminator.
pub const DISCRIMINATOR_LEN: usize = 8;

/// The 8-byte discriminators of every instruction.
pub mod discriminator {
    pub const CREATE_INBOX: [u8; 8] = [217, 134, 249, 100, 35, 95, 26, 130];
    pub const SET_INBOX_METADATA: [u8; 8] = [58, 11, 97, 154, 222, 38, 209, 113];
    pub const SET_PAYMENT_RULE: [u8; 8] = [176, 38, 127, 227, 235, 117, 84, 89];
    pub const CLOSE_INBOX: [u8; 8] = [243, 46, 228, 187, 142, 122, 89, 215];
    pub const CREATE_THREAD: [u8; 8] = [182, 223, 64, 3, 133, 33, 204, 26];
    pub const SEND_MESSAGE: [u8; 8] = [57, 40, 34, 178, 189, 10, 65, 26];
    pub const MARK_READ: [u8; 8] = [132, 74, 238, 252, 142, 122, 56, 71];
    pub const SET_ARCHIVED: [u8; 8] = [37, 92, 210, 142, 30, 156, 111, 212];
    pub const BLOCK_SENDER: [u8; 8] = [42, 155, 182, 60, 250, 213, 101, 90];
    pub const UNBLOCK_SENDER: [u8; 8] = [143, 108, 155, 179, 251, 171, 227, 33];
    pub const APPROVE_ESCROW: [u8; 8] = [79, 143, 76, 129, 122, 177, 12, 122];
    pub const CLAIM_ESCROW: [u8; 8] = [200, 80, 182, 159, 61, 75, 9, 205];
    pub const REFUND_ESCROW: [u8; 8] = [107, 186, 89, 99, 26, 194, 23, 204];
    pub const REACT: [u8; 8] = [30, 51, 119, 72, 84, 37, 204, 207];
}

/// Every instruction of the program, identified by its discriminator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instruction {
    CreateInbox,
    SetInboxMetadata,
    SetPaymentRule,
    CloseInbox,
    CreateThread,
    SendMessage,
    MarkRead,
    SetArchived,
    BlockSender,
    UnblockSender,
    ApproveEscrow,
    ClaimEscrow,
    RefundEscrow,
    React,
}

impl Instruction {
    /// Identify an instruction by its 8-byte discriminator.
    pub fn from_discriminator(d: &[u8; 8]) -> Option<Self> {
        use discriminator::*;
        Some(match *d {
            CREATE_INBOX => Self::CreateInbox,
            SET_INBOX_METADATA => Self::SetInboxMetadata,
            SET_PAYMENT_RULE => Self::SetPaymentRule,
            CLOSE_INBOX => Self::CloseInbox,
            CREATE_THREAD => Self::CreateThread,
            SEND_MESSAGE => Self::SendMessage,
            MARK_READ => Self::MarkRead,
            SET_ARCHIVED => Self::SetArchived,
            BLOCK_SENDER => Self::BlockSender,
            UNBLOCK_SENDER => Self::UnblockSender,
            APPROVE_ESCROW => Self::ApproveEscrow,
            CLAIM_ESCROW => Self::ClaimEscrow,
            REFUND_ESCROW => Self::RefundEscrow,
            REACT => Self::React,
            _ => return None,
        })
    }
}
