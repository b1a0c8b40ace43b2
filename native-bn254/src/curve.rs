//! Short-Weierstrass points with a = 0 (BN254's G1 over Fq and G2 over Fq2) in Jacobian
//! coordinates; Z = 0 is the point at infinity. Formulas from the Explicit-Formulas Database:
//! dbl-2009-l, madd-2007-bl, add-2007-bl.
use crate::field::Field;

#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Affine<F: Field> {
    pub x: F,
    pub y: F,
    /// The point at infinity (stored as x = y = 0 in a zkey).
    pub infinity: bool,
}

#[derive(Copy, Clone, Debug)]
pub struct Jacobian<F: Field> {
    pub x: F,
    pub y: F,
    pub z: F,
}

impl<F: Field> Jacobian<F> {
    pub fn infinity() -> Self {
        Jacobian { x: F::one(), y: F::one(), z: F::zero() }
    }

    pub fn is_infinity(&self) -> bool {
        self.z.is_zero()
    }

    pub fn from_affine(p: &Affine<F>) -> Self {
        if p.infinity {
            Self::infinity()
        } else {
            Jacobian { x: p.x, y: p.y, z: F::one() }
        }
    }

    pub fn double(&self) -> Self {
        if self.is_infinity() {
            return *self;
        }
        let a = self.x.square();
        let b = self.y.square();
        let c = b.square();
        let d = self.x.add(&b).square().sub(&a).sub(&c).double();
        let e = a.double().add(&a);
        let f = e.square();
        let x3 = f.sub(&d.double());
        let y3 = e.mul(&d.sub(&x3)).sub(&c.double().double().double());
        let z3 = self.y.mul(&self.z).double();
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// self + q for an affine q.
    pub fn add_affine(&self, q: &Affine<F>) -> Self {
        if q.infinity {
            return *self;
        }
        if self.is_infinity() {
            return Self::from_affine(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y).double();
        if h.is_zero() {
            return if r.is_zero() { self.double() } else { Self::infinity() };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    pub fn add(&self, q: &Self) -> Self {
        if q.is_infinity() {
            return *self;
        }
        if self.is_infinity() {
            return *q;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1).double();
        if h.is_zero() {
            return if r.is_zero() { self.double() } else { Self::infinity() };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    pub fn neg(&self) -> Self {
        Jacobian { x: self.x, y: F::zero().sub(&self.y), z: self.z }
    }

    /// k * self for a standard-form scalar k (double and add, most significant bit first).
    pub fn mul_scalar(&self, k: &[u64; 4]) -> Self {
        let mut acc = Self::infinity();
        for i in (0..4).rev() {
            for bit in (0..64).rev() {
                acc = acc.double();
                if (k[i] >> bit) & 1 == 1 {
                    acc = acc.add(self);
                }
            }
        }
        acc
    }

    pub fn to_affine(&self) -> Affine<F> {
        if self.is_infinity() {
            return Affine { x: F::zero(), y: F::zero(), infinity: true };
        }
        let zinv = self.z.inverse();
        let zinv2 = zinv.square();
        Affine { x: self.x.mul(&zinv2), y: self.y.mul(&zinv2).mul(&zinv), infinity: false }
    }
}
