/**
 * Proof references with real Groth16 proofs, end to end: two headless workers prove a task of a
 * proof-requiring job, the orchestrator verifies both proofs, and the accepted task's log record
 * names exactly the fingerprints its replay guard consumed, one per agreeing worker; `log
 * verify` at the origin passes. (Two real proofs, local keys: ~10 s on this shared machine.)
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { parseProofRef } from '../../orchestrator/mesh/proof-refs.ts';
import { verifyLog } from '../../orchestrator/mesh/verify-log.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ workers: 2, worker: { gpu: 'off', proverArtifacts: 'local' } });
});
afterAll(async () => {
  await mesh.stop();
});

test('the record of a proved task references the proofs the orchestrator verified', async () => {
  const body = {
    ...buildDemoJob({ tasks: 1, size: 4, redundancy: 2, quorum: 2, smoothAlpha: 0.5 }),
    proof: 'result_binding' as const,
  };
  const { jobId } = await mesh.api.submit(body);
  await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
  const meshPart = mesh.orchestrator.mesh;
  if (meshPart === undefined) throw new Error('mesh off');
  const origin = meshPart.log.origin;
  const record =
    meshPart.store.head(origin) && meshPart.store.get(origin, meshPart.store.head(origin)?.seq ?? 0);
  expect(record?.jobId).toBe(jobId);
  const ref = parseProofRef(record?.proof ?? '');
  expect(ref?.circuit).toBe('result_binding');
  const consumed = meshPart.store.db
    .query<{ value: string; worker_id: string }, []>(
      "SELECT value, worker_id FROM proof_replay_guard WHERE kind = 'proof' ORDER BY worker_id",
    )
    .all();
  expect(record?.workers).toEqual(consumed.map((c) => c.worker_id));
  expect(ref?.entries.map((e) => e.proofHash)).toEqual(consumed.map((c) => c.value));
  const report = await verifyLog(meshPart.store);
  expect(report.ok).toBe(true);
}, 90_000);
