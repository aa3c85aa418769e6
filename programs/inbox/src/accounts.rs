//! Account checks shared by every instruction, and PDA creation.

use pinocchio::{
    cpi::{Seed, Signer},
    syscalls::{sol_curve_validate_point, sol_sha256},
    AccountView, Address,
};
use pinocchio_system::instructions::{Allocate, Assign, CreateAccount, Transfer};

use crate::error::{InboxError, InboxResult};
use crate::ID;

/// The system program id.
pub const SYSTEM_PROGRAM_ID: Address = Address::new_from_array([0; 32]);

#[inline(always)]
pub fn signer(a: &AccountView) -> InboxResult<()> {
    if a.is_signer() {
        Ok(())
    } else {
        Err(InboxError::MissingSigner.into())
    }
}

#[inline(always)]
pub fn writable(a: &AccountView) -> InboxResult<()> {
    if a.is_writable() {
        Ok(())
    } else {
        Err(InboxError::AccountNotWritable.into())
    }
}

#[inline(always)]
pub fn writable_signer(a: &AccountView) -> InboxResult<()> {
    signer(a)?;
    writable(a)
}

/// The account is owned by this program.
#[inline(always)]
pub fn owned(a: &AccountView) -> InboxResult<()> {
    if a.owned_by(&ID) {
        Ok(())
    } else {
        Err(InboxError::InvalidAccountOwner.into())
    }
}

#[inline(always)]
pub fn key_is(a: &AccountView, expected: &Address, err: InboxError) -> InboxResult<()> {
    if a.address() == expected {
        Ok(())
    } else {
        Err(err.into())
    }
}

/// The system program account.
#[inline(always)]
pub fn system_program(a: &AccountView) -> InboxResult<()> {
    key_is(a, &SYSTEM_PROGRAM_ID, InboxError::InvalidAccountData)
}

/// An optional account is "absent" when the program's own id is passed in its place
/// (Anchor's convention for `Option<Account>`).
#[inline(always)]
pub fn is_absent(a: &AccountView) -> bool {
    a.address() == &ID
}

/// Find the canonical bump of a PDA (3 seeds) and check that `account` is that address.
///
/// The same search as `find_program_address` — the highest bump whose address is off the
/// ed25519 curve — but with the `sol_sha256` and `sol_curve_validate_point` syscalls
/// (~300 CU per bump tried) instead of `sol_try_find_program_address` (1,500 CU per bump).
pub fn canonical_pda(account: &AccountView, seeds: &[&[u8]; 3]) -> InboxResult<u8> {
    let mut bump = 255u8;
    loop {
        let address = pda_hash(seeds, bump);
        let mut ignored = 0u8;
        // SAFETY: `address` is 32 readable bytes; the result byte is writable. Curve 0 is
        // edwards25519; the syscall returns 0 when the bytes are a valid point (on the curve).
        let on_curve = unsafe { sol_curve_validate_point(0, address.as_ptr(), &mut ignored) } == 0;
        if !on_curve {
            if account.address().as_array() != &address {
                return Err(InboxError::InvalidPda.into());
            }
            return Ok(bump);
        }
        if bump == 0 {
            return Err(InboxError::InvalidPda.into());
        }
        bump -= 1;
    }
}

/// `sha256(seeds ‖ bump ‖ program id ‖ "ProgramDerivedAddress")`: the address a PDA would have.
pub fn pda_hash(seeds: &[&[u8]; 3], bump: u8) -> [u8; 32] {
    const MARKER: &[u8] = b"ProgramDerivedAddress";
    let bump = [bump];
    let parts: [&[u8]; 6] = [seeds[0], seeds[1], seeds[2], &bump, ID.as_array(), MARKER];
    let mut slices = [0u64; 12];
    for (i, part) in parts.iter().enumerate() {
        slices[2 * i] = part.as_ptr() as u64;
        slices[2 * i + 1] = part.len() as u64;
    }
    let mut address = [0u8; 32];
    // SAFETY: `slices` holds six {addr, len} pairs of live slices; `address` has 32 bytes.
    unsafe { sol_sha256(slices.as_ptr() as *const u8, 6, address.as_mut_ptr()) };
    address
}

/// `account` is the PDA of `seeds` with `bump` — the bump the program stored when it created the
/// account at its canonical address, so no curve check is needed (one sha256, ~150 CU).
#[inline(always)]
pub fn check_address(account: &AccountView, seeds: &[&[u8]; 3], bump: u8) -> InboxResult<()> {
    if &pda_hash(seeds, bump) != account.address().as_array() {
        return Err(InboxError::InvalidPda.into());
    }
    Ok(())
}

/// Create a program-owned PDA of `space` bytes funded by `payer` (rent-exempt).
///
/// Works even if someone already sent lamports to the address (griefing): then the missing
/// lamports are transferred and the account is allocated and assigned instead.
pub fn create_pda(payer: &AccountView, account: &AccountView, space: usize, seeds: &[Seed]) -> InboxResult<()> {
    let rent = crate::rent::minimum_balance(space)?;
    let signer = [Signer::from(seeds)];
    let current = account.lamports();
    if current == 0 {
        CreateAccount { from: payer, to: account, lamports: rent, space: space as u64, owner: &ID }
            .invoke_signed(&signer)?;
        return Ok(());
    }
    if !account.owned_by(&SYSTEM_PROGRAM_ID) || !account.is_data_empty() {
        return Err(InboxError::AccountAlreadyInitialized.into());
    }
    if current < rent {
        Transfer { from: payer, to: account, lamports: rent - current }.invoke()?;
    }
    Allocate { account, space: space as u64 }.invoke_signed(&signer)?;
    Assign { account, owner: &ID }.invoke_signed(&signer)?;
    Ok(())
}

/// Close a program-owned account: move all its lamports to `to` and release its data.
pub fn close(account: &mut AccountView, to: &mut AccountView) -> InboxResult<()> {
    let lamports = account.lamports();
    let total = to.lamports().checked_add(lamports).ok_or(InboxError::ArithmeticOverflow)?;
    to.set_lamports(total);
    account.set_lamports(0);
    if account.is_borrowed() {
        return Err(pinocchio::error::ProgramError::AccountBorrowFailed.into());
    }
    // SAFETY: the account is not borrowed; this zeroes its owner, lamports and data length,
    // which the runtime reads as a closed (system-owned, empty) account.
    unsafe { account.close_unchecked() };
    Ok(())
}
