//! One processor per instruction; `shared`, `rule` and `escrow` hold what several use.

pub mod approve_escrow;
pub mod block_sender;
pub mod claim_escrow;
pub mod close_inbox;
pub mod create_inbox;
pub mod create_thread;
pub mod mark_read;
pub mod react;
pub mod refund_escrow;
pub mod send_message;
pub mod set_archived;
pub mod set_inbox_metadata;
pub mod set_payment_rule;
pub mod unblock_sender;

pub(crate) mod escrow;
pub(crate) mod rule;
pub(crate) mod shared;
