//! Pipeline probe: a small program whose every command exercises one thing the
//! post-link step must get right. `tests/build/test_probe.py` runs each command in
//! LiteSVM and checks the answer. Instruction data: `[command, args...]`; results come
//! back through `sol_set_return_data`, failures as custom error codes.
#![no_std]

use core::hint::black_box;

mod sys {
    extern "C" {
        pub fn sol_log_(msg: *const u8, len: u64);
        pub fn sol_log_64_(a: u64, b: u64, c: u64, d: u64, e: u64);
        pub fn sol_sha256(vals: *const u8, n: u64, out: *mut u8) -> u64;
        pub fn sol_set_return_data(data: *const u8, len: u64);
        pub fn abort() -> !;
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: `abort` is a syscall that never returns.
    unsafe { sys::abort() }
}

fn log(msg: &str) {
    // SAFETY: the pointer and length describe a valid UTF-8 string.
    unsafe { sys::sol_log_(msg.as_ptr(), msg.len() as u64) }
}

fn set_return(data: &[u8]) {
    // SAFETY: the pointer and length describe a valid slice.
    unsafe { sys::sol_set_return_data(data.as_ptr(), data.len() as u64) }
}

/// Strings reached through a table of pointers: exercises `.data.rel.ro` relocations.
static GREETINGS: [&str; 4] = ["gm", "hello, sBPF v0", "compressed inbox", "\u{1F4EC} mail"];

/// Functions reached through pointers: exercises `callx` and function addresses in data.
static OPS: [fn(u64, u64) -> u64; 4] = [op_add, op_mul, op_xor, op_rot];

fn op_add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}
fn op_mul(a: u64, b: u64) -> u64 {
    a.wrapping_mul(b)
}
fn op_xor(a: u64, b: u64) -> u64 {
    a ^ b
}
fn op_rot(a: u64, b: u64) -> u64 {
    a.rotate_left((b & 63) as u32)
}

#[derive(Debug)]
enum ProbeError {
    Short,
    Overflow,
    Unknown,
    BadIndex,
}

impl ProbeError {
    fn code(&self) -> u64 {
        // The runtime reads a return value n with n < 2^32 as Custom(n).
        match self {
            ProbeError::Short => 1,
            ProbeError::Overflow => 2,
            ProbeError::Unknown => 3,
            ProbeError::BadIndex => 4,
        }
    }
}

fn read_u64(data: &[u8], at: usize) -> Result<u64, ProbeError> {
    let bytes = data.get(at..at + 8).ok_or(ProbeError::Short)?;
    let mut buf = [0u8; 8];
    buf.copy_from_slice(bytes);
    Ok(u64::from_le_bytes(buf))
}

/// Checked arithmetic through `Result`: sum of u64s, error on overflow.
fn checked_sum(data: &[u8]) -> Result<u64, ProbeError> {
    let mut total: u64 = 0;
    let mut at = 0;
    while at < data.len() {
        let v = read_u64(data, at)?;
        total = total.checked_add(v).ok_or(ProbeError::Overflow)?;
        at += 8;
    }
    Ok(total)
}

/// Variable-length copies: memcpy, memset, memmove and memcmp with run-time sizes.
fn copies(data: &[u8]) -> Result<[u8; 96], ProbeError> {
    let n = *data.first().ok_or(ProbeError::Short)? as usize;
    let body = data.get(1..1 + n).ok_or(ProbeError::Short)?;
    let mut buf = [0u8; 96];
    if n > 64 {
        return Err(ProbeError::Overflow);
    }
    buf[..n].copy_from_slice(body); // memcpy, variable length
    let fill = black_box(n / 2);
    buf[64..64 + fill].fill(0xAB); // memset, variable length
    buf.copy_within(0..n, 1); // memmove, overlapping
    let same = buf[1..1 + n] == *body; // memcmp/bcmp, variable length
    buf[95] = same as u8;
    buf[94] = (buf[..n.min(8)] < buf[1..1 + n.min(8)]) as u8; // ordered memcmp
    Ok(buf)
}

fn process(data: &[u8]) -> Result<(), ProbeError> {
    let (&cmd, rest) = data.split_first().ok_or(ProbeError::Short)?;
    match cmd {
        0 => {
            // sha256 over the rest, through the syscall
            let mut out = [0u8; 32];
            let slices = [rest.as_ptr() as u64, rest.len() as u64];
            // SAFETY: `slices` is one {addr, len} pair describing `rest`; `out` has 32 bytes.
            unsafe { sys::sol_sha256(slices.as_ptr() as *const u8, 1, out.as_mut_ptr()) };
            set_return(&out);
        }
        1 => {
            let i = *rest.first().ok_or(ProbeError::Short)? as usize;
            let s = GREETINGS.get(i).ok_or(ProbeError::BadIndex)?;
            log(s);
            set_return(s.as_bytes());
        }
        2 => {
            let i = *rest.first().ok_or(ProbeError::Short)? as usize;
            let op = *OPS.get(black_box(i)).ok_or(ProbeError::BadIndex)?;
            let r = op(read_u64(rest, 1)?, read_u64(rest, 9)?);
            set_return(&r.to_le_bytes());
        }
        3 => {
            // slices: sort a copy of the bytes, then report sum of u16 pairs and the sorted bytes
            let mut sorted = [0u8; 64];
            let n = rest.len().min(64);
            sorted[..n].copy_from_slice(&rest[..n]);
            sorted[..n].sort_unstable();
            let sum: u64 = rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]) as u64).sum();
            let mut out = [0u8; 72];
            out[..8].copy_from_slice(&sum.to_le_bytes());
            out[8..8 + n].copy_from_slice(&sorted[..n]);
            set_return(&out[..8 + n]);
        }
        4 => {
            let total = checked_sum(rest)?;
            set_return(&total.to_le_bytes());
        }
        5 => {
            let buf = copies(rest)?;
            set_return(&buf);
        }
        6 => {
            let depth = *rest.first().ok_or(ProbeError::Short)? as u64;
            // SAFETY: plain syscall with scalar arguments.
            unsafe { sys::sol_log_64_(depth, fib(depth), 3, 4, 5) };
            set_return(&fib(depth).to_le_bytes());
        }
        7 => panic!("probe panic"),
        _ => return Err(ProbeError::Unknown),
    }
    Ok(())
}

/// Recursion through a real call stack (frames, r6-r9 saves).
#[inline(never)]
fn fib(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib(n - 1).wrapping_add(fib(n - 2))
    }
}

/// Skip the serialized accounts and return the instruction data.
///
/// # Safety
/// `input` must be the loader's serialized program input (v1 ABI).
unsafe fn instruction_data<'a>(input: *const u8) -> &'a [u8] {
    let mut p = input;
    let n = (p as *const u64).read_unaligned();
    p = p.add(8);
    for _ in 0..n {
        let dup = *p;
        if dup != 0xFF {
            p = p.add(8);
            continue;
        }
        let data_len = (p.add(80) as *const u64).read_unaligned() as usize;
        let mut next = p as usize + 88 + data_len + 10 * 1024;
        next = (next + 7) & !7;
        p = (next + 8) as *const u8; // rent epoch
    }
    let len = (p as *const u64).read_unaligned() as usize;
    core::slice::from_raw_parts(p.add(8), len)
}

/// Program entrypoint.
///
/// # Safety
/// Called by the runtime with the serialized program input.
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    match process(instruction_data(input)) {
        Ok(()) => 0,
        Err(e) => e.code(),
    }
}
