//! Writing compressed records: a CPI into the real Light system program.
//!
//! `invoke_cpi_with_read_only` in its V2 account layout (`mode = 1`) with outputs only — no
//! inputs, no new addresses, no proof — so it works without a prover, on localnet and mainnet
//! alike. Our PDA `["cpi_authority"]` signs; Light checks it equals the PDA of the invoking
//! program named in the data. Account order and layouts: `light-offline.md` Q6.

use pinocchio::{
    cpi::{Seed, Signer},
    instruction::{InstructionAccount, InstructionView},
    syscalls::sol_sha256,
    AccountView, Address,
};

use crate::accounts::SYSTEM_PROGRAM_ID;
use crate::error::{InboxError, InboxResult};
use crate::state::records::{Writer, MAX_CONTENT_LEN};
use crate::ID;

pub const LIGHT_SYSTEM_PROGRAM: Address = Address::from_str_const("SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7");
pub const ACCOUNT_COMPRESSION_PROGRAM: Address =
    Address::from_str_const("compr6CUsB5m2jS4Y3831ztGSTnDpnKJTKS95d64XVq");
pub const REGISTERED_PROGRAM_PDA: Address = Address::from_str_const("35hkDgaAKwMCaxRz2ocSZ6NaUrtKkyNqU6c4RV3tYJRh");
pub const ACCOUNT_COMPRESSION_AUTHORITY: Address =
    Address::from_str_const("HwXnGK3tPkkVY6P439H2p68AxpeuWXd5PcrAxFpbmfbA");
/// PDA `["cpi_authority"]` of this program and its bump.
pub const CPI_AUTHORITY: Address = Address::from_str_const("7ZtyMKT8JgmQFQXeFgtXW1HECdocYCSQv6N3Uz8sHua7");
pub const CPI_AUTHORITY_BUMP: u8 = 255;

const INVOKE_CPI_WITH_READ_ONLY: [u8; 8] = [86, 47, 163, 166, 21, 223, 92, 8];
/// Instruction header (77 bytes) + two outputs of fixed overhead (87 each) + records.
const CPI_DATA_MAX: usize = 77 + 2 * 87 + 164 + 139 + MAX_CONTENT_LEN;

/// Number of accounts a Light write takes from an instruction's account list.
pub const LIGHT_ACCOUNTS: usize = 6;

/// The Light accounts of an instruction, in the order the client passes them:
/// light system program, our cpi authority, registered program PDA, account compression
/// authority, account compression program, output tree (V1 state tree or V2 output queue).
/// The system program is shared with the instruction's own accounts.
pub struct LightAccounts<'a> {
    pub light_system: &'a AccountView,
    pub cpi_authority: &'a AccountView,
    pub registered_program: &'a AccountView,
    pub compression_authority: &'a AccountView,
    pub compression_program: &'a AccountView,
    pub system_program: &'a AccountView,
    pub output_tree: &'a AccountView,
}

impl<'a> LightAccounts<'a> {
    /// Check the six Light accounts (`accounts[..6]`) and the system program.
    pub fn new(accounts: &'a [AccountView], system_program: &'a AccountView) -> InboxResult<Self> {
        let [light_system, cpi_authority, registered_program, compression_authority, compression_program, output_tree, ..] =
            accounts
        else {
            return Err(InboxError::NotEnoughAccounts.into());
        };
        let bad = InboxError::InvalidLightAccount;
        crate::accounts::key_is(light_system, &LIGHT_SYSTEM_PROGRAM, bad)?;
        crate::accounts::key_is(cpi_authority, &CPI_AUTHORITY, bad)?;
        crate::accounts::key_is(registered_program, &REGISTERED_PROGRAM_PDA, bad)?;
        crate::accounts::key_is(compression_authority, &ACCOUNT_COMPRESSION_AUTHORITY, bad)?;
        crate::accounts::key_is(compression_program, &ACCOUNT_COMPRESSION_PROGRAM, bad)?;
        crate::accounts::key_is(system_program, &SYSTEM_PROGRAM_ID, bad)?;
        if !output_tree.owned_by(&ACCOUNT_COMPRESSION_PROGRAM) || !output_tree.is_writable() {
            return Err(InboxError::InvalidOutputTree.into());
        }
        Ok(Self {
            light_system,
            cpi_authority,
            registered_program,
            compression_authority,
            compression_program,
            system_program,
            output_tree,
        })
    }
}

/// One compressed record to write.
pub struct Output<'a> {
    pub discriminator: [u8; 8],
    pub data: &'a [u8],
}

/// Light's data hash convention for us: sha256(data) with the first byte zeroed (fits BN254).
fn data_hash(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let slice = [data.as_ptr() as u64, data.len() as u64];
    // SAFETY: `slice` is one {addr, len} pair describing `data`; `out` holds 32 bytes.
    unsafe { sol_sha256(slice.as_ptr() as *const u8, 1, out.as_mut_ptr()) };
    out[0] = 0;
    out
}

/// Append `outputs` as new compressed accounts owned by this program (fees paid by `fee_payer`).
#[inline(never)]
pub fn append(fee_payer: &AccountView, light: &LightAccounts, outputs: &[Output]) -> InboxResult<()> {
    let mut buf = [0u8; CPI_DATA_MAX];
    let mut w = Writer::new(&mut buf);
    w.put(&INVOKE_CPI_WITH_READ_ONLY)?;
    w.u8(1)?; // mode: V2 account layout
    w.u8(CPI_AUTHORITY_BUMP)?;
    w.put(ID.as_array())?; // invoking_program_id
    w.u64(0)?; // compress_or_decompress_lamports
    w.put(&[0, 0, 0])?; // is_compress, with_cpi_context, with_transaction_hash
    w.put(&[0, 0, 0])?; // cpi_context {set_context, first_set_context, index}
    w.u8(0)?; // proof: None
    w.u32(0)?; // new_address_params
    w.u32(0)?; // input_compressed_accounts
    w.u32(outputs.len() as u32)?;
    for o in outputs {
        w.put(ID.as_array())?; // owner
        w.u64(0)?; // lamports
        w.u8(0)?; // address: None
        w.u8(1)?; // data: Some
        w.put(&o.discriminator)?;
        w.u32(o.data.len() as u32)?;
        w.put(o.data)?;
        w.put(&data_hash(o.data))?;
        w.u8(0)?; // merkle_tree_index: the first remaining account
    }
    w.u32(0)?; // read_only_addresses
    w.u32(0)?; // read_only_accounts

    let metas = [
        InstructionAccount::writable_signer(fee_payer.address()),
        InstructionAccount::readonly_signer(light.cpi_authority.address()),
        InstructionAccount::readonly(light.registered_program.address()),
        InstructionAccount::readonly(light.compression_authority.address()),
        InstructionAccount::readonly(light.compression_program.address()),
        InstructionAccount::readonly(light.system_program.address()),
        InstructionAccount::writable(light.output_tree.address()),
    ];
    let ix = InstructionView { program_id: &LIGHT_SYSTEM_PROGRAM, data: w.written(), accounts: &metas };
    let bump = [CPI_AUTHORITY_BUMP];
    let seeds = [Seed::from(b"cpi_authority"), Seed::from(&bump)];
    crate::cpi::invoke(
        &ix,
        &[
            fee_payer,
            light.cpi_authority,
            light.registered_program,
            light.compression_authority,
            light.compression_program,
            light.system_program,
            light.output_tree,
        ],
        &[Signer::from(&seeds)],
    )
}
