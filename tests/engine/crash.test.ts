/**
 * Crash safety at the engine level: a child process drives a job on a FILE database and is
 * SIGKILLed at random points many times (including during migrations and job creation), then
 * restarted on the same file. Afterwards: the job completed, no task was lost or duplicated,
 * none was accepted twice, every result is the right answer, counters match, the file is sound.
 * Takes ~3-5 s (process start-ups dominate).
 */
import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { sha256Hex, TaskEngine } from '../../orchestrator/engine/index.ts';
import { correctOutput } from './fixtures/answers.ts';
import { CRASH_JOB_KEY, crashJobTasks } from './fixtures/crash-driver.ts';
import { recount, seededRandom } from './helpers.ts';

const KILLS = 30;
// Enough work that most kills land mid-run even on an idle machine (a full run is ~1-4 s).
const TASKS = 1000;
const DRIVER = new URL('./fixtures/crash-driver.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'shardmesh-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spawnDriver(path: string) {
  return Bun.spawn([process.execPath, DRIVER, path, String(TASKS)], { stdout: 'pipe', stderr: 'pipe' });
}

test(
  `the job survives ${KILLS} SIGKILLs of the process driving it`,
  async () => {
    const path = join(dir, 'crash.db');
    const random = seededRandom(Number(process.env.CRASH_SEED ?? Date.now() % 100_000));
    let killedMidRun = 0;
    for (let k = 0; k < KILLS; k++) {
      const child = spawnDriver(path);
      await Bun.sleep(20 + Math.floor(random() * 200));
      child.kill('SIGKILL');
      const code = await child.exited;
      if (code !== 0) killedMidRun++;
      else break; // finished before the kill: nothing left to interrupt
    }
    const last = spawnDriver(path);
    const [out, err, code] = await Promise.all([
      new Response(last.stdout).text(),
      new Response(last.stderr).text(),
      last.exited,
    ]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.trim()).toBe('DONE');
    // The kills really interrupted work (how many depends on machine speed, so the bar is modest).
    expect(killedMidRun).toBeGreaterThanOrEqual(8);

    const db = openDatabase(path);
    expect(db.query<{ integrity_check: string }, []>('PRAGMA integrity_check').get()?.integrity_check).toBe(
      'ok',
    );
    const engine = new TaskEngine(db);
    const jobs = engine.listJobs();
    expect(jobs).toHaveLength(1); // restarts re-created the job idempotently
    const job = jobs[0];
    if (job === undefined) throw new Error('no job');
    expect(job.idempotencyKey).toBe(CRASH_JOB_KEY);
    expect(job.state).toBe('completed');
    expect(job.counts).toEqual({ total: TASKS, pending: 0, running: 0, verifying: 0, done: TASKS, dead: 0 });
    expect(recount(db, job.jobId)).toEqual(job.counts);
    expect(job.replicas.expired).toBeGreaterThan(0); // leases orphaned by kills were reaped and reissued

    const results = [...engine.results(job.jobId)];
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: TASKS }, (_, i) => i));
    const tasks = crashJobTasks(TASKS);
    for (const r of results) {
      const t = tasks[r.index];
      if (t === undefined) throw new Error(`unexpected index ${r.index}`);
      expect(r.output).toEqual(correctOutput(t.payload, t.seed));
      expect(r.digest).toBe(sha256Hex(r.output));
    }
    // Accepted replicas: exactly one agreeing group per task, all with the result's digest.
    const groups = db
      .query<{ n: number }, []>(
        `SELECT count(DISTINCT r.digest) AS n FROM replicas r WHERE r.state = 'accepted' GROUP BY r.task_id`,
      )
      .all();
    expect(groups).toHaveLength(TASKS);
    expect(groups.every((g) => g.n === 1)).toBe(true);
    const wrongAccepted = db
      .query<{ n: number }, []>(
        `SELECT count(*) AS n FROM replicas r JOIN results x ON x.task_id = r.task_id
         WHERE r.state = 'accepted' AND r.digest <> x.digest`,
      )
      .get();
    expect(wrongAccepted?.n).toBe(0);
    db.close();
  },
  { timeout: 60_000 },
);
