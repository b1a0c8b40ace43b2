/** Deterministic task payloads for the worker tests, one builder per kind. */
import { type CustomHeader, encodeCustomPayload } from '../../shaders/custom/index.ts';
import { encodeHashReducePayload } from '../../shaders/hash-reduce/payload.ts';
import { encodeMatmulPayload } from '../../shaders/matmul/payload.ts';
import { encodeMontecarloPayload } from '../../shaders/montecarlo/payload.ts';
import { encodeSimilarityPayload } from '../../shaders/similarity/payload.ts';
import { randomF32 } from '../helpers/random.ts';

export const matmulPayload = (m: number, k: number, n: number, seed = 1): Uint8Array =>
  encodeMatmulPayload({ m, k, n, a: randomF32(m * k, seed), b: randomF32(k * n, seed + 1) });

export const montecarloPayload = (seed = 7): Uint8Array =>
  encodeMontecarloPayload({ seed, invocations: 257, samplesPerInvocation: 64 });

export const similarityPayload = (count = 129, dim = 16, k = 5): Uint8Array =>
  encodeSimilarityPayload({
    count,
    dim,
    k,
    query: randomF32(dim, 3),
    vectors: randomF32(count * dim, 4),
  });

export const hashReducePayload = (words = 1000): Uint8Array =>
  encodeHashReducePayload({
    seed: 11,
    words: Uint32Array.from(randomF32(words, 5), (x) => Math.floor((x + 1) * 2 ** 31) >>> 0),
  });

const DOUBLE_WGSL = `@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&src)) { dst[gid.x] = src[gid.x] * 2u + 1u; }
}
`;

/** Researcher WGSL doubling 64 words; `wgsl` swaps in a broken shader. */
export function customPayload(overrides: Partial<CustomHeader> = {}): Uint8Array {
  const words = Uint32Array.from({ length: 64 }, (_, i) => i);
  const bytes = new Uint8Array(words.buffer);
  return encodeCustomPayload({
    header: {
      wgsl: DOUBLE_WGSL,
      entryPoint: 'main',
      workgroupSize: [64],
      dispatch: [1],
      inputs: [{ binding: 0, byteLength: bytes.length }],
      output: { binding: 1, byteLength: bytes.length },
      ...overrides,
    },
    inputs: [bytes],
  });
}

/** A shader that spins `iterations` times (~0.4 s per 3M on SwiftShader here). */
export function spinPayload(iterations: number, timeoutMs: number): Uint8Array {
  const wgsl = `@group(0) @binding(0) var<storage, read> iterations: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(1) fn spin() {
  var x = 1u;
  let n = iterations[0];
  for (var i = 0u; i < n; i++) { x = x * 1664525u + 1013904223u; }
  out[0] = x;
}`;
  return encodeCustomPayload({
    header: {
      wgsl,
      entryPoint: 'spin',
      workgroupSize: [1],
      dispatch: [1],
      inputs: [{ binding: 0, byteLength: 4 }],
      output: { binding: 1, byteLength: 4 },
      timeoutMs,
    },
    inputs: [new Uint8Array(Uint32Array.of(iterations).buffer)],
  });
}
