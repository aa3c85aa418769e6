//! Rent exemption from the Rent sysvar, in integer arithmetic (no floats on upstream BPF).

use pinocchio::{sysvars::rent::RENT_ID, syscalls::sol_get_sysvar};

use crate::error::{mul, InboxError, InboxResult};

const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;
/// f64 bit patterns of the exemption thresholds the runtime has used.
const THRESHOLD_ONE: u64 = 0x3FF0_0000_0000_0000; // 1.0: lamports_per_byte already includes it
const THRESHOLD_TWO: u64 = 0x4000_0000_0000_0000; // 2.0: lamports_per_byte_year × 2 years

/// Minimum balance for a rent-exempt account of `space` bytes.
pub fn minimum_balance(space: usize) -> InboxResult<u64> {
    let mut raw = [0u64; 2];
    // SAFETY: reads 16 bytes of the Rent sysvar into `raw`, which holds 16 bytes.
    let rc = unsafe { sol_get_sysvar(RENT_ID.as_array().as_ptr(), raw.as_mut_ptr() as *mut u8, 0, 16) };
    if rc != 0 {
        return Err(InboxError::InvalidAccountData.into());
    }
    let years = match raw[1] {
        THRESHOLD_ONE => 1,
        THRESHOLD_TWO => 2,
        _ => return Err(InboxError::ArithmeticOverflow.into()),
    };
    mul(mul(ACCOUNT_STORAGE_OVERHEAD + space as u64, raw[0])?, years)
}
