//! Reading instruction arguments (Borsh encoding, as the IDL declares them).

use pinocchio::Address;

use crate::error::{InboxError, InboxResult};

/// A cursor over instruction data.
pub struct Args<'a> {
    data: &'a [u8],
}

impl<'a> Args<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    #[inline(always)]
    pub fn take(&mut self, n: usize) -> InboxResult<&'a [u8]> {
        if self.data.len() < n {
            return Err(InboxError::InvalidInstructionData.into());
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    #[inline(always)]
    pub fn array<const N: usize>(&mut self) -> InboxResult<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> InboxResult<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn bool(&mut self) -> InboxResult<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(InboxError::InvalidInstructionData.into()),
        }
    }

    pub fn u16(&mut self) -> InboxResult<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> InboxResult<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> InboxResult<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn address(&mut self) -> InboxResult<Address> {
        Ok(Address::new_from_array(self.array()?))
    }

    /// Borsh `Vec<u8>` / `String` bytes: u32 length, then the bytes.
    pub fn bytes(&mut self) -> InboxResult<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// Borsh `Option` tag.
    pub fn option(&mut self) -> InboxResult<bool> {
        self.bool()
    }

    /// All bytes must have been consumed.
    pub fn finish(&self) -> InboxResult<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(InboxError::InvalidInstructionData.into())
        }
    }
}
