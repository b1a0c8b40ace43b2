/** What both sides of bench/proofs-browser.bench.ts prove: the same outputs, the same ids. */
export const BENCH_WORKER_ID = 'bench-worker';
export const benchOutput = (i: number): Uint8Array => new Uint8Array(1024).map((_, j) => (i * 31 + j) & 0xff);
