//! Cross-program invocation without `ProgramResult` returns (see `error::Error`).

use core::mem::MaybeUninit;

use pinocchio::{
    cpi::{invoke_signed_unchecked, CpiAccount, Signer},
    instruction::InstructionView,
    AccountView,
};

use crate::error::{InboxError, InboxResult};

/// The most accounts any of our CPIs passes.
const MAX_CPI_ACCOUNTS: usize = 8;

/// Invoke `ix` with `accounts` (in the instruction's account order), signing with `signers`.
///
/// A failing callee aborts the whole transaction, so there is no error to return from the
/// call itself; the checks here are the ones the runtime would otherwise fail on.
pub fn invoke(ix: &InstructionView, accounts: &[&AccountView], signers: &[Signer]) -> InboxResult<()> {
    if accounts.len() > MAX_CPI_ACCOUNTS || accounts.len() != ix.accounts.len() {
        return Err(InboxError::NotEnoughAccounts.into());
    }
    let mut cpi = [const { MaybeUninit::<CpiAccount>::uninit() }; MAX_CPI_ACCOUNTS];
    for (slot, account) in cpi.iter_mut().zip(accounts) {
        if account.is_borrowed() {
            return Err(pinocchio::error::ProgramError::AccountBorrowFailed.into());
        }
        CpiAccount::init_from_account_view(account, slot);
    }
    // SAFETY: the first `accounts.len()` entries were initialized above, none of the accounts
    // is borrowed, and `ix` describes exactly these accounts.
    unsafe {
        let initialized = core::slice::from_raw_parts(cpi.as_ptr() as *const CpiAccount, accounts.len());
        invoke_signed_unchecked(ix, initialized, signers);
    }
    Ok(())
}
