/**
 * Dispatch throughput with trivial tasks (1x1 f32 matmul), Shardmesh against BullMQ, measured in
 * the same run on the same machine, interleaved run by run so both see the same load.
 *
 * Shardmesh: REST submit -> SQLite file (WAL, synchronous=NORMAL) -> task frames over libp2p ->
 * 4 headless workers -> result frames -> quorum, timed from the POST to the job's SSE `done`;
 * at R=1 (Q=1) and R=3 (Q=2: majority). BullMQ: `addBulk` -> 4 Workers -> completed, on a private
 * redis-server with an append-only file fsynced every second (see ./dispatch/redis.ts): the
 * durability closest to ours. Both with the same per-worker concurrency and the same kernel code.
 * Each mode (workers in this process, or every part as its own process as deployed) is measured
 * separately; the multi-process figure is the headline.
 *
 *   scripts/bun bench/dispatch.bench.ts [--tasks 2000] [--runs 5] [--concurrency 8] [--prefetch-per-slot 1]
 *                                       [--mode both|processes|in-process] [--no-r3] [--warmup-tasks N]
 * Before the timed runs each side runs one unmeasured job of --warmup-tasks (default: --tasks).
 * SHARDMESH_ENGINE_THREAD=1 runs the orchestrator's group commits on its engine thread.
 */
import { parseArgs } from 'node:util';
import { resolveOrchestratorConfig, resolveWorkerConfig } from '../orchestrator/config.ts';
import { type BullBench, startBull } from './dispatch/bullmq.ts';
import { findRedisServer, type RedisServer, startRedis } from './dispatch/redis.ts';
import { type BenchMesh, type MeshMode, runJob, startMesh } from './dispatch/shardmesh.ts';
import { trivialTasks } from './dispatch/task.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
    'prefetch-per-slot': {
      type: 'string',
      default: String(resolveWorkerConfig({ orchestrator: '-' }).prefetchPerSlot),
    },
    workers: { type: 'string', default: '4' },
    mode: { type: 'string', default: 'both' },
    'no-r3': { type: 'boolean', default: false },
    'warmup-tasks': { type: 'string' },
  },
});
const TASKS = Math.max(10, Number(values.tasks));
const RUNS = Math.max(1, Number(values.runs));
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const PREFETCH = Math.max(0, Number(values['prefetch-per-slot']));
const WORKERS = Math.max(1, Number(values.workers));
const WITH_R3 = !values['no-r3'];
const WARMUP_TASKS = Math.max(10, Number(values['warmup-tasks'] ?? TASKS));
const MODES: MeshMode[] = values.mode === 'both' ? ['processes', 'in-process'] : [values.mode as MeshMode];
if (!MODES.every((m) => m === 'processes' || m === 'in-process')) {
  throw new Error(`--mode must be both, processes or in-process, got ${values.mode}`);
}

const rate = (ms: number) => (TASKS * 1000) / ms;
const fmt = (xs: number[]) => {
  const r = xs.map(rate);
  return `${median(r).toFixed(0).padStart(6)} tasks/s  (runs: ${r.map((x) => x.toFixed(0)).join(', ')})`;
};

interface ModeResult {
  mode: MeshMode;
  /** CPU us per task of the R=1 runs (orchestrator, workers together), processes mode only. */
  r1Cpu: { orchestrator: number[]; workers: number[] };
  r1: number[];
  r3: number[];
  bull: number[];
}

async function measureMode(mode: MeshMode, redis: RedisServer | undefined): Promise<ModeResult> {
  const result: ModeResult = { mode, r1Cpu: { orchestrator: [], workers: [] }, r1: [], r3: [], bull: [] };
  let mesh: BenchMesh | undefined;
  let bull: BullBench | undefined;
  try {
    mesh = await startMesh(mode, { workers: WORKERS, concurrency: CONCURRENCY, prefetchPerSlot: PREFETCH });
    if (redis !== undefined) {
      bull = await startBull(mode, { port: redis.port, workers: WORKERS, concurrency: CONCURRENCY });
    }
    // Warm-up (JIT, thread pools, connections, SQLite and Redis caches): not counted. A whole job
    // of the measured size: with 500 tasks both sides still sped up run after run (JSC compiles
    // hot code over seconds of load), so the first measured runs timed the JIT as well.
    const warm = trivialTasks(WARMUP_TASKS, 999);
    await runJob(mesh, warm, 1, 1);
    if (WITH_R3) await runJob(mesh, warm, 3, 2);
    await bull?.run(warm, `${mode}-warm`);
    for (let run = 0; run < RUNS; run++) {
      const tasks = trivialTasks(TASKS, run);
      const r1 = await runJob(mesh, tasks, 1, 1);
      result.r1.push(r1.ms);
      if (r1.cpu !== undefined) {
        result.r1Cpu.orchestrator.push((r1.cpu.orchestrator * 1000) / TASKS);
        result.r1Cpu.workers.push((r1.cpu.workers * 1000) / TASKS);
      }
      if (WITH_R3) result.r3.push((await runJob(mesh, trivialTasks(TASKS, run + RUNS), 3, 2)).ms);
      if (bull !== undefined) result.bull.push(await bull.run(tasks, `${mode}-${run}`));
      process.stderr.write(`  ${mode} run ${run + 1}/${RUNS} done\n`);
    }
  } finally {
    await bull?.stop();
    await mesh?.stop();
  }
  return result;
}

function report(r: ModeResult): void {
  console.log(`\n${r.mode === 'processes' ? 'multi-process (headline)' : 'in-process'}:`);
  console.log(`  Shardmesh R=1 Q=1   ${fmt(r.r1)}`);
  const { orchestrator, workers } = r.r1Cpu;
  if (orchestrator.length > 0) {
    console.log(
      `    CPU per task: orchestrator ${median(orchestrator).toFixed(0)} us ` +
        `(runs: ${orchestrator.map((x) => x.toFixed(0)).join(', ')}), ${WORKERS} workers together ${median(workers).toFixed(0)} us`,
    );
  }
  if (r.r3.length > 0) {
    console.log(
      `  Shardmesh R=3 Q=2   ${fmt(r.r3)}  = ${(3 * median(r.r3.map(rate))).toFixed(0)} replicas/s`,
    );
  }
  if (r.bull.length === 0) return;
  console.log(`  BullMQ              ${fmt(r.bull)}`);
  const ratio = median(r.r1.map(rate)) / median(r.bull.map(rate));
  const verdict = ratio >= 1.5 ? 'meets' : 'misses';
  console.log(`  ratio Shardmesh R=1 / BullMQ = ${ratio.toFixed(2)}x (${verdict} the 1.5x target)`);
}

async function main(): Promise<void> {
  console.log(
    `dispatch throughput: ${TASKS} trivial tasks per job, ${WORKERS} workers x concurrency ${CONCURRENCY} ` +
      `(Shardmesh workers hold ${PREFETCH} lease(s) per slot ready; BullMQ fetches when a slot frees), ` +
      `median of ${RUNS} runs after a ${WARMUP_TASKS}-task warm-up job, Bun ${Bun.version}, ` +
      `orchestrator engine thread ${resolveOrchestratorConfig().engineThread ? 'on' : 'off'} (SHARDMESH_ENGINE_THREAD)`,
  );
  const binary = findRedisServer();
  let redis: RedisServer | undefined;
  if (binary === undefined) {
    console.log('BullMQ baseline SKIPPED: redis-server not found (apt-get install -y redis-server)');
  } else {
    redis = await startRedis(binary);
    console.log(
      `BullMQ baseline: ${binary} on 127.0.0.1:${redis.port}, appendonly yes, appendfsync everysec`,
    );
  }
  try {
    const results: ModeResult[] = [];
    for (const mode of MODES) results.push(await measureMode(mode, redis));
    for (const r of results) report(r);
  } finally {
    await redis?.stop();
  }
}

await main();
// libp2p and ioredis leave timers behind; everything we started has been stopped.
process.exit(0);
