//! Groth16 proving exactly as snarkjs 0.7's groth16_prove.js does it, so that snarkjs's verifier
//! and keys accept the proofs: A, B, C evaluations from the zkey's coefficients, their
//! interpolation moved to the odd coset, H = (A*B - C) there, five MSMs, then the randomizers.
use crate::curve::{Affine, Jacobian};
use crate::field::{Field, Fq, Fq2, Fr};
use crate::msm::msm;
use crate::ntt::{fft, ifft, root_of_unity};
use crate::zkey::{ParseError, ProvingKey};

pub struct Proof {
    pub a: Affine<Fq>,
    pub b: Affine<Fq2>,
    pub c: Affine<Fq>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProveError {
    Parse(ParseError),
    /// r or s is zero or not below the scalar field's modulus.
    BadRandomness,
    /// The proof came out as a point at infinity (a malformed key).
    Degenerate,
}

/// Timings of the phases, ms (for the bench).
#[derive(Default, Clone, Copy)]
pub struct Phases {
    pub qap_ms: f64,
    pub msm_ms: f64,
}

/// Evaluations of A, B (from the coefficients) and C = A * B on the domain, Montgomery form.
fn build_abc(pk: &ProvingKey, w: &[[u64; 4]]) -> (Vec<Fr>, Vec<Fr>, Vec<Fr>) {
    let n = pk.domain_size;
    let mut a = vec![Fr::zero(); n];
    let mut b = vec![Fr::zero(); n];
    for coef in &pk.coefs {
        // value = c * R^2 and the witness is raw, so one Montgomery product gives c * w * R.
        let term = Fr::mont_raw(&coef.value, &w[coef.signal as usize]);
        let slot = if coef.matrix == 0 { &mut a[coef.constraint as usize] } else { &mut b[coef.constraint as usize] };
        *slot = slot.add(&term);
    }
    let c = a.iter().zip(&b).map(|(x, y)| x.mul(y)).collect();
    (a, b, c)
}

/// Evaluations on the odd coset {inc * w^i}: interpolate, shift coefficient i by inc^i, evaluate.
fn to_odd_coset(mut v: Vec<Fr>, inc: &Fr) -> Vec<Fr> {
    ifft(&mut v);
    let mut k = Fr::one();
    for x in v.iter_mut() {
        *x = x.mul(&k);
        k = k.mul(inc);
    }
    fft(&mut v);
    v
}

pub fn prove(pk: &ProvingKey, w: &[[u64; 4]], r: &[u64; 4], s: &[u64; 4], threads: usize) -> Result<(Proof, Phases), ProveError> {
    if w.len() != pk.n_vars {
        return Err(ProveError::Parse(ParseError::WitnessMismatch));
    }
    for k in [r, s] {
        if *k == [0; 4] || crate::field::geq(k, &Fr::P) {
            return Err(ProveError::BadRandomness);
        }
    }
    let started = std::time::Instant::now();
    let power = pk.domain_size.trailing_zeros();
    if power >= 28 {
        return Err(ProveError::Parse(ParseError::Truncated));
    }
    let inc = root_of_unity(power + 1);
    let (a, b, c) = build_abc(pk, w);
    let (a, b, c) = std::thread::scope(|scope| {
        let ha = scope.spawn(|| to_odd_coset(a, &inc));
        let hb = scope.spawn(|| to_odd_coset(b, &inc));
        let c = to_odd_coset(c, &inc);
        (ha.join().unwrap_or_default(), hb.join().unwrap_or_default(), c)
    });
    let h: Vec<[u64; 4]> = (0..pk.domain_size).map(|i| a[i].mul(&b[i]).sub(&c[i]).to_raw()).collect();
    let qap_ms = started.elapsed().as_secs_f64() * 1000.0;

    let pub_end = pk.n_public + 1;
    let pi_a = msm(&pk.a, w, threads);
    let pib1 = msm(&pk.b1, w, threads);
    let pi_b = msm(&pk.b2, w, threads);
    let pi_c = msm(&pk.c, &w[pub_end..], threads);
    let res_h = msm(&pk.h, &h, threads);
    let msm_ms = started.elapsed().as_secs_f64() * 1000.0 - qap_ms;

    let delta1 = Jacobian::from_affine(&pk.delta1);
    let rs = Fr::from_raw(r).mul(&Fr::from_raw(s)).neg().to_raw();
    let pi_a = pi_a.add(&Jacobian::from_affine(&pk.alpha1)).add(&delta1.mul_scalar(r));
    let pi_b = pi_b.add(&Jacobian::from_affine(&pk.beta2)).add(&Jacobian::from_affine(&pk.delta2).mul_scalar(s));
    let pib1 = pib1.add(&Jacobian::from_affine(&pk.beta1)).add(&delta1.mul_scalar(s));
    let pi_c = pi_c
        .add(&res_h)
        .add(&pi_a.mul_scalar(s))
        .add(&pib1.mul_scalar(r))
        .add(&delta1.mul_scalar(&rs));
    let proof = Proof { a: pi_a.to_affine(), b: pi_b.to_affine(), c: pi_c.to_affine() };
    if proof.a.infinity || proof.b.infinity || proof.c.infinity {
        return Err(ProveError::Degenerate);
    }
    Ok((proof, Phases { qap_ms, msm_ms }))
}
