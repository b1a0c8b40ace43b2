//! Multi-scalar multiplication, Pippenger's bucket method, split over threads by point ranges.
use crate::curve::{Affine, Jacobian};
use crate::field::Field;

/// Bits of the scalars that matter: BN254's scalar field is < 2^254.
const SCALAR_BITS: usize = 254;

fn window_bits(n: usize) -> usize {
    if n < 32 {
        3
    } else {
        // ~ln(n) + 2, as arkworks picks it: fewer buckets than points, not many windows.
        let log2 = (usize::BITS - n.leading_zeros()) as usize;
        (log2 * 69 / 100 + 2).min(16)
    }
}

#[inline(always)]
fn digit(s: &[u64; 4], start: usize, c: usize) -> usize {
    let limb = start / 64;
    let shift = start % 64;
    let mut v = s[limb] >> shift;
    if shift + c > 64 && limb + 1 < 4 {
        v |= s[limb + 1] << (64 - shift);
    }
    (v & ((1u64 << c) - 1)) as usize
}

fn msm_serial<F: Field>(bases: &[Affine<F>], scalars: &[[u64; 4]]) -> Jacobian<F> {
    let c = window_bits(bases.len());
    let windows = (SCALAR_BITS + c - 1) / c;
    let mut total = Jacobian::<F>::infinity();
    let mut buckets = vec![Jacobian::<F>::infinity(); (1 << c) - 1];
    for w in (0..windows).rev() {
        for b in buckets.iter_mut() {
            *b = Jacobian::infinity();
        }
        for (p, s) in bases.iter().zip(scalars) {
            if p.infinity {
                continue;
            }
            let d = digit(s, w * c, c);
            if d != 0 {
                buckets[d - 1] = buckets[d - 1].add_affine(p);
            }
        }
        // sum_i i * bucket_i, by running sums from the top bucket down.
        let mut running = Jacobian::<F>::infinity();
        let mut window_sum = Jacobian::<F>::infinity();
        for b in buckets.iter().rev() {
            running = running.add(b);
            window_sum = window_sum.add(&running);
        }
        for _ in 0..c {
            total = total.double();
        }
        total = total.add(&window_sum);
    }
    total
}

/// sum_i scalars[i] * bases[i]; scalars in standard form, each < r.
pub fn msm<F: Field + Send + Sync>(bases: &[Affine<F>], scalars: &[[u64; 4]], threads: usize) -> Jacobian<F> {
    let n = bases.len().min(scalars.len());
    let threads = threads.max(1).min((n / 256).max(1));
    if threads == 1 {
        return msm_serial(&bases[..n], &scalars[..n]);
    }
    let chunk = (n + threads - 1) / threads;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let lo = (t * chunk).min(n);
                let hi = ((t + 1) * chunk).min(n);
                let (b, s) = (&bases[lo..hi], &scalars[lo..hi]);
                scope.spawn(move || msm_serial(b, s))
            })
            .collect();
        handles
            .into_iter()
            .fold(Jacobian::infinity(), |acc, h| acc.add(&h.join().unwrap_or_else(|_| Jacobian::infinity())))
    })
}
