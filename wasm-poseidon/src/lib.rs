//! Poseidon over the BN254 scalar field with circomlib's parameters (x^5 S-box, 8 full rounds,
//! circomlibjs's partial round counts and optimized constants: C, S, M, P with sparse partial
//! rounds, as circomlibjs's poseidon_opt.js), exported as plain `extern "C"` functions.
//!
//! ABI (the TypeScript loader circuits/lib/poseidon-wasm.ts relies on it):
//! - `io_ptr()` points at 17 field elements, each four little-endian u64 limbs, canonical (< p).
//! - `hash(n)` reads n inputs from the io area and writes the hash to element 0. It returns `OK`
//!   or a negative `ERR_*`; it never traps. Only the widths in `constants.rs` are compiled in.
#![no_std]

mod constants;
mod field;
mod permute;

use field::{from_mont, is_canonical, to_mont, Fe, ZERO};

/// Bumped whenever an export changes signature or meaning; the loader refuses other versions.
pub const ABI_VERSION: u32 = 1;
pub const OK: i32 = 0;
/// No constants for this number of inputs are compiled in.
pub const ERR_WIDTH: i32 = -1;
/// An input is not below the modulus (the loader reduces inputs first).
pub const ERR_NOT_CANONICAL: i32 = -2;

const MAX_INPUTS: usize = 16;

// Single-threaded wasm: one io area, only touched through the exports below.
static mut IO: [Fe; MAX_INPUTS + 1] = [ZERO; MAX_INPUTS + 1];

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[no_mangle]
pub extern "C" fn abi_version() -> u32 {
    ABI_VERSION
}

#[no_mangle]
pub extern "C" fn io_ptr() -> *mut Fe {
    // SAFETY: only the address is taken.
    unsafe { core::ptr::addr_of_mut!(IO) as *mut Fe }
}

/// Number of inputs this build supports for `hash` (1 when supported, 0 otherwise).
#[no_mangle]
pub extern "C" fn supports(n: u32) -> u32 {
    permute::supports(n as usize) as u32
}

#[no_mangle]
pub extern "C" fn hash(n: u32) -> i32 {
    let n = n as usize;
    if !permute::supports(n) {
        return ERR_WIDTH;
    }
    // SAFETY: wasm32 here is single-threaded and no export re-enters another.
    let io = unsafe { &mut *core::ptr::addr_of_mut!(IO) };
    let mut state = [ZERO; MAX_INPUTS + 1];
    for i in 0..n {
        if !is_canonical(&io[i]) {
            return ERR_NOT_CANONICAL;
        }
        state[i + 1] = to_mont(&io[i]);
    }
    let out = permute::run(n, &mut state);
    io[0] = from_mont(&out);
    OK
}
