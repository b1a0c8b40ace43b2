/**
 * When the worker's ResultBatcher proves: full, quiet, at its deadline (before the leases run out),
 * per job, without cancelled members. The prover here only records its requests (the real proof
 * path is covered by batch-check.test.ts and tests/e2e/proofs-batch.test.ts), so this file is fast.
 */
import { describe, expect, test } from 'bun:test';
import { batchNonce } from '../../circuits/lib/batch.ts';
import { BATCH_SIZE } from '../../circuits/lib/params.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { TaskHeader } from '../../protocol/messages.ts';
import type { BatchRequest, Prover } from '../../worker/prover/index.ts';
import { type BatcherOptions, ResultBatcher } from '../../worker/runtime/prove-batch.ts';

function recordingProver(): { prover: Prover; calls: BatchRequest[] } {
  const calls: BatchRequest[] = [];
  const prover = {
    versions: { result_batch: 1 },
    proveBatch: async (req: BatchRequest) => {
      calls.push(req);
      return {
        circuit: 'result_batch',
        version: 1,
        proof: { call: calls.length },
        publicSignals: ['1', '2', '3'],
        timings: { witnessMs: 0, proveMs: 0 },
        root: 1n,
        leafDigests: req.items.map((_, i) => BigInt(i + 10)),
      };
    },
  } as unknown as Prover;
  return { prover, calls };
}

let n = 0;
const task = (jobId: string, leaseMs = 60_000): TaskHeader => {
  n++;
  return {
    v: 1,
    payloadLength: 0,
    payloadSha256: '0'.repeat(64),
    type: 'task',
    jobId,
    taskId: `task-${n}`,
    replicaId: `rep-${n}`,
    kind: 'k',
    seed: n,
    attempt: 1,
    leaseExpiresAt: Date.now() + leaseMs,
    params: {},
    proof: { circuit: 'result_batch', nonce: `nonce-${n}` },
  };
};

const setup = (opts: BatcherOptions) => {
  const { prover, calls } = recordingProver();
  return { batcher: new ResultBatcher('w', async () => prover, opts), calls };
};
const live = () => new AbortController().signal;
const out = new Uint8Array([1, 2, 3]);

describe('ResultBatcher', () => {
  test('a full batch is proved at once; the listing names its replicas and nonces in order', async () => {
    const { batcher, calls } = setup({ maxLeaves: 2, quietMs: 60_000, maxWaitMs: 60_000 });
    const [a, b] = [task('j'), task('j')];
    const proofs = await Promise.all([batcher.add(a, out, live()), batcher.add(b, out, live())]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      workerId: 'w',
      nonce: batchNonce([`nonce-${a.seed}`, `nonce-${b.seed}`]),
    });
    expect(proofs[0]).toBe(proofs[1] as never);
    expect(proofs[0]).toMatchObject({
      batch: { replicas: [a.replicaId, b.replicaId] },
    });
    expect(batcher.size).toBe(0);
  });

  test('a partial batch is proved once no member joined for quietMs', async () => {
    const { batcher, calls } = setup({ quietMs: 30, maxWaitMs: 60_000 });
    const started = performance.now();
    await Promise.all([1, 2, 3].map(() => batcher.add(task('j'), out, live())));
    expect(calls.map((c) => c.items.length)).toEqual([3]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  test('more than BATCH_SIZE replicas are two proofs; jobs are never mixed', async () => {
    const { batcher, calls } = setup({ quietMs: 30 });
    await Promise.all([
      ...Array.from({ length: BATCH_SIZE + 1 }, () => batcher.add(task('j1'), out, live())),
      batcher.add(task('j2'), out, live()),
    ]);
    expect(calls.map((c) => c.items.length).sort((x, y) => x - y)).toEqual([1, 1, BATCH_SIZE]);
  });

  test('a batch is proved before its earliest lease runs out, however quiet it is', async () => {
    const { batcher, calls } = setup({ quietMs: 60_000, maxWaitMs: 60_000, leaseMarginMs: 1_000 });
    const started = performance.now();
    await Promise.all([batcher.add(task('j'), out, live()), batcher.add(task('j', 1_100), out, live())]);
    const waited = performance.now() - started;
    expect(calls.map((c) => c.items.length)).toEqual([2]);
    expect(waited).toBeGreaterThanOrEqual(50);
    expect(waited).toBeLessThan(2_000);
  });

  test('a short lease keeps half its time: the batch still waits for more members', async () => {
    const { batcher, calls } = setup({ quietMs: 60_000, maxWaitMs: 60_000, leaseMarginMs: 60_000 });
    const started = performance.now();
    await batcher.add(task('j', 300), out, live());
    const waited = performance.now() - started;
    expect(calls).toHaveLength(1);
    expect(waited).toBeGreaterThanOrEqual(100); // ~150 ms: half of the 300 ms left, not 0
    expect(waited).toBeLessThan(1_000); // not immediate, not at the 60 s margin either
  });

  test('...and at maxWaitMs after its first member', async () => {
    const { batcher, calls } = setup({ quietMs: 60_000, maxWaitMs: 60 });
    await batcher.add(task('j'), out, live());
    expect(calls).toHaveLength(1);
  });

  test('a cancelled member leaves the batch; a batch left empty is not proved', async () => {
    const { batcher, calls } = setup({ quietMs: 40 });
    const cancel = new AbortController();
    const gone = batcher.add(task('j'), out, cancel.signal);
    const kept = batcher.add(task('j'), out, live());
    cancel.abort();
    expect(
      await gone.then(
        () => 'resolved',
        (e: { code?: string }) => e.code,
      ),
    ).toBe(ErrorCode.Aborted);
    await kept;
    expect(calls.map((c) => c.items.length)).toEqual([1]);

    const alone = new AbortController();
    const lone = batcher.add(task('j3'), out, alone.signal);
    alone.abort();
    await lone.catch(() => {});
    await Bun.sleep(60);
    expect(calls).toHaveLength(1);
    expect(batcher.size).toBe(0);
  });

  test('a task without a nonce cannot join a batch', () => {
    const { batcher } = setup({});
    const { proof: _, ...bare } = task('j');
    expect(() => batcher.add(bare, out, live())).toThrow(
      expect.objectContaining({ code: ErrorCode.ProverFailed }),
    );
  });
});
