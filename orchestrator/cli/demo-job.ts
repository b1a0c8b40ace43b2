/**
 * The demo's job: a few dozen small f32 matmul tasks with inputs from a seeded PRNG, so every
 * run submits the same bytes and the expected digests can be recomputed locally.
 */
import { TaskKind } from '../../protocol/task-kinds.ts';
import { encodeMatmulPayload } from '../../shaders/matmul/payload.ts';

export interface DemoJobOptions {
  tasks: number;
  /** Side of the square matrices. */
  size: number;
  redundancy: number;
  quorum: number;
  smoothAlpha: number;
}

/** mulberry32: tiny, deterministic, good enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildDemoJob(opts: DemoJobOptions) {
  const tasks = Array.from({ length: opts.tasks }, (_, index) => {
    const seed = (index * 2654435761) >>> 0;
    const next = prng(seed);
    const n = opts.size;
    const a = Float32Array.from({ length: n * n }, () => next() * 2 - 1);
    const b = Float32Array.from({ length: n * n }, () => next() * 2 - 1);
    const payload = encodeMatmulPayload({ m: n, k: n, n, a, b });
    return {
      seed,
      payload: Buffer.from(payload).toString('base64'),
      params: { smoothAlpha: opts.smoothAlpha },
    };
  });
  return { kind: TaskKind.matmul, redundancy: opts.redundancy, quorum: opts.quorum, tasks };
}
