//! SHA-256 (FIPS 180-4), streaming, so the loader can hash a large buffer through a small window
//! of wasm memory instead of copying it all in. A synchronous digest for browsers, where
//! `crypto.subtle.digest` is async only. It is scalar code: node:crypto, Bun.CryptoHasher and
//! crypto.subtle run native SHA-NI/AVX2 code and are faster on large buffers.

use crate::{aligned, ERR_BAD_POINTER, OK};

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

#[repr(C)]
pub struct Sha256 {
    h: [u32; 8],
    buf: [u8; 64],
    buf_len: usize,
    total_len: u64,
}

impl Sha256 {
    fn new() -> Self {
        Sha256 {
            h: H0,
            buf: [0; 64],
            buf_len: 0,
            total_len: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.total_len = self.total_len.wrapping_add(data.len() as u64);
        if self.buf_len > 0 {
            let take = (64 - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < 64 {
                return;
            }
            let block = self.buf;
            compress(&mut self.h, &block);
            self.buf_len = 0;
        }
        let mut blocks = data.chunks_exact(64);
        for block in &mut blocks {
            // chunks_exact guarantees 64 bytes; the conversion cannot fail.
            if let Ok(block) = <&[u8; 64]>::try_from(block) {
                compress(&mut self.h, block);
            }
        }
        let rest = blocks.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    fn finish(&mut self) -> [u8; 32] {
        let bit_len = self.total_len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        // Pad to 56 mod 64, then the 64-bit big-endian bit length.
        let pad_len = if self.buf_len < 56 {
            56 - self.buf_len
        } else {
            120 - self.buf_len
        };
        pad[pad_len..pad_len + 8].copy_from_slice(&bit_len.to_be_bytes());
        let total = self.total_len;
        self.update(&pad[..pad_len + 8]);
        self.total_len = total;
        let mut out = [0u8; 32];
        for (i, word) in self.h.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

#[inline(always)]
fn big_s0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}

#[inline(always)]
fn big_s1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}

/// Message word `i` for rounds 0..16: read straight from the block.
#[inline(always)]
fn load(w: &mut [u32; 16], i: usize) -> u32 {
    w[i & 15]
}

/// Message word `i` for rounds 16..64, kept in a rolling 16-word window.
#[inline(always)]
fn expand(w: &mut [u32; 16], i: usize) -> u32 {
    let w15 = w[(i + 1) & 15];
    let w2 = w[(i + 14) & 15];
    let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
    let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
    w[i & 15] = w[i & 15]
        .wrapping_add(s0)
        .wrapping_add(w[(i + 9) & 15])
        .wrapping_add(s1);
    w[i & 15]
}

// Rounds are fully unrolled and the working variables renamed instead of shifted: with constant
// indices everything stays in wasm locals (measured 1.15x faster in Bun, 1.3x in V8, than the
// rolled 64-round loop with a 64-word schedule array).
macro_rules! round {
    ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $kw:expr) => {{
        let t1 = $h
            .wrapping_add(big_s1($e))
            .wrapping_add($g ^ ($e & ($f ^ $g)))
            .wrapping_add($kw);
        $d = $d.wrapping_add(t1);
        $h = t1.wrapping_add(big_s0($a)).wrapping_add(($a & $b) ^ ($c & ($a ^ $b)));
    }};
}

macro_rules! eight_rounds {
    ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $w:ident, $i:expr, $msg:ident) => {
        round!(
            $a,
            $b,
            $c,
            $d,
            $e,
            $f,
            $g,
            $h,
            K[$i].wrapping_add($msg(&mut $w, $i))
        );
        round!(
            $h,
            $a,
            $b,
            $c,
            $d,
            $e,
            $f,
            $g,
            K[$i + 1].wrapping_add($msg(&mut $w, $i + 1))
        );
        round!(
            $g,
            $h,
            $a,
            $b,
            $c,
            $d,
            $e,
            $f,
            K[$i + 2].wrapping_add($msg(&mut $w, $i + 2))
        );
        round!(
            $f,
            $g,
            $h,
            $a,
            $b,
            $c,
            $d,
            $e,
            K[$i + 3].wrapping_add($msg(&mut $w, $i + 3))
        );
        round!(
            $e,
            $f,
            $g,
            $h,
            $a,
            $b,
            $c,
            $d,
            K[$i + 4].wrapping_add($msg(&mut $w, $i + 4))
        );
        round!(
            $d,
            $e,
            $f,
            $g,
            $h,
            $a,
            $b,
            $c,
            K[$i + 5].wrapping_add($msg(&mut $w, $i + 5))
        );
        round!(
            $c,
            $d,
            $e,
            $f,
            $g,
            $h,
            $a,
            $b,
            K[$i + 6].wrapping_add($msg(&mut $w, $i + 6))
        );
        round!(
            $b,
            $c,
            $d,
            $e,
            $f,
            $g,
            $h,
            $a,
            K[$i + 7].wrapping_add($msg(&mut $w, $i + 7))
        );
    };
}

// One out-of-line copy: it is shared by the streaming and one-shot paths (half the module size),
// and a small hot function tiers up quickly in JSC and V8.
#[inline(never)]
fn compress(h: &mut [u32; 8], block: &[u8; 64]) {
    let mut w = [0u32; 16];
    for (t, word) in w.iter_mut().enumerate() {
        *word = u32::from_be_bytes([block[4 * t], block[4 * t + 1], block[4 * t + 2], block[4 * t + 3]]);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 0, load);
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 8, load);
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 16, expand);
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 24, expand);
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 32, expand);
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 40, expand);
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 48, expand);
    eight_rounds!(a, b, c, d, e, f, g, hh, w, 56, expand);
    h[0] = h[0].wrapping_add(a);
    h[1] = h[1].wrapping_add(b);
    h[2] = h[2].wrapping_add(c);
    h[3] = h[3].wrapping_add(d);
    h[4] = h[4].wrapping_add(e);
    h[5] = h[5].wrapping_add(f);
    h[6] = h[6].wrapping_add(g);
    h[7] = h[7].wrapping_add(hh);
}

unsafe fn input<'a>(data: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        Some(&[])
    } else if data.is_null() {
        None
    } else {
        Some(std::slice::from_raw_parts(data, len))
    }
}

/// Bytes the caller must allocate for one streaming state (8-byte aligned).
#[no_mangle]
pub extern "C" fn sha256_state_size() -> usize {
    std::mem::size_of::<Sha256>()
}

/// # Safety
/// `state` must point to `sha256_state_size()` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn sha256_init(state: *mut Sha256) -> i32 {
    if !aligned(state) {
        return ERR_BAD_POINTER;
    }
    state.write(Sha256::new());
    OK
}

/// # Safety
/// `state` must have been initialised by `sha256_init`; `data` must point to `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn sha256_update(state: *mut Sha256, data: *const u8, len: usize) -> i32 {
    if !aligned(state) {
        return ERR_BAD_POINTER;
    }
    match input(data, len) {
        Some(bytes) => {
            (*state).update(bytes);
            OK
        }
        None => ERR_BAD_POINTER,
    }
}

/// Writes the 32-byte digest to `out`. The state must be re-initialised before reuse.
///
/// # Safety
/// `state` must have been initialised by `sha256_init`; `out` must point to 32 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn sha256_final(state: *mut Sha256, out: *mut u8) -> i32 {
    if !aligned(state) || out.is_null() {
        return ERR_BAD_POINTER;
    }
    let digest = (*state).finish();
    std::ptr::copy_nonoverlapping(digest.as_ptr(), out, 32);
    OK
}

/// One-shot digest of `len` bytes at `data` into the 32 bytes at `out`.
///
/// # Safety
/// `data` must point to `len` bytes and `out` to 32 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn sha256(data: *const u8, len: usize, out: *mut u8) -> i32 {
    let bytes = match input(data, len) {
        Some(bytes) => bytes,
        None => return ERR_BAD_POINTER,
    };
    if out.is_null() {
        return ERR_BAD_POINTER;
    }
    let mut state = Sha256::new();
    state.update(bytes);
    let digest = state.finish();
    std::ptr::copy_nonoverlapping(digest.as_ptr(), out, 32);
    OK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{:02x}", b)).collect()
    }

    fn digest(data: &[u8]) -> String {
        let mut s = Sha256::new();
        s.update(data);
        hex(&s.finish())
    }

    #[test]
    fn known_vectors() {
        assert_eq!(
            digest(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn streaming_matches_one_shot() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut s = Sha256::new();
        for part in data.chunks(37) {
            s.update(part);
        }
        assert_eq!(hex(&s.finish()), digest(&data));
    }
}
