/**
 * The walking skeleton end to end on the real stack: HTTP submit -> SQLite -> task frames over
 * libp2p (TCP, Noise, Yamux) -> two headless workers (WASM preprocessing, matmul) -> results ->
 * quorum of 2 distinct workers -> results over HTTP, checked against a local recomputation.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import { matmulCpu } from '../../shaders/matmul/cpu.ts';
import { decodeMatmulPayload, matmulOutputBytes } from '../../shaders/matmul/payload.ts';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ workers: 2 });
});
afterAll(async () => {
  await mesh.stop();
});

describe('one job through the real parts', () => {
  test('every task is computed by both workers, agreed, and equal to the CPU reference', async () => {
    const { api } = mesh;
    const body = buildDemoJob({ tasks: 24, size: 8, redundancy: 2, quorum: 2, smoothAlpha: 0.5 });
    const { jobId } = await api.submit(body);
    const job = await api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
    expect(job.counts).toMatchObject({ total: 24, done: 24, dead: 0 });

    const results = await api.results(jobId, { inline: true });
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual([...Array(24).keys()]);
    const js = await createPreprocessor({ prefer: 'js' });
    for (const result of results) {
      const task = body.tasks[result.index]!;
      const input = decodeMatmulPayload(Uint8Array.from(Buffer.from(task.payload, 'base64')));
      const output = matmulOutputBytes(matmulCpu(js.ema(input.a, 0.5), input.b, input.m, input.k, input.n));
      expect(result.digest).toBe(await sha256Hex(output));
      expect(Buffer.from(result.output!, 'base64').equals(Buffer.from(output))).toBe(true);
    }

    // Redundancy 2 with two workers: each worker computed every task exactly once.
    const done = mesh.workers.map((w) => w.stats.done);
    expect(done).toEqual([24, 24]);
  }, 90_000);
});
