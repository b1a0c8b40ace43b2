//! Deterministic chunking: chunk `i` of a payload of `len` bytes starts at `i * chunk_size` and
//! is `min(chunk_size, len - i * chunk_size)` long. The count is `ceil(len / chunk_size)`, so an
//! empty payload has no chunks and only the last chunk may be short.

use crate::{aligned, ERR_BAD_POINTER, ERR_CHUNK_SIZE_ZERO, ERR_RANGE, OK};

#[inline(always)]
fn count(len: usize, chunk_size: usize) -> usize {
    len / chunk_size + usize::from(len % chunk_size != 0)
}

/// Number of chunks, or `ERR_CHUNK_SIZE_ZERO` (as i64) when `chunk_size == 0`.
/// i64 because a u32 count (len = 2^32 - 1, chunk_size = 1) does not fit an i32.
#[no_mangle]
pub extern "C" fn chunk_count(len: usize, chunk_size: usize) -> i64 {
    if chunk_size == 0 {
        return i64::from(ERR_CHUNK_SIZE_ZERO);
    }
    count(len, chunk_size) as i64
}

/// Writes `n` (offset, length) pairs as u32 for chunks `first .. first + n` into `out`
/// (`2 * n` u32 values). Paging with `first` lets callers use a small fixed output window.
///
/// # Safety
/// `out` must point to `2 * n` writable u32 values when `n > 0`.
#[no_mangle]
pub unsafe extern "C" fn chunk_bounds(len: usize, chunk_size: usize, first: usize, n: usize, out: *mut u32) -> i32 {
    if chunk_size == 0 {
        return ERR_CHUNK_SIZE_ZERO;
    }
    let total = count(len, chunk_size);
    if first > total || n > total - first {
        return ERR_RANGE;
    }
    if n == 0 {
        return OK;
    }
    if !aligned(out) {
        return ERR_BAD_POINTER;
    }
    let mut k = 0;
    while k < n {
        // (first + k) < total, so the offset is < len and cannot overflow.
        let offset = (first + k) * chunk_size;
        let rest = len - offset;
        let length = if rest < chunk_size { rest } else { chunk_size };
        out.add(2 * k).write(offset as u32);
        out.add(2 * k + 1).write(length as u32);
        k += 1;
    }
    OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(chunk_count(0, 4), 0);
        assert_eq!(chunk_count(1, 4), 1);
        assert_eq!(chunk_count(8, 4), 2);
        assert_eq!(chunk_count(9, 4), 3);
        assert_eq!(chunk_count(9, 0), i64::from(ERR_CHUNK_SIZE_ZERO));
    }

    #[test]
    fn bounds_cover_payload() {
        let mut out = [0u32; 6];
        assert_eq!(unsafe { chunk_bounds(9, 4, 0, 3, out.as_mut_ptr()) }, OK);
        assert_eq!(out, [0, 4, 4, 4, 8, 1]);
        assert_eq!(unsafe { chunk_bounds(9, 4, 2, 2, out.as_mut_ptr()) }, ERR_RANGE);
    }
}
