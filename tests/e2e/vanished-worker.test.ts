/**
 * A worker process is SIGKILLed mid-job (no goodbye, leases held): its leases expire, the reaper
 * reissues the work to the remaining workers, and the job completes.
 */
import { afterAll, expect, test } from 'bun:test';
import { buildDemoJob } from '../../orchestrator/cli/demo-job.ts';
import { type CliProcess, spawnCli } from '../../orchestrator/cli/spawn-cli.ts';
import { startMesh, type TestMesh } from '../helpers/mesh.ts';

let mesh: TestMesh | undefined;
const workers: CliProcess[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await mesh?.stop();
});

test('a vanished worker loses its leases and the job still completes', async () => {
  mesh = await startMesh({ workers: 0, orchestrator: { leaseMs: 1_000 } });
  const multiaddr = mesh.orchestrator.multiaddrs[0]!;
  for (let i = 0; i < 3; i++) workers.push(await spawnCli(['worker', '--orchestrator', multiaddr]));
  const { jobId } = await mesh.api.submit(
    buildDemoJob({ tasks: 60, size: 32, redundancy: 2, quorum: 2, smoothAlpha: 0.25 }),
  );

  // Kill a worker as soon as it holds work.
  let victim: CliProcess | undefined;
  while (victim === undefined) {
    const { workers: seen } = await mesh.api.workers();
    const busy = new Set(seen.filter((w) => w.live > 0).map((w) => w.workerId));
    victim = workers.find((w) => busy.has(w.ready.workerId as string));
    if (victim === undefined) await Bun.sleep(10);
  }
  await victim.stop('SIGKILL');

  const job = await mesh.api.waitForJob(jobId, { signal: AbortSignal.timeout(60_000) });
  expect(job.counts).toMatchObject({ total: 60, done: 60, dead: 0 });
  expect(job.replicas.expired).toBeGreaterThan(0); // the dead worker's leases ran out and were reissued
}, 90_000);
