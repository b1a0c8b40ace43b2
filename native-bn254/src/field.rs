//! Prime fields of BN254 in Montgomery form (R = 2^256), four little-endian 64-bit limbs: the same
//! representation as ffjavascript's "LEM" bytes in a zkey, so points load without conversion.

/// What the curve, MSM and FFT code needs from a field.
pub trait Field: Copy + PartialEq {
    fn zero() -> Self;
    fn one() -> Self;
    fn add(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn is_zero(&self) -> bool;
    fn square(&self) -> Self {
        self.mul(self)
    }
    fn double(&self) -> Self {
        self.add(self)
    }
    fn inverse(&self) -> Self;
}

#[inline(always)]
fn mac(t: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let v = t as u128 + (a as u128) * (b as u128) + carry as u128;
    (v as u64, (v >> 64) as u64)
}

#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let v = a as u128 + b as u128 + carry as u128;
    (v as u64, (v >> 64) as u64)
}

#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let v = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (v as u64, (v >> 127) as u64)
}

#[inline(always)]
pub fn geq(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

#[inline(always)]
pub fn sub_limbs(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let mut r = [0u64; 4];
    let mut borrow = 0;
    for i in 0..4 {
        let (v, bo) = sbb(a[i], b[i], borrow);
        r[i] = v;
        borrow = bo;
    }
    r
}

#[inline(always)]
fn add_limbs(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let mut r = [0u64; 4];
    let mut carry = 0;
    for i in 0..4 {
        let (v, c) = adc(a[i], b[i], carry);
        r[i] = v;
        carry = c;
    }
    r
}

/// CIOS Montgomery multiplication: a * b / 2^256 mod p, for p < 2^254.
#[inline(always)]
pub fn mont_mul(a: &[u64; 4], b: &[u64; 4], p: &[u64; 4], inv: u64) -> [u64; 4] {
    let mut t = [0u64; 6];
    for i in 0..4 {
        let mut carry = 0;
        for j in 0..4 {
            let (lo, hi) = mac(t[j], a[j], b[i], carry);
            t[j] = lo;
            carry = hi;
        }
        let (lo, hi) = adc(t[4], carry, 0);
        t[4] = lo;
        t[5] = hi;
        let m = t[0].wrapping_mul(inv);
        let (_, mut carry) = mac(t[0], m, p[0], 0);
        for j in 1..4 {
            let (lo, hi) = mac(t[j], m, p[j], carry);
            t[j - 1] = lo;
            carry = hi;
        }
        let (lo, hi) = adc(t[4], carry, 0);
        t[3] = lo;
        t[4] = t[5] + hi;
    }
    let r = [t[0], t[1], t[2], t[3]];
    if t[4] != 0 || geq(&r, p) {
        sub_limbs(&r, p)
    } else {
        r
    }
}

macro_rules! prime_field {
    ($name:ident, $p:expr, $inv:expr, $one:expr, $r2:expr) => {
        #[derive(Copy, Clone, PartialEq, Eq, Debug)]
        pub struct $name(pub [u64; 4]);

        impl $name {
            pub const P: [u64; 4] = $p;
            const INV: u64 = $inv;
            const R2: [u64; 4] = $r2;

            /// From a standard-form integer (must be < p).
            pub fn from_raw(v: &[u64; 4]) -> Self {
                $name(mont_mul(v, &Self::R2, &Self::P, Self::INV))
            }

            /// The standard-form integer.
            pub fn to_raw(&self) -> [u64; 4] {
                mont_mul(&self.0, &[1, 0, 0, 0], &Self::P, Self::INV)
            }

            /// `raw` as limbs already in Montgomery form (checked < p by the caller).
            pub fn from_mont_limbs(raw: [u64; 4]) -> Self {
                $name(raw)
            }

            /// Montgomery product of raw limbs: `mont_raw(a, b)` = a * b / R, as snarkjs's
            /// coefficient trick needs (coefficient stored as c * R^2, witness in standard form).
            pub fn mont_raw(a: &[u64; 4], b: &[u64; 4]) -> Self {
                $name(mont_mul(a, b, &Self::P, Self::INV))
            }

            pub fn pow(&self, e: &[u64; 4]) -> Self {
                let mut r = Self::one();
                for i in (0..4).rev() {
                    for bit in (0..64).rev() {
                        r = r.square();
                        if (e[i] >> bit) & 1 == 1 {
                            r = r.mul(self);
                        }
                    }
                }
                r
            }

            pub fn neg(&self) -> Self {
                Self::zero().sub(self)
            }
        }

        impl Field for $name {
            fn zero() -> Self {
                $name([0; 4])
            }
            fn one() -> Self {
                $name($one)
            }
            #[inline(always)]
            fn add(&self, o: &Self) -> Self {
                let r = add_limbs(&self.0, &o.0);
                $name(if geq(&r, &Self::P) { sub_limbs(&r, &Self::P) } else { r })
            }
            #[inline(always)]
            fn sub(&self, o: &Self) -> Self {
                if geq(&self.0, &o.0) {
                    $name(sub_limbs(&self.0, &o.0))
                } else {
                    $name(add_limbs(&sub_limbs(&self.0, &o.0), &Self::P))
                }
            }
            #[inline(always)]
            fn mul(&self, o: &Self) -> Self {
                $name(mont_mul(&self.0, &o.0, &Self::P, Self::INV))
            }
            fn is_zero(&self) -> bool {
                self.0 == [0; 4]
            }
            fn inverse(&self) -> Self {
                let mut e = Self::P;
                e[0] -= 2; // p - 2: Fermat (p is odd and > 2, so no borrow)
                self.pow(&e)
            }
        }
    };
}

prime_field!(
    Fq,
    [0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029],
    0x87d20782e4866389,
    [0xd35d438dc58f0d9d, 0x0a78eb28f5c70b3d, 0x666ea36f7879462c, 0x0e0a77c19a07df2f],
    [0xf32cfc5b538afa89, 0xb5e71911d44501fb, 0x47ab1eff0a417ff6, 0x06d89f71cab8351f]
);

prime_field!(
    Fr,
    [0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029],
    0xc2e1f593efffffff,
    [0xac96341c4ffffffb, 0x36fc76959f60cd29, 0x666ea36f7879462e, 0x0e0a77c19a07df2f],
    [0x1bb8e645ae216da7, 0x53fe3ab1e35c59e3, 0x8c49833d53bb8085, 0x0216d0b17f4e44a5]
);

/// Quadratic extension Fq[u] / (u^2 + 1), the field of G2's coordinates.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Fq2 {
    pub c0: Fq,
    pub c1: Fq,
}

impl Field for Fq2 {
    fn zero() -> Self {
        Fq2 { c0: Fq::zero(), c1: Fq::zero() }
    }
    fn one() -> Self {
        Fq2 { c0: Fq::one(), c1: Fq::zero() }
    }
    #[inline(always)]
    fn add(&self, o: &Self) -> Self {
        Fq2 { c0: self.c0.add(&o.c0), c1: self.c1.add(&o.c1) }
    }
    #[inline(always)]
    fn sub(&self, o: &Self) -> Self {
        Fq2 { c0: self.c0.sub(&o.c0), c1: self.c1.sub(&o.c1) }
    }
    #[inline(always)]
    fn mul(&self, o: &Self) -> Self {
        // Karatsuba: three base multiplications.
        let v0 = self.c0.mul(&o.c0);
        let v1 = self.c1.mul(&o.c1);
        let s = self.c0.add(&self.c1).mul(&o.c0.add(&o.c1));
        Fq2 { c0: v0.sub(&v1), c1: s.sub(&v0).sub(&v1) }
    }
    fn is_zero(&self) -> bool {
        self.c0.is_zero() && self.c1.is_zero()
    }
    fn inverse(&self) -> Self {
        // 1 / (a + bu) = (a - bu) / (a^2 + b^2)
        let norm = self.c0.square().add(&self.c1.square()).inverse();
        Fq2 { c0: self.c0.mul(&norm), c1: self.c1.mul(&norm).neg() }
    }
}
