/**
 * Little-endian word <-> byte conversion for payloads and outputs. Typed-array views follow the
 * platform's byte order; every platform WebGPU runs on is little-endian, but the wire format is
 * defined as little-endian, so big-endian hosts swap.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
}

/** The bytes of `words` (taken over, not copied) in little-endian order. */
export function wordsToLeBytes(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  if (!LITTLE_ENDIAN) swapWords(bytes);
  return bytes;
}

/** u32 values as little-endian bytes (a copy). */
export function u32Bytes(values: Uint32Array): Uint8Array {
  return wordsToLeBytes(Uint32Array.from(values));
}

/** Reads `count` little-endian u32 words starting at `byteOffset` (a copy; any alignment). */
export function readU32Le(bytes: Uint8Array, byteOffset: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  const outBytes = new Uint8Array(out.buffer);
  outBytes.set(bytes.subarray(byteOffset, byteOffset + count * 4));
  if (!LITTLE_ENDIAN) swapWords(outBytes);
  return out;
}

export function readF32Le(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  return new Float32Array(readU32Le(bytes, byteOffset, count).buffer);
}
