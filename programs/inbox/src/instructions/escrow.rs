//! Escrow moves shared by `claim_escrow` and `refund_escrow`: pay a thread's escrow out of its
//! page (SOL) or out of the inbox vault (tokens, signed by the inbox PDA), then settle the slot.

use pinocchio::{
    cpi::{Seed, Signer},
    AccountView,
};

use crate::error::{InboxError, InboxResult};
use crate::instructions::shared::{update_inbox, update_slot, InboxInfo, ThreadSlotCopy};
use crate::payment::{check_token_account, debit_program_account, token_kind, transfer_checked, TokenTransfer, KIND_SOL};

/// Where the escrow goes.
pub struct Payout<'a> {
    pub inbox: &'a mut AccountView,
    pub page: &'a mut AccountView,
    pub slot_index: usize,
    /// SOL: the receiving wallet; tokens: unused.
    pub wallet: &'a mut AccountView,
    pub mint: &'a AccountView,
    pub vault: &'a AccountView,
    pub token_account: &'a AccountView,
    pub token_program: &'a AccountView,
    /// The owner the receiving token account must have.
    pub recipient: &'a [u8; 32],
    /// The slot's final escrow state.
    pub final_state: u8,
}

pub fn pay_out(p: Payout, info: &InboxInfo, slot: &ThreadSlotCopy) -> InboxResult<()> {
    let amount = slot.escrow_amount;
    if slot.escrow_token_program == KIND_SOL {
        if !p.wallet.is_writable() || p.wallet.address().as_array() != p.recipient {
            return Err(InboxError::Unauthorized.into());
        }
        debit_program_account(p.page, p.wallet, amount)?;
    } else {
        token_payout(&p, info, slot)?;
    }
    update_slot(p.page, p.slot_index, |s| {
        s.escrow_state = p.final_state;
        Ok(())
    })?;
    update_inbox(p.inbox, |state| {
        let open = state.open_escrows().checked_sub(1).ok_or(InboxError::ArithmeticOverflow)?;
        state.set_open_escrows(open);
        Ok(())
    })
}

fn token_payout(p: &Payout, info: &InboxInfo, slot: &ThreadSlotCopy) -> InboxResult<()> {
    if token_kind(p.token_program)? != slot.escrow_token_program {
        return Err(InboxError::InvalidTokenProgram.into());
    }
    if p.mint.address().as_array() != &slot.escrow_mint {
        return Err(InboxError::PaymentMintMismatch.into());
    }
    check_token_account(p.token_account, p.token_program, p.mint.address(), p.recipient)?;
    check_token_account(p.vault, p.token_program, p.mint.address(), p.inbox.address().as_array())?;
    let id_le = info.id.to_le_bytes();
    let bump = [info.bump];
    let seeds = [Seed::from(b"inbox"), Seed::from(&info.owner), Seed::from(&id_le), Seed::from(&bump)];
    transfer_checked(
        &TokenTransfer {
            program: p.token_program,
            source: p.vault,
            mint: p.mint,
            destination: p.token_account,
            authority: p.inbox,
            amount: slot.escrow_amount,
            decimals: slot.escrow_decimals,
        },
        &[Signer::from(&seeds)],
    )
}
