//! Shardmesh's native Groth16 prover over BN254, for headless workers (Bun loads it with bun:ffi;
//! circuits/lib/native-prove.ts). It reads snarkjs's zkey and wtns files and writes proofs that
//! snarkjs's verifier accepts with the same verification key. No crates: Debian's rustc 1.63.
pub mod curve;
pub mod field;
pub mod msm;
pub mod ntt;
pub mod prove;
pub mod zkey;

use field::Fq;

/// ABI version of the exported functions; the TypeScript side checks it.
pub const ABI_VERSION: u32 = 1;

/// Status codes of `sm_groth16_prove` (0 = ok); parse errors are ParseError's values (-1..-8).
const ERR_NULL: i32 = -20;
const ERR_BAD_RANDOMNESS: i32 = -21;
const ERR_DEGENERATE: i32 = -22;

#[no_mangle]
pub extern "C" fn sm_version() -> u32 {
    ABI_VERSION
}

fn put_fq(out: &mut [u8], at: usize, v: &Fq) {
    for (i, limb) in v.to_raw().iter().enumerate() {
        out[at + 8 * i..at + 8 * i + 8].copy_from_slice(&limb.to_le_bytes());
    }
}

/// Proves with the zkey and wtns bytes and the randomizers r, s (32 bytes each, little-endian,
/// standard form, 0 < r, s < the scalar modulus). Writes pi_a (x, y), pi_b (x.c0, x.c1, y.c0,
/// y.c1), pi_c (x, y), affine, standard form, little-endian: 256 bytes, then qap and msm ms as
/// two f64 (16 bytes). Returns 0, or a negative status.
///
/// # Safety
/// Every pointer must be valid for its length (r, s: 32 bytes; out: 272 bytes).
#[no_mangle]
pub unsafe extern "C" fn sm_groth16_prove(
    zkey: *const u8,
    zkey_len: usize,
    wtns: *const u8,
    wtns_len: usize,
    r: *const u8,
    s: *const u8,
    threads: u32,
    out: *mut u8,
) -> i32 {
    if zkey.is_null() || wtns.is_null() || r.is_null() || s.is_null() || out.is_null() {
        return ERR_NULL;
    }
    let zkey = std::slice::from_raw_parts(zkey, zkey_len);
    let wtns = std::slice::from_raw_parts(wtns, wtns_len);
    let (r, s) = (std::slice::from_raw_parts(r, 32), std::slice::from_raw_parts(s, 32));
    let out = std::slice::from_raw_parts_mut(out, 272);
    let pk = match zkey::parse_zkey(zkey) {
        Ok(pk) => pk,
        Err(e) => return e as i32,
    };
    let w = match zkey::parse_wtns(wtns) {
        Ok(w) => w,
        Err(e) => return e as i32,
    };
    let (r, s) = match (zkey::limbs_at(r, 0), zkey::limbs_at(s, 0)) {
        (Ok(r), Ok(s)) => (r, s),
        _ => return ERR_BAD_RANDOMNESS,
    };
    let threads = if threads == 0 {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    } else {
        threads as usize
    };
    match prove::prove(&pk, &w, &r, &s, threads) {
        Ok((p, phases)) => {
            put_fq(out, 0, &p.a.x);
            put_fq(out, 32, &p.a.y);
            put_fq(out, 64, &p.b.x.c0);
            put_fq(out, 96, &p.b.x.c1);
            put_fq(out, 128, &p.b.y.c0);
            put_fq(out, 160, &p.b.y.c1);
            put_fq(out, 192, &p.c.x);
            put_fq(out, 224, &p.c.y);
            out[256..264].copy_from_slice(&phases.qap_ms.to_le_bytes());
            out[264..272].copy_from_slice(&phases.msm_ms.to_le_bytes());
            0
        }
        Err(prove::ProveError::Parse(e)) => e as i32,
        Err(prove::ProveError::BadRandomness) => ERR_BAD_RANDOMNESS,
        Err(prove::ProveError::Degenerate) => ERR_DEGENERATE,
    }
}

#[cfg(test)]
mod tests {
    use super::field::{Field, Fq, Fr};

    #[test]
    fn montgomery_round_trip_and_inverse() {
        let x = Fr::from_raw(&[12345, 6789, 0, 42]);
        assert_eq!(x.to_raw(), [12345, 6789, 0, 42]);
        assert_eq!(x.mul(&x.inverse()), Fr::one());
        let y = Fq::from_raw(&[3, 0, 0, 0]);
        assert_eq!(y.add(&y).to_raw(), [6, 0, 0, 0]);
        assert_eq!(y.sub(&y.add(&y)).add(&y), Fq::zero());
    }
}
