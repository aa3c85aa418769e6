//! Instruction dispatch: split off the 8-byte discriminator and route to its processor.

use pinocchio::AccountView;

use crate::error::{InboxError, InboxResult};
use crate::instruction::{Instruction, DISCRIMINATOR_LEN};
use crate::instructions::*;

/// Route one instruction. Unknown discriminators and short data are rejected with
/// [`InboxError::UnknownInstruction`] / [`InboxError::InvalidInstructionData`].
pub fn process_instruction(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let (disc, args) = data.split_first_chunk::<DISCRIMINATOR_LEN>().ok_or(InboxError::InvalidInstructionData)?;
    let ix = Instruction::from_discriminator(disc).ok_or(InboxError::UnknownInstruction)?;
    match ix {
        Instruction::CreateInbox => create_inbox::process(accounts, args),
        Instruction::SetInboxMetadata => set_inbox_metadata::process(accounts, args),
        Instruction::SetPaymentRule => set_payment_rule::process(accounts, args),
        Instruction::CloseInbox => close_inbox::process(accounts, args),
        Instruction::CreateThread => create_thread::process(accounts, args),
        Instruction::SendMessage => send_message::process(accounts, args),
        Instruction::MarkRead => mark_read::process(accounts, args),
        Instruction::SetArchived => set_archived::process(accounts, args),
        Instruction::BlockSender => block_sender::process(accounts, args),
        Instruction::UnblockSender => unblock_sender::process(accounts, args),
        Instruction::ApproveEscrow => approve_escrow::process(accounts, args),
        Instruction::ClaimEscrow => claim_escrow::process(accounts, args),
        Instruction::RefundEscrow => refund_escrow::process(accounts, args),
        Instruction::React => react::process(accounts, args),
    }
}
