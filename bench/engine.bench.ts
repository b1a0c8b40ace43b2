/**
 * The task engine alone (no network, no HTTP): CPU per task of the turns the dispatcher makes at
 * R=1, on a WAL file database as the orchestrator runs it, against the same turns on an in-memory
 * database as the baseline in the same run (what SQLite costs without I/O). Per turn and worker:
 * submit the results of the replicas it holds, then lease up to `--lease` more, each a group
 * transaction (TaskEngine.batch), as orchestrator/dispatch/group-commit.ts does.
 * `--stmts` also prints, for the last file run, the time of every statement per task and per
 * call (trigger work included in the statement that fires it).
 *
 *   scripts/bun bench/engine.bench.ts [--tasks 4000] [--runs 5] [--workers 4] [--lease 8] [--stmts]
 */
import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../orchestrator/db/index.ts';
import { sha256Hex, TaskEngine } from '../orchestrator/engine/index.ts';
import { trivialTasks } from './dispatch/task.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '4000' },
    runs: { type: 'string', default: '5' },
    workers: { type: 'string', default: '4' },
    lease: { type: 'string', default: '8' },
    stmts: { type: 'boolean', default: false },
  },
});
const TASKS = Math.max(10, Number(values.tasks));
const RUNS = Math.max(1, Number(values.runs));
const WORKERS = Math.max(1, Number(values.workers));
const LEASE = Math.max(1, Number(values.lease));

interface StatementTime {
  calls: number;
  ns: number;
}

/** Times every run/get/all of statements made by `db.query()` from now on, by SQL text. */
function timeStatements(): Map<string, StatementTime> {
  const times = new Map<string, StatementTime>();
  const query = Database.prototype.query;
  const wrapped = new WeakSet<object>();
  Database.prototype.query = function (this: Database, sql: string) {
    const statement = query.call(this, sql) as unknown as Record<string, (...args: unknown[]) => unknown>;
    if (wrapped.has(statement)) return statement as never;
    wrapped.add(statement);
    for (const method of ['run', 'get', 'all']) {
      const original = statement[method] as (...args: unknown[]) => unknown;
      statement[method] = (...args: unknown[]) => {
        const started = Bun.nanoseconds();
        try {
          return original.apply(statement, args);
        } finally {
          const key = `${method} ${sql}`;
          const entry = times.get(key) ?? { calls: 0, ns: 0 };
          entry.calls++;
          entry.ns += Bun.nanoseconds() - started;
          times.set(key, entry);
        }
      };
    }
    return statement as never;
  } as typeof Database.prototype.query;
  return times;
}

/** One job of TASKS trivial tasks run to the end; returns CPU us per task of the turns alone. */
function runJob(db: Database, onTurnsStart?: () => void): number {
  const engine = new TaskEngine(db);
  const workers = Array.from({ length: WORKERS }, (_, i) => `bench-worker-${i}`);
  for (const w of workers) engine.registerWorker(w, {});
  const tasks = trivialTasks(TASKS, 1).map((t) => ({
    seed: t.seed,
    payload: Buffer.from(t.payload, 'base64'),
  }));
  engine.createJob({ kind: 'matmul-f32', redundancy: 1, quorum: 1, tasks });
  const output = new Uint8Array(4);
  const result = { digest: sha256Hex(output), output };
  const held = new Map<string, string[]>(workers.map((w) => [w, []]));
  onTurnsStart?.();
  const before = process.cpuUsage();
  let done = 0;
  while (done < TASKS) {
    for (const w of workers) {
      const mine = held.get(w) ?? [];
      engine.batch(() => {
        for (const replicaId of mine) engine.submit(replicaId, w, result);
      });
      done += mine.length;
      held.set(
        w,
        engine.batch(() => engine.lease(w, LEASE)).map((l) => l.replicaId),
      );
    }
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / TASKS;
}

const dir = mkdtempSync(join(tmpdir(), 'shardmesh-engine-bench-'));
const file: number[] = [];
const memory: number[] = [];
const times = values.stmts ? timeStatements() : undefined;
try {
  // Warm-up (JIT, statement caches): not counted.
  runJob(openDatabase(':memory:'));
  for (let run = 0; run < RUNS; run++) {
    // Alternated, so both see the same machine.
    memory.push(runJob(openDatabase(':memory:')));
    const db = openDatabase(join(dir, `run-${run}.db`));
    file.push(runJob(db, () => times?.clear()));
    db.close();
    console.log(
      `  run ${run + 1}/${RUNS}: file ${file.at(-1)?.toFixed(0)} us, memory ${memory.at(-1)?.toFixed(0)} us`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `task engine alone, R=1, ${TASKS} tasks, ${WORKERS} workers, lease ${LEASE} per turn, medians of ${RUNS} (Bun ${Bun.version})`,
);
console.log(`  WAL file database      ${median(file).toFixed(0).padStart(5)} us CPU per task`);
console.log(`  in-memory (baseline)   ${median(memory).toFixed(0).padStart(5)} us CPU per task`);
console.log(`  ratio file / memory = x${(median(file) / median(memory)).toFixed(2)}`);

if (times !== undefined) {
  console.log('statements of the last file run, turns only (us per task | calls | us per call):');
  for (const [key, t] of [...times].sort((a, b) => b[1].ns - a[1].ns).slice(0, 12)) {
    console.log(
      `  ${(t.ns / TASKS / 1000).toFixed(1).padStart(6)} ${String(t.calls).padStart(6)} ${(t.ns / t.calls / 1000).toFixed(1).padStart(7)}  ${key.replace(/\s+/g, ' ').slice(0, 100)}`,
    );
  }
}
