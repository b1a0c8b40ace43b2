/**
 * Frame codec cost per task, single frames vs batch frames, in one process (no network, no engine):
 * what one turn of a worker with 8 finished trivial tasks costs to encode and to decode.
 *   single: per task an ack, a result (64 B output) and a pull(1) frame; per lease a task frame
 *   batch:  one `results` frame + one pull(8); one `tasks` frame for the 8 leases
 * Prints microseconds of CPU per task for each side (medians of several runs) and the ratio.
 *
 *   scripts/bun bench/dispatch-frames.bench.ts [--turns 2000] [--runs 7] [--per-turn 8]
 */
import { parseArgs } from 'node:util';
import { buildResultsFrames, buildTasksFrames } from '../protocol/batch.ts';
import { decodeFrame, encodeFrame } from '../protocol/frame.ts';
import { sha256Hex } from '../protocol/hex.ts';
import type { FrameHeaderInput } from '../protocol/messages.ts';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '7' },
    'per-turn': { type: 'string', default: '8' },
  },
});
const TURNS = Math.max(10, Number(values.turns));
const RUNS = Math.max(1, Number(values.runs));
const PER_TURN = Math.max(1, Number(values['per-turn']));

const output = new Uint8Array(64).fill(7);
const input = new Uint8Array(96).fill(3);
const digest = await sha256Hex(output);
const ids = Array.from(
  { length: PER_TURN },
  (_, i) => `r-0195f3a2-7c41-7d2e-9b1a-${String(i).padStart(12, '0')}`,
);
const task = (replicaId: string) => ({
  jobId: 'job-0195f3a2-7c41-7d2e-9b1a-3c9d2e4f5a6b',
  taskId: `t-${replicaId}`,
  replicaId,
  kind: 'matmul-f32',
  seed: 12345,
  attempt: 1,
  leaseExpiresAt: 1_800_000_000_000,
  params: { size: 4, smoothAlpha: 0.5 },
});
const result = (replicaId: string) => ({
  jobId: 'job-0195f3a2-7c41-7d2e-9b1a-3c9d2e4f5a6b',
  taskId: `t-${replicaId}`,
  replicaId,
  kind: 'matmul-f32',
  seed: 12345,
  resultDigest: digest,
  outputLength: output.length,
  elapsedMs: 3,
});

type Frames = { header: FrameHeaderInput; payload?: Uint8Array }[];

async function singleTurn(): Promise<{ toWorker: Frames; toOrchestrator: Frames }> {
  return {
    toWorker: ids.map((id) => ({ header: { type: 'task', ...task(id) }, payload: input })),
    toOrchestrator: ids.flatMap((id) => [
      { header: { type: 'ack', replicaId: id } },
      { header: { type: 'result', ...result(id) }, payload: output },
      { header: { type: 'pull', max: 1 } },
    ]),
  };
}

async function batchTurn(): Promise<{ toWorker: Frames; toOrchestrator: Frames }> {
  const tasks = await buildTasksFrames(ids.map((id) => ({ task: task(id), payload: input })));
  const results = buildResultsFrames({
    acks: ids,
    results: ids.map((id) => ({ result: result(id), output })),
    failures: [],
  });
  return { toWorker: tasks, toOrchestrator: [...results, { header: { type: 'pull', max: PER_TURN } }] };
}

/** CPU microseconds per task to build, encode and decode one direction's frames for TURNS turns. */
async function measure(turn: () => Promise<{ toWorker: Frames; toOrchestrator: Frames }>) {
  const cpu = { toWorker: 0, toOrchestrator: 0 };
  for (const side of ['toWorker', 'toOrchestrator'] as const) {
    const start = process.cpuUsage();
    for (let t = 0; t < TURNS; t++) {
      const frames = (await turn())[side];
      const bytes = await Promise.all(frames.map((f) => encodeFrame(f.header, f.payload)));
      await Promise.all(bytes.map((b) => decodeFrame(b)));
    }
    const used = process.cpuUsage(start);
    cpu[side] = (used.user + used.system) / (TURNS * PER_TURN);
  }
  return cpu;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

await measure(singleTurn); // warm-up
await measure(batchTurn);
const single: { toWorker: number; toOrchestrator: number }[] = [];
const batch: { toWorker: number; toOrchestrator: number }[] = [];
for (let r = 0; r < RUNS; r++) {
  single.push(await measure(singleTurn));
  batch.push(await measure(batchTurn));
}
const line = (name: string, runs: typeof single) =>
  `  ${name.padEnd(7)} tasks frames ${median(runs.map((r) => r.toWorker)).toFixed(1)} us/task, ` +
  `results frames ${median(runs.map((r) => r.toOrchestrator)).toFixed(1)} us/task (encode + decode)`;
console.log(
  `frame codec, ${PER_TURN} trivial tasks per turn, ${TURNS} turns, median of ${RUNS} runs, Bun ${Bun.version}`,
);
console.log(line('single', single));
console.log(line('batch', batch));
const total = (runs: typeof single) => median(runs.map((r) => r.toWorker + r.toOrchestrator));
console.log(`  ratio single / batch = ${(total(single) / total(batch)).toFixed(2)}x`);
