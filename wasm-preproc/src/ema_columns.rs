//! EMA down the columns of a row-major f32 matrix (`rows` x `cols`): every column is its own
//! series, with the same arithmetic as `ema_f32`:
//!
//!   y[0][c] = x[0][c];  y[r][c] = y[r-1][c] + alpha * (x[r][c] - y[r-1][c])
//!
//! A single series is latency-bound (each step waits for the previous one), but neighbouring
//! columns are independent, so four of them share one f32x4 lane-wise sub/mul/add. Lane-wise
//! wasm SIMD float ops are IEEE-754 round-to-nearest exactly like the scalar ones (no fusion,
//! no flush-to-zero), so results are bit-identical to the scalar path and the TS fallback;
//! NaNs are canonicalised with a lane mask. Only this function uses SIMD (`target_feature` on
//! the function, not on the crate), so the rest of the module is unchanged scalar code.

use crate::{aligned, ERR_BAD_ALPHA, ERR_BAD_POINTER, ERR_RANGE, OK};
#[cfg(target_arch = "wasm32")]
use core::arch::wasm32::*;

const CANONICAL_NAN_BITS: u32 = crate::ema::CANONICAL_NAN_BITS;

#[inline(always)]
fn canonical_bits(v: f32) -> u32 {
    if v.is_nan() {
        CANONICAL_NAN_BITS
    } else {
        v.to_bits()
    }
}

/// One row: y[c] = p[c] + alpha * (x[c] - p[c]). `x` and `y` may be the same row; `p` is the
/// previous output row (never the row being written).
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
#[inline]
unsafe fn ema_row(x: *const f32, y: *mut f32, p: *const f32, cols: usize, alpha: f32) {
    let a = f32x4_splat(alpha);
    let nan = u32x4_splat(CANONICAL_NAN_BITS);
    let mut c = 0;
    // Four vectors per iteration: one index update and branch per 16 values instead of per 4
    // (JSC's wasm tier keeps the per-iteration pointer arithmetic LLVM emits).
    while c + 16 <= cols {
        let mut k = 0;
        while k < 16 {
            let xv = (x.add(c + k) as *const v128).read_unaligned();
            let pv = (p.add(c + k) as *const v128).read_unaligned();
            let yv = f32x4_add(pv, f32x4_mul(a, f32x4_sub(xv, pv)));
            (y.add(c + k) as *mut v128).write_unaligned(v128_bitselect(nan, yv, f32x4_ne(yv, yv)));
            k += 4;
        }
        c += 16;
    }
    while c + 4 <= cols {
        // Unaligned access is allowed in wasm; rows start anywhere when cols % 4 != 0.
        let xv = (x.add(c) as *const v128).read_unaligned();
        let pv = (p.add(c) as *const v128).read_unaligned();
        let yv = f32x4_add(pv, f32x4_mul(a, f32x4_sub(xv, pv)));
        let out = v128_bitselect(nan, yv, f32x4_ne(yv, yv));
        (y.add(c) as *mut v128).write_unaligned(out);
        c += 4;
    }
    ema_row_scalar(x, y, p, c, cols, alpha);
}

/// The native build (unit tests) has no wasm SIMD: the same row, one lane at a time.
#[cfg(not(target_arch = "wasm32"))]
unsafe fn ema_row(x: *const f32, y: *mut f32, p: *const f32, cols: usize, alpha: f32) {
    ema_row_scalar(x, y, p, 0, cols, alpha);
}

#[inline(always)]
unsafe fn ema_row_scalar(x: *const f32, y: *mut f32, p: *const f32, from: usize, cols: usize, alpha: f32) {
    let out = y as *mut u32;
    let mut c = from;
    while c < cols {
        let prev = p.add(c).read();
        let v = prev + alpha * (x.add(c).read() - prev);
        out.add(c).write(canonical_bits(v));
        c += 1;
    }
}

/// EMA of each of the `cols` columns of the `rows` x `cols` matrix at `src` into `dst`
/// (`src == dst` allowed). With a non-null `prev` (`cols` values: the last output row of the
/// previous window) row 0 is an ordinary step, so callers can stream a tall matrix through a
/// small buffer. `prev` must not overlap `dst`.
///
/// # Safety
/// `src` and `dst` must each point to `rows * cols` f32 values; `prev`, when not null, to `cols`.
// SIMD for the whole export, so the row helper inlines into the row loop (a target_feature
// function cannot inline into one without the feature: a call per row cost 2x at 1-4 columns).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
pub unsafe extern "C" fn ema_columns_f32(
    src: *const f32,
    dst: *mut f32,
    rows: usize,
    cols: usize,
    alpha: f32,
    prev: *const f32,
) -> i32 {
    if !(alpha >= 0.0 && alpha <= 1.0) {
        return ERR_BAD_ALPHA;
    }
    if rows == 0 || cols == 0 {
        return OK;
    }
    if rows.checked_mul(cols).is_none() {
        return ERR_RANGE;
    }
    if !aligned(src) || !aligned(dst) || (!prev.is_null() && !aligned(prev)) {
        return ERR_BAD_POINTER;
    }
    let mut r = 0;
    if prev.is_null() {
        let out = dst as *mut u32;
        for c in 0..cols {
            out.add(c).write(canonical_bits(src.add(c).read()));
        }
        r = 1;
    }
    while r < rows {
        let row = r * cols;
        let p = if r == 0 {
            prev
        } else {
            dst.add(row - cols) as *const f32
        };
        ema_row(src.add(row), dst.add(row), p, cols, alpha);
        r += 1;
    }
    OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_match_single_series() {
        // 3 rows x 5 columns: column c must equal ema_f32 over that column alone.
        let mut m: Vec<f32> = (0..15).map(|i| (i * 7 % 11) as f32 - 3.5).collect();
        m[7] = f32::NAN;
        let src = m.clone();
        assert_eq!(
            unsafe { ema_columns_f32(m.as_ptr(), m.as_mut_ptr(), 3, 5, 0.25, std::ptr::null()) },
            OK
        );
        for c in 0..5 {
            let mut col: Vec<f32> = (0..3).map(|r| src[r * 5 + c]).collect();
            let p = col.as_mut_ptr();
            unsafe { crate::ema::ema_f32(p, p, 3, 0.25, 0.0, 0) };
            for r in 0..3 {
                assert_eq!(m[r * 5 + c].to_bits(), col[r].to_bits());
            }
        }
    }
}
