//! Exponential moving average over f32 with a fixed, FMA-free evaluation order:
//!
//!   y[0] = x[0];  y[i] = y[i-1] + alpha * (x[i] - y[i-1])
//!
//! Each of the three operations is a separate f32 op rounded to nearest (Rust never contracts
//! `a + b * c` into an FMA, and wasm32 has no FMA here), so the pure-TS fallback reproduces it
//! with `Math.fround` after every step. WASM leaves NaN payload and sign unspecified, and JS
//! engines may rewrite NaNs when storing to a Float32Array, so every NaN output is written as
//! the canonical quiet NaN 0x7FC00000: the outputs are then bit-identical everywhere.

use crate::{aligned, ERR_BAD_ALPHA, ERR_BAD_POINTER, OK};

pub const CANONICAL_NAN_BITS: u32 = 0x7fc0_0000;

#[inline(always)]
fn canonical_bits(v: f32) -> u32 {
    if v.is_nan() {
        CANONICAL_NAN_BITS
    } else {
        v.to_bits()
    }
}

/// EMA of `n` values from `src` into `dst` (`src == dst` is allowed: in place).
/// With `has_prev != 0`, `prev` is the last output of the previous window and `src[0]` is an
/// ordinary step, which lets callers stream a long series through a small buffer.
///
/// # Safety
/// `src` and `dst` must each point to `n` f32 values (they may be the same buffer).
#[no_mangle]
pub unsafe extern "C" fn ema_f32(
    src: *const f32,
    dst: *mut f32,
    n: usize,
    alpha: f32,
    prev: f32,
    has_prev: u32,
) -> i32 {
    // Written so that NaN fails the test too.
    if !(alpha >= 0.0 && alpha <= 1.0) {
        return ERR_BAD_ALPHA;
    }
    if n == 0 {
        return OK;
    }
    if !aligned(src) || !aligned(dst) {
        return ERR_BAD_POINTER;
    }
    let out = dst as *mut u32;
    let mut y = prev;
    let mut i = 0;
    if has_prev == 0 {
        y = src.read();
        out.write(canonical_bits(y));
        i = 1;
    }
    // Raw reads/writes instead of slices: src and dst may alias.
    while i < n {
        let x = src.add(i).read();
        y = y + alpha * (x - y);
        out.add(i).write(canonical_bits(y));
        i += 1;
    }
    OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooths_in_place() {
        let mut v = [1.0f32, 3.0, f32::NAN, 5.0];
        let p = v.as_mut_ptr();
        assert_eq!(unsafe { ema_f32(p, p, 4, 0.5, 0.0, 0) }, OK);
        assert_eq!(v[0], 1.0);
        assert_eq!(v[1], 2.0);
        assert_eq!(v[2].to_bits(), CANONICAL_NAN_BITS);
        assert_eq!(v[3].to_bits(), CANONICAL_NAN_BITS);
    }

    #[test]
    fn rejects_bad_alpha() {
        let mut v = [1.0f32];
        let p = v.as_mut_ptr();
        assert_eq!(unsafe { ema_f32(p, p, 1, f32::NAN, 0.0, 0) }, ERR_BAD_ALPHA);
        assert_eq!(unsafe { ema_f32(p, p, 1, 1.5, 0.0, 0) }, ERR_BAD_ALPHA);
    }
}
