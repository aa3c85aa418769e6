//! Instruction dispatch: split off the 8-byte discriminator and route to its processor.

use pinocchio::{AccountView, Address, ProgramResult};

use crate::error::InboxError;
use crate::instruction::{Instruction, DISCRIMINATOR_LEN};

/// Route one instruction. Unknown discriminators and short data are rejected with
/// [`InboxError::UnknownInstruction`] / [`InboxError::InvalidInstructionData`].
pub fn process_instruction(
    program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    let _ = (program_id, accounts);
    let (disc, _args) = data
        .split_first_chunk::<DISCRIMINATOR_LEN>()
        .ok_or(InboxError::InvalidInstructionData)?;
    let ix = Instruction::from_discriminator(disc).ok_or(InboxError::UnknownInstruction)?;
    // The instruction processors land with the protocol (issue: the inbox program); until
    // then every declared instruction is recognised and refused with a distinct code.
    match ix {
        _ => Err(InboxError::InstructionUnavailable.into()),
    }
}
