//! `create_inbox(id, kind, expires_at, payment_rule, name, uri)`
//!
//! Accounts: 0 `[signer, writable]` owner (pays rent), 1 `[writable]` inbox PDA
//! `["inbox", owner, id]`, 2 system program, 3 payment mint (optional: the program id when
//! the rule is in SOL or absent).

use pinocchio::{cpi::Seed, AccountView};

use crate::accounts::{canonical_pda, create_pda, system_program, writable, writable_signer};
use crate::args::Args;
use crate::clock::now;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, INBOX_CREATED};
use crate::instructions::rule::{read_rule_args, resolve_rule};
use crate::state::inbox::{InboxMetadata, FLAG_HAS_RULE, MAX_NAME_LEN, MAX_URI_LEN};
use crate::state::{view_mut, Inbox, InboxKind};

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [owner, inbox, system, mint, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let id = args.u64()?;
    let kind = InboxKind::from_u8(args.u8()?).ok_or(InboxError::InvalidInboxKind)?;
    let expires_at = args.u64()?;
    let rule_args = read_rule_args(&mut args)?;
    let name = args.bytes()?;
    let uri = args.bytes()?;
    args.finish()?;

    writable_signer(owner)?;
    writable(inbox)?;
    system_program(system)?;
    let now = now()?;
    if kind == InboxKind::Ephemeral {
        if !name.is_empty() || !uri.is_empty() {
            return Err(InboxError::InvalidInboxKind.into());
        }
        if expires_at != 0 && expires_at <= now {
            return Err(InboxError::InvalidExpiry.into());
        }
    } else if expires_at != 0 {
        return Err(InboxError::InvalidExpiry.into());
    }
    if name.len() > MAX_NAME_LEN || uri.len() > MAX_URI_LEN {
        return Err(InboxError::MetadataTooLong.into());
    }
    let rule = match rule_args {
        Some(r) => Some(resolve_rule(&r, mint)?),
        None => None,
    };

    let id_le = id.to_le_bytes();
    let owner_key = owner.address().as_array();
    let bump = canonical_pda(inbox, &[b"inbox", owner_key, &id_le])?;
    let bump_seed = [bump];
    let seeds = [Seed::from(b"inbox"), Seed::from(owner_key), Seed::from(&id_le), Seed::from(&bump_seed)];
    create_pda(owner, inbox, Inbox::len_for(kind), &seeds)?;

    init(inbox, &Init { owner: owner_key, id, kind, bump, now, expires_at, rule, name, uri })?;
    Event::new(&INBOX_CREATED).put(inbox.address().as_array()).put(owner_key).u64(id).u8(kind as u8).emit();
    Ok(())
}

struct Init<'a> {
    owner: &'a [u8; 32],
    id: u64,
    kind: InboxKind,
    bump: u8,
    now: u64,
    expires_at: u64,
    rule: Option<crate::state::PaymentRule>,
    name: &'a [u8],
    uri: &'a [u8],
}

fn init(inbox: &mut AccountView, i: &Init) -> InboxResult<()> {
    let mut data = inbox.try_borrow_mut()?;
    let (head, tail) = data.split_at_mut(Inbox::EPHEMERAL_LEN);
    let state: &mut Inbox = view_mut(head)?;
    state.discriminator = Inbox::DISCRIMINATOR;
    state.version = Inbox::VERSION;
    state.kind = i.kind as u8;
    state.bump = i.bump;
    state.owner = *i.owner;
    state.id = i.id.to_le_bytes();
    state.created_at = i.now.to_le_bytes();
    state.expires_at = i.expires_at.to_le_bytes();
    if let Some(rule) = i.rule {
        state.flags |= FLAG_HAS_RULE;
        state.rule = rule;
    }
    if i.kind == InboxKind::Standard {
        let meta: &mut InboxMetadata = view_mut(tail)?;
        write_metadata(meta, i.name, i.uri);
    }
    Ok(())
}

/// Store name and uri (lengths already checked).
pub fn write_metadata(meta: &mut InboxMetadata, name: &[u8], uri: &[u8]) {
    meta.name = [0; MAX_NAME_LEN];
    meta.uri = [0; MAX_URI_LEN];
    meta.name_len = name.len() as u8;
    meta.name[..name.len()].copy_from_slice(name);
    meta.uri_len = uri.len() as u8;
    meta.uri[..uri.len()].copy_from_slice(uri);
}
