//! solinbox on-chain program.
//!
//! Inboxes and their thread-directory pages are regular PDAs (mutable state); thread
//! headers, messages and reactions are append-only Light Protocol compressed accounts
//! written by CPI into the Light system program. See `docs/protocol.md`.
//!
//! Layout (after SPL p-token): `entrypoint` parses the input, `processor` dispatches on the
//! 8-byte Anchor discriminator, `instruction` holds the discriminators, `error` the error
//! enum (codes from 6000).
#![no_std]

pub mod accounts;
pub mod args;
pub mod clock;
pub mod cpi;
pub mod error;
pub mod events;
pub mod instruction;
pub mod instructions;
pub mod light;
pub mod payment;
pub mod processor;
pub mod rent;
pub mod state;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod entrypoint;

use pinocchio::Address;

/// The program id on localnet (`Anchor.toml`); its keypair is `programs/inbox/keys/`.
pub const ID: Address = Address::from_str_const("iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei");
