//! Compressed records (Light compressed accounts owned by this program, no address).
//!
//! Every record's data starts with the same prefix so Photon memcmp filters can find it:
//! `kind u8 | version u8 | inbox [32] | thread_id u64` (42 bytes). Light stores the 8-byte
//! discriminator separately (`sha256("account:<Name>")[..8]`). Layouts: `docs/protocol.md`.

use crate::error::{InboxError, InboxResult};

pub const RECORD_VERSION: u8 = 1;
pub const KIND_THREAD_HEADER: u8 = 1;
pub const KIND_MESSAGE: u8 = 2;
pub const KIND_REACTION: u8 = 3;

pub const THREAD_HEADER_DISCRIMINATOR: [u8; 8] = [4, 33, 122, 179, 204, 188, 172, 227];
pub const MESSAGE_DISCRIMINATOR: [u8; 8] = [110, 151, 23, 110, 198, 6, 125, 181];
pub const REACTION_DISCRIMINATOR: [u8; 8] = [226, 61, 100, 191, 223, 221, 142, 139];

pub const PREFIX_LEN: usize = 42;
pub const THREAD_HEADER_LEN: usize = PREFIX_LEN + 122;
pub const MESSAGE_FIXED_LEN: usize = PREFIX_LEN + 97;
pub const REACTION_LEN: usize = PREFIX_LEN + 47;

/// Largest message body. The transaction size (1232 bytes) is the real limit: 660 bytes in a
/// first message and 721 in a reply without an address lookup table, 843 / 904 with one
/// (`docs/protocol.md`).
pub const MAX_CONTENT_LEN: usize = 1024;

/// Message types (`message_type` byte).
pub const MESSAGE_TYPE_OTHER: u8 = 5;
pub const MAX_MESSAGE_TYPE: u8 = MESSAGE_TYPE_OTHER;

/// Reactions: an index into the curated set 👍 👎 ❤️ 😂 😮 😢 🙏 🔥 🎉 👀.
pub const REACTION_COUNT: u8 = 10;

/// A byte writer over a fixed buffer.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    #[inline(always)]
    pub fn put(&mut self, bytes: &[u8]) -> InboxResult<()> {
        let end = self.pos.checked_add(bytes.len()).ok_or(InboxError::ContentTooLong)?;
        let dst = self.buf.get_mut(self.pos..end).ok_or(InboxError::ContentTooLong)?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    #[inline(always)]
    pub fn u8(&mut self, v: u8) -> InboxResult<()> {
        self.put(&[v])
    }

    #[inline(always)]
    pub fn u16(&mut self, v: u16) -> InboxResult<()> {
        self.put(&v.to_le_bytes())
    }

    #[inline(always)]
    pub fn u32(&mut self, v: u32) -> InboxResult<()> {
        self.put(&v.to_le_bytes())
    }

    #[inline(always)]
    pub fn u64(&mut self, v: u64) -> InboxResult<()> {
        self.put(&v.to_le_bytes())
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn written(&self) -> &[u8] {
        &self.buf[..self.pos]
    }
}

/// The common prefix of every record.
#[inline(always)]
pub fn prefix(w: &mut Writer, kind: u8, inbox: &[u8; 32], thread_id: u64) -> InboxResult<()> {
    w.u8(kind)?;
    w.u8(RECORD_VERSION)?;
    w.put(inbox)?;
    w.u64(thread_id)
}

/// Payment terms recorded in a ThreadHeader and a Message.
#[derive(Clone, Copy)]
pub struct PaymentTerms {
    /// ThreadHeader: 0 none, 1 direct, 2 escrow. Message: 0 none, 1 paid.
    pub mode: u8,
    /// 0 = native SOL, 1 = SPL Token, 2 = Token-2022.
    pub token_program: u8,
    pub mint: [u8; 32],
    pub amount: u64,
}

impl PaymentTerms {
    pub const NONE: PaymentTerms = PaymentTerms { mode: 0, token_program: 0, mint: [0; 32], amount: 0 };
}

/// ThreadHeader fields after the prefix.
pub struct ThreadHeader<'a> {
    pub from: &'a [u8; 32],
    pub to: &'a [u8; 32],
    pub created_at: u64,
    pub payment: PaymentTerms,
    pub refund_after_secs: u64,
}

pub fn write_thread_header(w: &mut Writer, h: &ThreadHeader) -> InboxResult<()> {
    w.put(h.from)?;
    w.put(h.to)?;
    w.u64(h.created_at)?;
    w.u8(h.payment.mode)?;
    w.u8(h.payment.token_program)?;
    w.put(&h.payment.mint)?;
    w.u64(h.payment.amount)?;
    w.u64(h.refund_after_secs)
}

/// Message fields after the prefix.
pub struct Message<'a> {
    pub seq: u32,
    /// 0 = the thread's sender (`from`), 1 = the inbox owner (`to`).
    pub sender_side: u8,
    pub sender: &'a [u8; 32],
    pub timestamp: u64,
    pub message_type: u8,
    pub other_type: u16,
    pub flags: u8,
    pub reply_to: u32,
    pub payment: PaymentTerms,
    pub content: &'a [u8],
}

pub fn write_message(w: &mut Writer, m: &Message) -> InboxResult<()> {
    if m.content.len() > MAX_CONTENT_LEN {
        return Err(InboxError::ContentTooLong.into());
    }
    w.u32(m.seq)?;
    w.u8(m.sender_side)?;
    w.put(m.sender)?;
    w.u64(m.timestamp)?;
    w.u8(m.message_type)?;
    w.u16(m.other_type)?;
    w.u8(m.flags)?;
    w.u32(m.reply_to)?;
    w.u8(m.payment.mode)?;
    w.u8(m.payment.token_program)?;
    w.put(&m.payment.mint)?;
    w.u64(m.payment.amount)?;
    w.u16(m.content.len() as u16)?;
    w.put(m.content)
}

/// Reaction fields after the prefix.
pub struct Reaction<'a> {
    pub seq: u32,
    pub side: u8,
    pub reactor: &'a [u8; 32],
    pub timestamp: u64,
    pub reaction: u8,
    pub added: bool,
}

pub fn write_reaction(w: &mut Writer, r: &Reaction) -> InboxResult<()> {
    w.u32(r.seq)?;
    w.u8(r.side)?;
    w.put(r.reactor)?;
    w.u64(r.timestamp)?;
    w.u8(r.reaction)?;
    w.u8(r.added as u8)
}
