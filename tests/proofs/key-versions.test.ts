/**
 * End to end on a running orchestrator (real SQLite, libp2p, HTTP; real proofs, 3 of them):
 * the worker's prover loads its keys ONLY over the artifact protocol (its local artifacts dir is
 * an empty temp dir), and a verification-key version is retired and re-added while running:
 * a proof for the retired version is refused with PROOF_VERSION_RETIRED, then accepted again.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { HeadlessWorker } from '../../worker/headless/headless-worker.ts';
import { clearArtifactCache, remoteArtifacts } from '../../worker/prover/remote-artifacts.ts';
import type { WorkerEvent } from '../../worker/runtime/task-loop.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let mesh: TestMesh;
let worker: HeadlessWorker;
const emptyDir = tempDir('shardmesh-no-artifacts-');
const events: WorkerEvent[] = [];

beforeAll(async () => {
  clearArtifactCache(); // nothing left by other tests in this process
  mesh = await startMesh({ workers: 0 });
  worker = new HeadlessWorker({
    orchestrator: mesh.orchestrator.multiaddrs[0],
    gpu: 'off',
    artifactsDir: emptyDir.path,
    onEvent: (e) => events.push(e),
  });
  await worker.start();
});
afterAll(async () => {
  await worker.stop();
  await mesh.stop();
  emptyDir.cleanup();
});

const job = () => ({
  ...buildDemoJob({ tasks: 1, size: 4, redundancy: 1, quorum: 1, smoothAlpha: 0.5 }),
  proof: 'result_binding' as const,
});
const keys = () => mesh.orchestrator.keyVersions!;

/** Resolves with the first event (past `from`) that matches. */
async function nextEvent(from: number, match: (e: WorkerEvent) => boolean, ms: number): Promise<WorkerEvent> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = events.slice(from).find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no matching worker event within ${ms} ms`);
    await Bun.sleep(20);
  }
}

describe('keys over the network, versions at runtime', () => {
  test('a proof-requiring job completes with keys fetched only from the orchestrator', async () => {
    const { jobId } = await mesh.api.submit(job());
    const done = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
    expect(done).toMatchObject({ counts: { total: 1, done: 1 }, replicas: { accepted: 1 } });
    expect(readdirSync(emptyDir.path)).toEqual([]);
  }, 90_000);

  test('retired while running: PROOF_VERSION_RETIRED and gone from the served manifest; re-added: accepted', async () => {
    const v1 = (await keys().activeManifest()).circuits.find((e) => e.circuit === 'result_binding')!;
    await keys().retireVersion('result_binding', v1.version);
    expect(await keys().activeVersions()).not.toContainEqual({
      circuit: 'result_binding',
      version: v1.version,
    });
    const probe = await createNode();
    try {
      const served = await remoteArtifacts(probe, {
        orchestrator: mesh.orchestrator.multiaddrs[0]!,
      }).manifest();
      expect(served.circuits.map((e) => e.circuit)).not.toContain('result_binding');
    } finally {
      await probe.stop();
    }

    const from = events.length;
    const { jobId } = await mesh.api.submit(job());
    // The worker's prover (loaded in the first test) still holds v1: its proof is refused.
    const refused = await nextEvent(from, (e) => e.type === 'frame:refused', 30_000);
    expect(refused).toMatchObject({ code: ErrorCode.ProofVersionRetired });

    await keys().addVersion(v1);
    expect(await keys().activeVersions()).toContainEqual({ circuit: 'result_binding', version: v1.version });
    const done = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
    expect(done).toMatchObject({ counts: { total: 1, done: 1 }, replicas: { accepted: 1, failed: 1 } });
  }, 120_000);
});
