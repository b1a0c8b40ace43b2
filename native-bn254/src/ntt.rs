//! Radix-2 number-theoretic transforms over Fr with ffjavascript's roots of unity: w[s] = 5^t
//! (5 is the first quadratic non-residue; r - 1 = t * 2^28), w[k - 1] = w[k]^2.
use crate::field::{Field, Fr};

const TWO_ADICITY: u32 = 28;
/// 5^t mod r in standard form: a primitive 2^28-th root of unity.
const ROOT_OF_UNITY: [u64; 4] = [0x9bd61b6e725b19f0, 0x402d111e41112ed4, 0x00e0a7eb8ef62abc, 0x2a3c09f0a58a7e85];

/// A primitive 2^k-th root of unity (k <= 28).
pub fn root_of_unity(k: u32) -> Fr {
    let mut w = Fr::from_raw(&ROOT_OF_UNITY);
    for _ in k..TWO_ADICITY {
        w = w.square();
    }
    w
}

fn bit_reverse(a: &mut [Fr]) {
    let n = a.len();
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if i < j {
            a.swap(i, j);
        }
    }
}

/// a[k] <- sum_j a[j] * omega^(j k), in place; a.len() a power of two, omega of that order.
fn transform(a: &mut [Fr], omega: Fr) {
    let n = a.len();
    bit_reverse(a);
    let mut twiddles = Vec::with_capacity(n / 2);
    let mut m = 1;
    while m < n {
        // omega^(n / 2m): a primitive 2m-th root.
        let mut w_m = omega;
        let mut k = n / (2 * m);
        while k > 1 {
            w_m = w_m.square();
            k /= 2;
        }
        twiddles.clear();
        let mut w = Fr::one();
        for _ in 0..m {
            twiddles.push(w);
            w = w.mul(&w_m);
        }
        for start in (0..n).step_by(2 * m) {
            for j in 0..m {
                let t = twiddles[j].mul(&a[start + j + m]);
                let u = a[start + j];
                a[start + j] = u.add(&t);
                a[start + j + m] = u.sub(&t);
            }
        }
        m *= 2;
    }
}

/// Evaluations on the 2^k domain from coefficients.
pub fn fft(a: &mut [Fr]) {
    let k = a.len().trailing_zeros();
    transform(a, root_of_unity(k));
}

/// Coefficients from evaluations on the 2^k domain (with the 1/n factor).
pub fn ifft(a: &mut [Fr]) {
    let k = a.len().trailing_zeros();
    transform(a, root_of_unity(k).inverse());
    let n_inv = Fr::from_raw(&[a.len() as u64, 0, 0, 0]).inverse();
    for x in a.iter_mut() {
        *x = x.mul(&n_inv);
    }
}
