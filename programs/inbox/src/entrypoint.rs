//! The runtime's entry: parse the serialized input (classic v1 layout) and dispatch.
//!
//! No heap allocator: every instruction works on the stack and in account data.
//! The panic handler logs the location and aborts; it never formats.

use core::mem::MaybeUninit;

use pinocchio::{entrypoint::deserialize, no_allocator, nostd_panic_handler, AccountView};

use crate::processor::process_instruction;

/// The most accounts an instruction of this program takes (close_inbox: 2 + 2 × 8 pages).
const MAX_ACCOUNTS: usize = 24;

/// Program entrypoint.
///
/// # Safety
/// Called by the runtime with the serialized program input.
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    let mut accounts = [const { MaybeUninit::<AccountView>::uninit() }; MAX_ACCOUNTS];
    // SAFETY: `input` is the loader's serialized input; at most MAX_ACCOUNTS views are written.
    let (_program_id, count, data) = unsafe { deserialize::<MAX_ACCOUNTS>(input, &mut accounts) };
    // SAFETY: `deserialize` initialized the first `count` views.
    let accounts = unsafe { core::slice::from_raw_parts_mut(accounts.as_mut_ptr() as *mut AccountView, count) };
    match process_instruction(accounts, data) {
        Ok(()) => 0,
        Err(e) => e.code(),
    }
}

no_allocator!();
nostd_panic_handler!();
