//! Arithmetic in the BN254 scalar field, elements in Montgomery form (R = 2^256) as eight
//! little-endian u32 limbs. Multiplication is CIOS Montgomery with u64 products, in the "no
//! final carry" variant (valid because the modulus's top limb is below 2^31 - 1).
//!
//! Why 8 x 32 and not 4 x 64 with u128 products: wasm32 has no 64x64->128 multiply, rustc lowers
//! a u128 product to a `__multi3` call returning through linear memory, and even written out on
//! 32-bit halves the 4 x 64 form measured ~1.6x slower per multiply than this one, where every product is a
//! single native i64.mul. The byte layout is the same as four u64 limbs, so the ABI does not care.

use crate::constants::{INV, MODULUS, R2};

pub type Fe = [u32; 8];

pub const ZERO: Fe = [0; 8];
const N: usize = 8;

/// r - p when r >= p, else r. Callers keep r < 2p.
#[inline(always)]
fn reduce_once(r: Fe) -> Fe {
    let mut out = ZERO;
    let mut borrow = 0u64;
    for i in 0..N {
        let d = (r[i] as u64).wrapping_sub(MODULUS[i] as u64).wrapping_sub(borrow);
        out[i] = d as u32;
        borrow = d >> 63;
    }
    if borrow == 0 {
        out
    } else {
        r
    }
}

#[inline(always)]
pub fn add(a: &Fe, b: &Fe) -> Fe {
    // a, b < p < 2^254: the sum fits in 256 bits.
    let mut out = ZERO;
    let mut carry = 0u64;
    for i in 0..N {
        let s = (a[i] as u64) + (b[i] as u64) + carry;
        out[i] = s as u32;
        carry = s >> 32;
    }
    reduce_once(out)
}

// Not inlined: one compact multiply that the wasm engines compile once at full optimization beats
// thousands of inlined copies that leave the permutation too large for the optimizing tier.
#[inline(never)]
pub fn mul(a: &Fe, b: &Fe) -> Fe {
    let mut t = ZERO;
    for i in 0..N {
        let bi = b[i] as u64;
        let v = (t[0] as u64) + (a[0] as u64) * bi;
        let mut c = v >> 32;
        let m = (v as u32).wrapping_mul(INV) as u64;
        let mut c2 = ((v & 0xffff_ffff) + m * (MODULUS[0] as u64)) >> 32;
        for j in 1..N {
            // Each sum is at most (2^32 - 1) + (2^32 - 1)^2 + (2^32 - 1) = 2^64 - 1.
            let v = (t[j] as u64) + (a[j] as u64) * bi + c;
            c = v >> 32;
            let w = (v & 0xffff_ffff) + m * (MODULUS[j] as u64) + c2;
            c2 = w >> 32;
            t[j - 1] = w as u32;
        }
        t[N - 1] = (c + c2) as u32;
    }
    reduce_once(t)
}

/// x^5, the Poseidon S-box.
#[inline(always)]
pub fn pow5(x: &Fe) -> Fe {
    let x2 = mul(x, x);
    let x4 = mul(&x2, &x2);
    mul(&x4, x)
}

/// True when the limbs encode a canonical value (< p).
pub fn is_canonical(x: &Fe) -> bool {
    for i in (0..N).rev() {
        if x[i] != MODULUS[i] {
            return x[i] < MODULUS[i];
        }
    }
    false
}

pub fn to_mont(x: &Fe) -> Fe {
    mul(x, &R2)
}

pub fn from_mont(x: &Fe) -> Fe {
    mul(x, &[1, 0, 0, 0, 0, 0, 0, 0])
}

/// Adds `c` into acc[from..]: the carry of one schoolbook or reduction row.
#[inline(always)]
fn carry_into(acc: &mut [u32; 2 * N], from: usize, mut c: u64) {
    let mut k = from;
    while c != 0 && k < 2 * N {
        let v = (acc[k] as u64) + c;
        acc[k] = v as u32;
        c = v >> 32;
        k += 1;
    }
}

/// sum_j a[j] * b[j] (Montgomery form in and out) with one reduction for the whole sum, not one
/// per product: the MDS rows and sparse rows of the permutation are such dot products, and the
/// reduction is half the cost of a multiply. Bounds: each product is < p^2 < 0.037 * 2^512, so
/// up to 27 terms fit the 512-bit accumulator; the reduced sum is then < 2^256 and below 6p,
/// which the final loop brings under p.
#[inline(never)]
pub fn dot(a: &[Fe], b: &[Fe]) -> Fe {
    let mut acc = [0u32; 2 * N];
    for (x, y) in a.iter().zip(b.iter()) {
        for i in 0..N {
            let xi = x[i] as u64;
            let mut c = 0u64;
            for j in 0..N {
                let v = (acc[i + j] as u64) + xi * (y[j] as u64) + c;
                acc[i + j] = v as u32;
                c = v >> 32;
            }
            carry_into(&mut acc, i + N, c);
        }
    }
    for i in 0..N {
        let m = acc[i].wrapping_mul(INV) as u64;
        let mut c = 0u64;
        for j in 0..N {
            let v = (acc[i + j] as u64) + m * (MODULUS[j] as u64) + c;
            acc[i + j] = v as u32;
            c = v >> 32;
        }
        carry_into(&mut acc, i + N, c);
    }
    let mut r = ZERO;
    r.copy_from_slice(&acc[N..]);
    while !is_canonical(&r) {
        r = reduce_once(r);
    }
    r
}
