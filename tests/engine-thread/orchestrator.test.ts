/**
 * The orchestrator with its engine thread on (`engineThread: true`, SHARDMESH_ENGINE_THREAD=1):
 * the same job through the real parts as the skeleton test, with the group commits and the
 * digest log's appends on the thread. Every task is agreed by both workers and the log holds one
 * valid record per task.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { verifyLog } from '../../orchestrator/mesh/verify-log.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ workers: 2, orchestrator: { engineThread: true } });
});
afterAll(async () => {
  await mesh.stop();
});

describe('orchestrator with the engine thread', () => {
  test('a job completes with every task agreed and logged once', async () => {
    const { api, orchestrator } = mesh;
    const body = buildDemoJob({ tasks: 40, size: 4, redundancy: 2, quorum: 2, smoothAlpha: 0.5 });
    const { jobId } = await api.submit(body);
    const job = await api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
    expect(job.counts).toMatchObject({ total: 40, done: 40, dead: 0 });
    expect(mesh.workers.map((w) => w.stats.done)).toEqual([40, 40]);

    const results = await api.results(jobId);
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    const store = orchestrator.mesh?.store;
    if (store === undefined) throw new Error('no mesh');
    const origin = orchestrator.mesh?.log.origin ?? '';
    // The log's append follows the commit that accepted the task: the last one may still be on its way.
    const deadline = Date.now() + 10_000;
    while ((store.head(origin)?.seq ?? 0) < 40 && Date.now() < deadline) await Bun.sleep(20);
    expect(store.head(origin)?.seq).toBe(40);
    const logged = store.db
      .query<{ n: number; tasks: number }, [string]>(
        'SELECT count(*) AS n, count(DISTINCT task_id) AS tasks FROM digest_log WHERE origin = ?1',
      )
      .get(origin);
    expect(logged).toEqual({ n: 40, tasks: 40 });
    expect((await verifyLog(store)).ok).toBe(true);
  }, 90_000);
});
