//! Shardmesh worker preprocessing, exported as plain `extern "C"` functions (no wasm-bindgen).
//!
//! ABI rules (the TypeScript loader in `worker/preprocess/` relies on them):
//! - Lengths and pointers are `usize` (i32 on wasm32; JS sees pointers as signed, use `>>> 0`).
//! - Nothing traps on bad input: every fallible export returns a status (`OK` or a negative
//!   `ERR_*` below) or, for counts, a non-negative i64 / a negative error code.
//! - The caller owns every buffer: it allocates with `alloc_bytes` and frees with
//!   `dealloc_bytes(ptr, same_len)`. `live_bytes` reports what is still allocated, so tests
//!   can prove the loader frees everything.

mod chunk;
mod ema;
mod ema_columns;
mod sha256;

use std::alloc::{alloc, dealloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use chunk::{chunk_bounds, chunk_count};
pub use ema::ema_f32;
pub use ema_columns::ema_columns_f32;
pub use sha256::{sha256, sha256_final, sha256_init, sha256_state_size, sha256_update};

/// Bumped whenever an export changes signature or meaning; the loader refuses other versions.
pub const ABI_VERSION: u32 = 2;

pub const OK: i32 = 0;
/// A chunk size of 0 was given.
pub const ERR_CHUNK_SIZE_ZERO: i32 = -1;
/// A requested chunk range lies outside the payload's chunk count.
pub const ERR_RANGE: i32 = -2;
/// EMA alpha is NaN or outside [0, 1].
pub const ERR_BAD_ALPHA: i32 = -3;
/// A required pointer is null or not aligned for its element type.
pub const ERR_BAD_POINTER: i32 = -4;

/// Every block handed out is 16-byte aligned, enough for f32, u32, u64 and v128.
const ALIGN: usize = 16;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

#[no_mangle]
pub extern "C" fn abi_version() -> u32 {
    ABI_VERSION
}

/// Allocates `len` bytes (16-byte aligned). Returns null when memory cannot grow; never traps.
/// `len == 0` returns a dangling, aligned, non-null pointer that must not be dereferenced.
#[no_mangle]
pub extern "C" fn alloc_bytes(len: usize) -> *mut u8 {
    if len == 0 {
        return ALIGN as *mut u8;
    }
    let layout = match Layout::from_size_align(len, ALIGN) {
        Ok(layout) => layout,
        Err(_) => return std::ptr::null_mut(),
    };
    // SAFETY: layout has a non-zero size.
    let ptr = unsafe { alloc(layout) };
    if !ptr.is_null() {
        LIVE_BYTES.fetch_add(len, Ordering::Relaxed);
    }
    ptr
}

/// Frees a block from `alloc_bytes`; `len` must be the length it was allocated with.
///
/// # Safety
/// `ptr` must come from `alloc_bytes(len)` and not have been freed already.
#[no_mangle]
pub unsafe extern "C" fn dealloc_bytes(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(len, ALIGN) {
        dealloc(ptr, layout);
        LIVE_BYTES.fetch_sub(len, Ordering::Relaxed);
    }
}

/// Bytes currently allocated through `alloc_bytes` and not yet freed (a leak detector).
#[no_mangle]
pub extern "C" fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

#[inline(always)]
pub(crate) fn aligned<T>(ptr: *const T) -> bool {
    !ptr.is_null() && (ptr as usize) % std::mem::align_of::<T>() == 0
}
