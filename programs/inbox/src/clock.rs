//! The current unix time from the Clock sysvar.

use pinocchio::sysvars::{clock::Clock, Sysvar};

use crate::error::InboxResult;

/// Unix timestamp in seconds (negative clocks read as 0).
#[inline(always)]
pub fn now() -> InboxResult<u64> {
    let clock = Clock::get()?;
    Ok(if clock.unix_timestamp < 0 { 0 } else { clock.unix_timestamp as u64 })
}
