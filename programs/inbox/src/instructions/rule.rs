//! Payment rule arguments: `Option<PaymentRuleArgs { mint, amount, escrow, refund_after_secs }>`.

use pinocchio::AccountView;

use crate::accounts::is_absent;
use crate::args::Args;
use crate::error::{InboxError, InboxResult};
use crate::payment::{KIND_SOL, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};
use crate::state::PaymentRule;

/// The rule as the instruction states it.
pub struct RuleArgs {
    pub mint: [u8; 32],
    pub amount: u64,
    pub escrow: bool,
    pub refund_after_secs: u64,
}

pub fn read_rule_args(args: &mut Args) -> InboxResult<Option<RuleArgs>> {
    if !args.option()? {
        return Ok(None);
    }
    Ok(Some(RuleArgs {
        mint: args.array()?,
        amount: args.u64()?,
        escrow: args.bool()?,
        refund_after_secs: args.u64()?,
    }))
}

/// Validate a rule; token rules need their mint account (its owner gives the token program).
pub fn resolve_rule(r: &RuleArgs, mint: &AccountView) -> InboxResult<PaymentRule> {
    if r.amount == 0 || (r.escrow && r.refund_after_secs == 0) || (!r.escrow && r.refund_after_secs != 0) {
        return Err(InboxError::InvalidPaymentRule.into());
    }
    let mut rule = PaymentRule {
        mint: r.mint,
        amount: r.amount.to_le_bytes(),
        escrow: r.escrow as u8,
        token_program: KIND_SOL,
        decimals: 9,
        _pad: 0,
        refund_after_secs: r.refund_after_secs.to_le_bytes(),
    };
    if r.mint == [0; 32] {
        return Ok(rule);
    }
    if is_absent(mint) || mint.address().as_array() != &r.mint {
        return Err(InboxError::PaymentMintMismatch.into());
    }
    let owner = mint.owner();
    rule.token_program = if owner == TOKEN_PROGRAM {
        crate::payment::KIND_SPL
    } else if owner == TOKEN_2022_PROGRAM {
        crate::payment::KIND_TOKEN_2022
    } else {
        return Err(InboxError::InvalidTokenProgram.into());
    };
    let data = mint.try_borrow()?;
    if data.len() < 82 || data[45] != 1 {
        return Err(InboxError::InvalidTokenAccount.into());
    }
    rule.decimals = data[44];
    Ok(rule)
}
