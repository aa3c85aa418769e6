//! `react(thread_id, seq, reaction, added)` — a participant adds or removes a reaction to a
//! message; written as a compressed Reaction record.
//!
//! Accounts: 0 `[signer, writable]` a participant (pays the Light fees), 1 inbox, 2 thread page,
//! 3 system program, 4..10 Light accounts.

use pinocchio::{AccountView};

use crate::accounts::{system_program, writable_signer};
use crate::args::Args;
use crate::clock::now;
use crate::error::{InboxError, InboxResult};
use crate::instructions::shared::{check_page, load_inbox, read_slot, side_of};
use crate::light::{append, LightAccounts, Output};
use crate::state::records::{
    prefix, write_reaction, Reaction, Writer, KIND_REACTION, REACTION_COUNT, REACTION_DISCRIMINATOR, REACTION_LEN,
};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [member, inbox, page, system, light @ ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let thread_id = args.u64()?;
    let seq = args.u32()?;
    let reaction = args.u8()?;
    let added = args.bool()?;
    args.finish()?;
    writable_signer(member)?;
    system_program(system)?;
    let light = LightAccounts::new(light, system)?;
    let info = load_inbox(inbox)?;
    let slot_index = check_page(page, inbox, thread_id)?;
    let slot = read_slot(page, slot_index)?;
    let side = side_of(member, &slot, &info)?;
    if seq == 0 || seq > slot.message_count {
        return Err(InboxError::InvalidSequence.into());
    }
    if reaction >= REACTION_COUNT {
        return Err(InboxError::InvalidReaction.into());
    }
    let mut buf = [0u8; REACTION_LEN];
    let mut w = Writer::new(&mut buf);
    prefix(&mut w, KIND_REACTION, inbox.address().as_array(), thread_id)?;
    write_reaction(
        &mut w,
        &Reaction { seq, side, reactor: member.address().as_array(), timestamp: now()?, reaction, added },
    )?;
    append(member, &light, &[Output { discriminator: REACTION_DISCRIMINATOR, data: w.written() }])
}
