//! Reading snarkjs's binary files: a Groth16 zkey (proving key) and a wtns (witness). Both are
//! "binfiles": 4-byte magic, u32 version, u32 section count, then (u32 type, u64 size, bytes).
//! Field elements and points are little-endian; zkey points are in Montgomery form ("LEM").
use crate::curve::Affine;
use crate::field::{geq, Field, Fq, Fq2, Fr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    BadMagic = -1,
    Truncated = -2,
    MissingSection = -3,
    NotGroth16 = -4,
    WrongCurve = -5,
    BadPoint = -6,
    WitnessMismatch = -7,
    BadScalar = -8,
}

pub struct Coef {
    pub matrix: u32,
    pub constraint: u32,
    pub signal: u32,
    /// coef * R^2 mod r, standard form (what snarkjs writes).
    pub value: [u64; 4],
}

pub struct ProvingKey {
    pub n_vars: usize,
    pub n_public: usize,
    pub domain_size: usize,
    pub alpha1: Affine<Fq>,
    pub beta1: Affine<Fq>,
    pub beta2: Affine<Fq2>,
    pub delta1: Affine<Fq>,
    pub delta2: Affine<Fq2>,
    pub coefs: Vec<Coef>,
    pub a: Vec<Affine<Fq>>,
    pub b1: Vec<Affine<Fq>>,
    pub b2: Vec<Affine<Fq2>>,
    pub c: Vec<Affine<Fq>>,
    pub h: Vec<Affine<Fq>>,
}

fn sections<'a>(bytes: &'a [u8], magic: &[u8; 4]) -> Result<Vec<(u32, &'a [u8])>, ParseError> {
    if bytes.len() < 12 || &bytes[0..4] != magic {
        return Err(ParseError::BadMagic);
    }
    let count = u32_at(bytes, 8)? as usize;
    let mut out = Vec::with_capacity(count);
    let mut at = 12usize;
    for _ in 0..count {
        let kind = u32_at(bytes, at)?;
        let size = u64_at(bytes, at + 4)? as usize;
        let start = at + 12;
        let end = start.checked_add(size).ok_or(ParseError::Truncated)?;
        if end > bytes.len() {
            return Err(ParseError::Truncated);
        }
        out.push((kind, &bytes[start..end]));
        at = end;
    }
    Ok(out)
}

fn section<'a>(all: &[(u32, &'a [u8])], kind: u32) -> Result<&'a [u8], ParseError> {
    all.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s).ok_or(ParseError::MissingSection)
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, ParseError> {
    let s = b.get(at..at + 4).ok_or(ParseError::Truncated)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> Result<u64, ParseError> {
    let s = b.get(at..at + 8).ok_or(ParseError::Truncated)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Ok(u64::from_le_bytes(a))
}

pub fn limbs_at(b: &[u8], at: usize) -> Result<[u64; 4], ParseError> {
    Ok([u64_at(b, at)?, u64_at(b, at + 8)?, u64_at(b, at + 16)?, u64_at(b, at + 24)?])
}

fn fq_at(b: &[u8], at: usize) -> Result<Fq, ParseError> {
    let l = limbs_at(b, at)?;
    if geq(&l, &Fq::P) {
        return Err(ParseError::BadPoint);
    }
    Ok(Fq::from_mont_limbs(l))
}

fn g1_at(b: &[u8], at: usize) -> Result<Affine<Fq>, ParseError> {
    let (x, y) = (fq_at(b, at)?, fq_at(b, at + 32)?);
    Ok(Affine { x, y, infinity: x.is_zero() && y.is_zero() })
}

fn g2_at(b: &[u8], at: usize) -> Result<Affine<Fq2>, ParseError> {
    let x = Fq2 { c0: fq_at(b, at)?, c1: fq_at(b, at + 32)? };
    let y = Fq2 { c0: fq_at(b, at + 64)?, c1: fq_at(b, at + 96)? };
    Ok(Affine { x, y, infinity: x.is_zero() && y.is_zero() })
}

/// y^2 = x^3 + 3 (G1); the check that the header points are what they claim to be.
fn on_g1(p: &Affine<Fq>) -> bool {
    let three = Fq::from_raw(&[3, 0, 0, 0]);
    p.infinity || p.y.square() == p.x.square().mul(&p.x).add(&three)
}

fn points<T>(s: &[u8], count: usize, size: usize, read: fn(&[u8], usize) -> Result<T, ParseError>) -> Result<Vec<T>, ParseError> {
    if s.len() < count * size {
        return Err(ParseError::Truncated);
    }
    (0..count).map(|i| read(s, i * size)).collect()
}

const BN254_Q: [u64; 4] = Fq::P;
const BN254_R: [u64; 4] = Fr::P;

pub fn parse_zkey(bytes: &[u8]) -> Result<ProvingKey, ParseError> {
    let all = sections(bytes, b"zkey")?;
    if u32_at(section(&all, 1)?, 0)? != 1 {
        return Err(ParseError::NotGroth16);
    }
    let h = section(&all, 2)?;
    if u32_at(h, 0)? != 32 || limbs_at(h, 4)? != BN254_Q || u32_at(h, 36)? != 32 || limbs_at(h, 40)? != BN254_R {
        return Err(ParseError::WrongCurve);
    }
    let n_vars = u32_at(h, 72)? as usize;
    let n_public = u32_at(h, 76)? as usize;
    let domain_size = u32_at(h, 80)? as usize;
    if !domain_size.is_power_of_two() || n_public + 1 > n_vars {
        return Err(ParseError::Truncated);
    }
    let at = 84;
    let alpha1 = g1_at(h, at)?;
    let beta1 = g1_at(h, at + 64)?;
    let beta2 = g2_at(h, at + 128)?;
    // gamma2 (at + 256) only matters to verifiers.
    let delta1 = g1_at(h, at + 384)?;
    let delta2 = g2_at(h, at + 448)?;
    if !on_g1(&alpha1) || !on_g1(&beta1) || !on_g1(&delta1) {
        return Err(ParseError::BadPoint);
    }
    let cs = section(&all, 4)?;
    let n_coef = u32_at(cs, 0)? as usize;
    if cs.len() < 4 + n_coef * 44 {
        return Err(ParseError::Truncated);
    }
    let mut coefs = Vec::with_capacity(n_coef);
    for i in 0..n_coef {
        let o = 4 + i * 44;
        let coef = Coef {
            matrix: u32_at(cs, o)?,
            constraint: u32_at(cs, o + 4)?,
            signal: u32_at(cs, o + 8)?,
            value: limbs_at(cs, o + 12)?,
        };
        if coef.matrix > 1 || coef.constraint as usize >= domain_size || coef.signal as usize >= n_vars {
            return Err(ParseError::Truncated);
        }
        coefs.push(coef);
    }
    Ok(ProvingKey {
        n_vars,
        n_public,
        domain_size,
        alpha1,
        beta1,
        beta2,
        delta1,
        delta2,
        coefs,
        a: points(section(&all, 5)?, n_vars, 64, g1_at)?,
        b1: points(section(&all, 6)?, n_vars, 64, g1_at)?,
        b2: points(section(&all, 7)?, n_vars, 128, g2_at)?,
        c: points(section(&all, 8)?, n_vars - n_public - 1, 64, g1_at)?,
        h: points(section(&all, 9)?, domain_size, 64, g1_at)?,
    })
}

/// The witness values (standard form), checked to be field elements of BN254's r.
pub fn parse_wtns(bytes: &[u8]) -> Result<Vec<[u64; 4]>, ParseError> {
    let all = sections(bytes, b"wtns")?;
    let h = section(&all, 1)?;
    if u32_at(h, 0)? != 32 || limbs_at(h, 4)? != BN254_R {
        return Err(ParseError::WrongCurve);
    }
    let n = u32_at(h, 36)? as usize;
    let data = section(&all, 2)?;
    if data.len() < n * 32 {
        return Err(ParseError::Truncated);
    }
    (0..n)
        .map(|i| {
            let v = limbs_at(data, i * 32)?;
            if geq(&v, &BN254_R) {
                Err(ParseError::BadScalar)
            } else {
                Ok(v)
            }
        })
        .collect()
}
