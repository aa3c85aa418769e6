//! The runtime's entry: parse the serialized input (classic v1 layout) and dispatch.
//!
//! No heap allocator: every instruction works on the stack and in account data.
//! The panic handler logs the location and aborts; it never formats.

use pinocchio::{no_allocator, nostd_panic_handler, program_entrypoint};

use crate::processor::process_instruction;

program_entrypoint!(process_instruction);
no_allocator!();
nostd_panic_handler!();
