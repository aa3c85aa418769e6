//! `set_payment_rule(rule: Option<PaymentRuleArgs>)` — applies to threads opened afterwards;
//! escrows already held keep their own terms.
//!
//! Accounts: 0 `[signer]` owner, 1 `[writable]` inbox, 2 payment mint (optional).

use pinocchio::{AccountView};

use crate::accounts::{signer, writable};
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::events::{Event, INBOX_UPDATED};
use crate::instructions::rule::{read_rule_args, resolve_rule};
use crate::instructions::shared::{load_inbox, update_inbox};
use crate::state::inbox::FLAG_HAS_RULE;
use crate::state::PaymentRule;

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> InboxResult<()> {
    let [owner, inbox, mint, ..] = accounts else {
        return Err(InboxError::NotEnoughAccounts.into());
    };
    let mut args = Args::new(data);
    let rule_args = read_rule_args(&mut args)?;
    args.finish()?;
    signer(owner)?;
    writable(inbox)?;
    let info = load_inbox(inbox)?;
    if owner.address().as_array() != &info.owner {
        return Err(InboxError::Unauthorized.into());
    }
    let rule = match rule_args {
        Some(r) => Some(resolve_rule(&r, mint)?),
        None => None,
    };
    update_inbox(inbox, |state| {
        match rule {
            Some(r) => {
                state.rule = r;
                state.flags |= FLAG_HAS_RULE;
            }
            None => {
                state.rule = PaymentRule {
                    mint: [0; 32],
                    amount: [0; 8],
                    escrow: 0,
                    token_program: 0,
                    decimals: 0,
                    _pad: 0,
                    refund_after_secs: [0; 8],
                };
                state.flags &= !FLAG_HAS_RULE;
            }
        }
        Ok(())
    })?;
    Event::new(&INBOX_UPDATED).put(inbox.address().as_array()).u8(1).emit();
    Ok(())
}
