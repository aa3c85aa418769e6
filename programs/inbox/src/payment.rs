//! Payments: native SOL through the system program, SPL Token / Token-2022 through
//! `transfer_checked`, and the escrow bookkeeping helpers.

use pinocchio::{
    cpi::Signer,
    instruction::{InstructionAccount, InstructionView},
    AccountView, Address,
};
use pinocchio_system::instructions::Transfer;

use crate::error::{InboxError, InboxResult};

pub const TOKEN_PROGRAM: Address = Address::from_str_const("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
pub const TOKEN_2022_PROGRAM: Address = Address::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// Token program kinds as stored in accounts and records.
pub const KIND_SOL: u8 = 0;
pub const KIND_SPL: u8 = 1;
pub const KIND_TOKEN_2022: u8 = 2;

/// Which token program an account is (1 SPL Token, 2 Token-2022).
pub fn token_kind(program: &AccountView) -> InboxResult<u8> {
    if program.address() == &TOKEN_PROGRAM {
        Ok(KIND_SPL)
    } else if program.address() == &TOKEN_2022_PROGRAM {
        Ok(KIND_TOKEN_2022)
    } else {
        Err(InboxError::InvalidTokenProgram.into())
    }
}

/// Decimals of an initialized mint owned by `program`.
pub fn mint_decimals(mint: &AccountView, program: &AccountView) -> InboxResult<u8> {
    if !mint.owned_by(program.address()) {
        return Err(InboxError::InvalidTokenAccount.into());
    }
    let data = mint.try_borrow()?;
    // Mint: mint_authority COption (36), supply u64, decimals u8 @44, is_initialized @45.
    if data.len() < 82 || data[45] != 1 {
        return Err(InboxError::InvalidTokenAccount.into());
    }
    Ok(data[44])
}

/// The token account holds `mint` and belongs to `owner` (and is initialized, not frozen).
pub fn check_token_account(account: &AccountView, program: &AccountView, mint: &Address, owner: &[u8; 32]) -> InboxResult<()> {
    if !account.owned_by(program.address()) {
        return Err(InboxError::InvalidTokenAccount.into());
    }
    let data = account.try_borrow()?;
    // Account: mint @0, owner @32, amount @64, ..., state @108 (1 = initialized).
    if data.len() < 165 || &data[0..32] != mint.as_array() || &data[32..64] != owner || data[108] != 1 {
        return Err(InboxError::InvalidTokenAccount.into());
    }
    Ok(())
}

/// Move lamports with the system program (`from` signs).
#[inline(always)]
pub fn transfer_sol(from: &AccountView, to: &AccountView, lamports: u64) -> InboxResult<()> {
    Ok(Transfer { from, to, lamports }.invoke()?)
}

/// A token transfer.
pub struct TokenTransfer<'a> {
    pub program: &'a AccountView,
    pub source: &'a AccountView,
    pub mint: &'a AccountView,
    pub destination: &'a AccountView,
    pub authority: &'a AccountView,
    pub amount: u64,
    pub decimals: u8,
}

/// `transfer_checked` (instruction 12) on SPL Token or Token-2022, optionally PDA-signed.
pub fn transfer_checked(t: &TokenTransfer, signers: &[Signer]) -> InboxResult<()> {
    let mut data = [0u8; 10];
    data[0] = 12;
    data[1..9].copy_from_slice(&t.amount.to_le_bytes());
    data[9] = t.decimals;
    let metas = [
        InstructionAccount::writable(t.source.address()),
        InstructionAccount::readonly(t.mint.address()),
        InstructionAccount::writable(t.destination.address()),
        InstructionAccount::readonly_signer(t.authority.address()),
    ];
    let ix = InstructionView { program_id: t.program.address(), data: &data, accounts: &metas };
    crate::cpi::invoke(&ix, &[t.source, t.mint, t.destination, t.authority], signers)
}

/// Move lamports out of a program-owned account (escrow held in a thread page).
pub fn debit_program_account(from: &mut AccountView, to: &mut AccountView, lamports: u64) -> InboxResult<()> {
    let left = from.lamports().checked_sub(lamports).ok_or(InboxError::ArithmeticOverflow)?;
    let total = to.lamports().checked_add(lamports).ok_or(InboxError::ArithmeticOverflow)?;
    from.set_lamports(left);
    to.set_lamports(total);
    Ok(())
}

/// A payment from a signer, in SOL (`mint == [0; 32]`) or tokens.
pub struct Pay<'a> {
    pub payer: &'a AccountView,
    pub amount: u64,
    pub mint: [u8; 32],
    /// SOL: the account that receives the lamports (a wallet, or a thread page for escrow).
    pub sol_destination: &'a AccountView,
    /// Tokens: who must own the destination token account.
    pub token_owner: &'a [u8; 32],
    pub mint_account: &'a AccountView,
    pub source_token: &'a AccountView,
    pub dest_token: &'a AccountView,
    pub token_program: &'a AccountView,
}

/// Execute a payment; returns `(token program kind, decimals)` (`(0, 9)` for SOL).
pub fn pay(p: &Pay) -> InboxResult<(u8, u8)> {
    if p.mint == [0; 32] {
        if !p.sol_destination.is_writable() {
            return Err(InboxError::AccountNotWritable.into());
        }
        transfer_sol(p.payer, p.sol_destination, p.amount)?;
        return Ok((KIND_SOL, 9));
    }
    let kind = token_kind(p.token_program)?;
    if p.mint_account.address().as_array() != &p.mint {
        return Err(InboxError::PaymentMintMismatch.into());
    }
    let decimals = mint_decimals(p.mint_account, p.token_program)?;
    check_token_account(p.dest_token, p.token_program, p.mint_account.address(), p.token_owner)?;
    transfer_checked(
        &TokenTransfer {
            program: p.token_program,
            source: p.source_token,
            mint: p.mint_account,
            destination: p.dest_token,
            authority: p.payer,
            amount: p.amount,
            decimals,
        },
        &[],
    )?;
    Ok((kind, decimals))
}
