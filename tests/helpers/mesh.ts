/**
 * A real orchestrator and real headless workers on loopback, in this process: real SQLite file,
 * real libp2p nodes (TCP, Noise, Yamux), real HTTP server.
 */
import { ApiClient } from '../../orchestrator/cli/api-client.ts';
import { createApiKey } from '../../orchestrator/cli/commands/keys.ts';
import { Orchestrator, type OrchestratorOptions } from '../../orchestrator/orchestrator.ts';
import { HeadlessWorker, type HeadlessWorkerOptions } from '../../worker/headless/headless-worker.ts';
import { tempDir } from './temp-dir.ts';

export interface TestMesh {
  orchestrator: Orchestrator;
  workers: HeadlessWorker[];
  /** A client with a fresh API key. */
  api: ApiClient;
  dataDir: string;
  stop: () => Promise<void>;
}

export async function startMesh(
  opts: { workers?: number; orchestrator?: OrchestratorOptions; worker?: HeadlessWorkerOptions } = {},
): Promise<TestMesh> {
  const dir = tempDir();
  const orchestrator = new Orchestrator({
    dataDir: dir.path,
    httpPort: 0,
    p2pListen: ['/ip4/127.0.0.1/tcp/0'],
    dispatchIntervalMs: 50,
    ...opts.orchestrator,
  });
  await orchestrator.start();
  const workers: HeadlessWorker[] = [];
  for (let i = 0; i < (opts.workers ?? 2); i++) {
    const worker = new HeadlessWorker({ orchestrator: orchestrator.multiaddrs[0], ...opts.worker });
    await worker.start();
    workers.push(worker);
  }
  const api = new ApiClient(orchestrator.httpUrl, createApiKey(dir.path, 'test').token);
  return {
    orchestrator,
    workers,
    api,
    dataDir: dir.path,
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await orchestrator.stop();
      dir.cleanup();
    },
  };
}
