/** What both sides of bench/proofs-browser.bench.ts prove: the same outputs, the same ids. */
import { BATCH_SIZE } from '../circuits/lib/params.ts';

export const BENCH_WORKER_ID = 'bench-worker';
export const benchOutput = (i: number): Uint8Array => new Uint8Array(1024).map((_, j) => (i * 31 + j) & 0xff);

/** The circuits the bench proves: one result per proof, or a full batch of BATCH_SIZE results. */
export type BenchCircuit = 'result_binding' | 'result_batch';

/** Proof `run`'s batch: BATCH_SIZE tasks with 1 KiB outputs. */
export const benchBatch = (run: number) =>
  Array.from({ length: BATCH_SIZE }, (_, i) => ({
    taskId: `b${run}-${i}`,
    output: benchOutput(run * BATCH_SIZE + i),
  }));
