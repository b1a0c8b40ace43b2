/**
 * `shardmesh demo`: the walking skeleton end to end with real processes: one orchestrator, two
 * headless workers, a job of a few dozen matmul tasks at redundancy 2, results checked against a
 * local recomputation, and a short summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../protocol/hex.ts';
import { matmulCpu } from '../../shaders/matmul/cpu.ts';
import { decodeMatmulPayload, matmulOutputBytes } from '../../shaders/matmul/payload.ts';
import { createPreprocessor } from '../../worker/preprocess/index.ts';
import { ApiClient, progressLine } from './api-client.ts';
import { createApiKey } from './commands/keys.ts';
import { buildDemoJob, type DemoJobOptions } from './demo-job.ts';
import { progressPrinter } from './output.ts';
import { type CliProcess, spawnCli } from './spawn-cli.ts';

export interface DemoOptions extends DemoJobOptions {
  workers: number;
  out: (line: string) => void;
  signal?: AbortSignal;
}

export interface DemoSummary {
  tasks: number;
  replicas: number;
  agreements: number;
  verifiedLocally: number;
  wallMs: number;
}

export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shardmesh-demo-'));
  const children: CliProcess[] = [];
  const started = performance.now();
  try {
    const orchestrator = await spawnCli(
      ['orchestrator', '--data-dir', dataDir, '--http-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'],
      opts.signal === undefined ? {} : { signal: opts.signal },
    );
    children.push(orchestrator);
    const multiaddr = (orchestrator.ready.multiaddrs as string[])[0] as string;
    const api = new ApiClient(orchestrator.ready.http as string, createApiKey(dataDir, 'demo').token);
    opts.out(`orchestrator up: ${orchestrator.ready.http}, ${multiaddr}`);
    for (let i = 0; i < opts.workers; i++) {
      children.push(await spawnCli(['worker', '--orchestrator', multiaddr]));
    }
    opts.out(`${opts.workers} headless workers connected`);

    const body = buildDemoJob(opts);
    const job = await api.submit(body, opts.signal === undefined ? {} : { signal: opts.signal });
    opts.out(`submitted job ${job.jobId}: ${opts.tasks} tasks x redundancy ${opts.redundancy}`);
    const progress = progressPrinter(process.stdout);
    const final = await api.waitForJob(job.jobId, {
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onProgress: (p) => progress.update(progressLine(p)),
    });
    progress.end();
    const results = await api.results(job.jobId, opts.signal === undefined ? {} : { signal: opts.signal });

    // Recompute every accepted digest here: the demo shows the mesh's answers are the right ones.
    const preprocessor = await createPreprocessor({ prefer: 'js' });
    let verifiedLocally = 0;
    for (const result of results) {
      const task = body.tasks[result.index];
      if (task === undefined) continue;
      const input = decodeMatmulPayload(Uint8Array.from(Buffer.from(task.payload, 'base64')));
      const a = preprocessor.ema(input.a, opts.smoothAlpha);
      const expected = await sha256Hex(matmulOutputBytes(matmulCpu(a, input.b, input.m, input.k, input.n)));
      if (expected === result.digest) verifiedLocally++;
    }
    return {
      tasks: final.counts.total,
      replicas: final.replicas.submitted,
      agreements: final.counts.done,
      verifiedLocally,
      wallMs: Math.round(performance.now() - started),
    };
  } finally {
    await Promise.all(children.reverse().map((child) => child.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
