//! The optimized Poseidon permutation, step for step as circomlibjs's poseidon_opt.js (neptune's
//! scheme): full rounds with the dense MDS M (P in the last first-half round), partial rounds as
//! one S-box plus a sparse matrix S, then full rounds again. The width is a const generic so
//! every loop has a fixed trip count and the state lives in locals.

use crate::constants::*;
use crate::field::{add, dot, mul, pow5, Fe, ZERO};

struct Params {
    c: &'static [Fe],
    s: &'static [Fe],
    m: &'static [Fe],
    p: &'static [Fe],
    rounds_p: usize,
}

pub fn supports(n: usize) -> bool {
    matches!(n, 1 | 2 | 16)
}

/// Runs the permutation for `n` inputs (state[0] is the zero capacity element, state[1..=n]
/// the inputs in Montgomery form) and returns state[0]. `n` must be supported.
pub fn run(n: usize, state: &mut [Fe; 17]) -> Fe {
    match n {
        1 => permute::<2>(state, &Params { c: &C_1, s: &S_1, m: &M_1, p: &P_1, rounds_p: N_ROUNDS_P_1 }),
        2 => permute::<3>(state, &Params { c: &C_2, s: &S_2, m: &M_2, p: &P_2, rounds_p: N_ROUNDS_P_2 }),
        _ => permute::<17>(state, &Params { c: &C_16, s: &S_16, m: &M_16, p: &P_16, rounds_p: N_ROUNDS_P_16 }),
    }
}

/// state'[i] = sum_j mat[i][j] * state[j] (mat is stored transposed by the generator).
#[inline(always)]
fn mix<const T: usize>(state: &mut [Fe; T], mat: &[Fe]) {
    let mut out = [ZERO; T];
    for (i, o) in out.iter_mut().enumerate() {
        *o = dot(&mat[i * T..(i + 1) * T], &state[..]);
    }
    *state = out;
}

fn permute<const T: usize>(full: &mut [Fe; 17], k: &Params) -> Fe {
    let mut st = [ZERO; T];
    st.copy_from_slice(&full[..T]);
    let half = N_ROUNDS_F / 2;
    for i in 0..T {
        st[i] = add(&st[i], &k.c[i]);
    }
    for r in 0..half {
        for i in 0..T {
            st[i] = add(&pow5(&st[i]), &k.c[(r + 1) * T + i]);
        }
        mix(&mut st, if r == half - 1 { k.p } else { k.m });
    }
    let base = (half + 1) * T;
    let stride = 2 * T - 1;
    for r in 0..k.rounds_p {
        st[0] = add(&pow5(&st[0]), &k.c[base + r]);
        let s = &k.s[stride * r..stride * (r + 1)];
        let s0 = dot(&s[..T], &st[..]);
        for i in 1..T {
            st[i] = add(&st[i], &mul(&st[0], &s[T + i - 1]));
        }
        st[0] = s0;
    }
    let base = base + k.rounds_p;
    for r in 0..half - 1 {
        for i in 0..T {
            st[i] = add(&pow5(&st[i]), &k.c[base + r * T + i]);
        }
        mix(&mut st, k.m);
    }
    for x in st.iter_mut() {
        *x = pow5(x);
    }
    // Only state[0] is output: one row of the last mix.
    dot(&k.m[..T], &st[..])
}
