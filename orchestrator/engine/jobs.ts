/** Jobs: create (idempotent), read progress, list, cancel. */
import { EngineError, ErrorCode, RequestError } from '../../protocol/errors.ts';
import { hasBlob, putBlob, sha256Hex } from './blobs.ts';
import { closeDead } from './close.ts';
import { type EngineContext, TASK_SELECT, type TaskRow } from './context.ts';
import { assertId, newId, taskId } from './ids.ts';
import { NO_VOTES, wantMore } from './quorum.ts';
import { JOB_STATES, type JobState, transitionJob } from './state-machine.ts';
import type { CreateJobInput, JobProgress, JobSummary, ProofCircuit } from './types.ts';
import { validateJobInput } from './validate.ts';

interface JobRow {
  id: string;
  kind: string;
  state: JobState;
  priority: number;
  redundancy: number;
  quorum: number;
  max_replicas: number;
  max_attempts: number;
  idempotency_key: string | null;
  request_sha256: string;
  created_at: number;
  finished_at: number | null;
  tasks_total: number;
  tasks_pending: number;
  tasks_running: number;
  tasks_verifying: number;
  tasks_done: number;
  tasks_dead: number;
  replicas_leased: number;
  replicas_submitted: number;
  replicas_accepted: number;
  replicas_rejected: number;
  replicas_expired: number;
  replicas_failed: number;
  proof_circuit: ProofCircuit | null;
}

function toProgress(r: JobRow): JobProgress {
  return {
    jobId: r.id,
    kind: r.kind,
    state: r.state,
    priority: r.priority,
    redundancy: r.redundancy,
    quorum: r.quorum,
    maxReplicas: r.max_replicas,
    maxAttempts: r.max_attempts,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    proof: r.proof_circuit,
    counts: {
      total: r.tasks_total,
      pending: r.tasks_pending,
      running: r.tasks_running,
      verifying: r.tasks_verifying,
      done: r.tasks_done,
      dead: r.tasks_dead,
    },
    replicas: {
      leased: r.replicas_leased,
      submitted: r.replicas_submitted,
      accepted: r.replicas_accepted,
      rejected: r.replicas_rejected,
      expired: r.replicas_expired,
      failed: r.replicas_failed,
    },
  };
}

function jobRow(ctx: Pick<EngineContext, 'db'>, jobId: string): JobRow | null {
  return ctx.db.query<JobRow, [string]>('SELECT * FROM jobs WHERE id = ?1').get(jobId);
}

export function getJob(ctx: Pick<EngineContext, 'db'>, jobId: string): JobProgress | undefined {
  const row = jobRow(ctx, jobId);
  return row === null ? undefined : toProgress(row);
}

export interface ListJobsOptions {
  limit?: number;
  offset?: number;
  state?: JobState;
}

/** Newest first. */
export function listJobs(ctx: Pick<EngineContext, 'db'>, opts: ListJobsOptions = {}): JobProgress[] {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 100), 1), 1_000);
  const offset = Math.max(Math.trunc(opts.offset ?? 0), 0);
  if (opts.state !== undefined && !JOB_STATES.includes(opts.state)) {
    throw new RequestError(ErrorCode.BadRequest, `state must be one of ${JOB_STATES.join(', ')}`, {
      field: 'state',
    });
  }
  return ctx.db
    .query<JobRow, [string | null, number, number]>(
      `SELECT * FROM jobs WHERE (?1 IS NULL OR state = ?1) ORDER BY created_at DESC, rowid DESC LIMIT ?2 OFFSET ?3`,
    )
    .all(opts.state ?? null, limit, offset)
    .map(toProgress);
}

/**
 * Create a job and its tasks in one transaction. Payloads are stored once per distinct content.
 * The same idempotency key returns the existing job (created: false) when the request is the
 * same, and a Conflict when it differs (a client bug that must not pass silently).
 */
export function createJob(ctx: EngineContext, input: CreateJobInput): JobSummary {
  const job = validateJobInput(input, ctx.opts);
  const tasks = input.tasks.map((t, i) => {
    if (t.payload !== undefined)
      return { ...t, sha: sha256Hex(t.payload), params: JSON.stringify(t.params ?? {}) };
    if (!hasBlob(ctx.db, t.payloadSha256)) {
      throw new EngineError(ErrorCode.NotFound, `no blob ${t.payloadSha256}`, {
        field: `tasks[${i}].payloadSha256`,
      });
    }
    return { ...t, sha: t.payloadSha256, params: JSON.stringify(t.params ?? {}) };
  });
  const fingerprint = sha256Hex(
    new TextEncoder().encode(
      JSON.stringify([
        input.kind,
        job.redundancy,
        job.quorum,
        job.maxReplicas,
        job.maxAttempts,
        job.priority,
        input.proof ?? null,
        tasks.map((t) => [t.sha, t.seed, t.params]),
      ]),
    ),
  );
  if (input.idempotencyKey !== undefined) {
    const existing = ctx.db
      .query<JobRow, [string]>('SELECT * FROM jobs WHERE idempotency_key = ?1')
      .get(input.idempotencyKey);
    if (existing !== null) {
      if (existing.request_sha256 !== fingerprint) {
        throw new EngineError(ErrorCode.Conflict, 'idempotency key reused with a different request', {
          field: 'idempotencyKey',
          jobId: existing.id,
        });
      }
      return { ...toProgress(existing), created: false };
    }
  }
  const jobId = newId('job', ctx.now);
  ctx.db
    .query(
      `INSERT INTO jobs (id, kind, state, priority, redundancy, quorum, max_replicas, max_attempts,
         idempotency_key, request_sha256, created_at, tasks_total, proof_circuit)
       VALUES (?1, ?2, 'active', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`,
    )
    .run(
      jobId,
      input.kind,
      job.priority,
      job.redundancy,
      job.quorum,
      job.maxReplicas,
      job.maxAttempts,
      input.idempotencyKey ?? null,
      fingerprint,
      ctx.now,
      tasks.length,
      input.proof ?? null,
    );
  const insertTask = ctx.db.query(
    `INSERT INTO tasks (id, job_id, idx, state, priority, seed, params, payload_sha256, want, created_at, updated_at)
     VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, ?8, ?9, ?9)`,
  );
  const want = wantMore(job, NO_VOTES);
  tasks.forEach((t, i) => {
    if (t.payload !== undefined) putBlob(ctx.db, t.payload, t.sha);
    insertTask.run(taskId(jobId, i), jobId, i, job.priority, t.seed, t.params, t.sha, want, ctx.now);
  });
  const row = jobRow(ctx, jobId);
  if (row === null) throw new EngineError(ErrorCode.Internal, 'job vanished after insert', { jobId });
  return { ...toProgress(row), created: true };
}

/**
 * Cancel a job: it becomes `cancelled` and every open task dies with reason `cancelled` (not
 * queued as a dead letter; their live leases are revoked). Finished tasks keep their results.
 * Cancelling a cancelled job is a no-op; a completed job cannot be cancelled (IllegalTransition).
 */
export function cancelJob(ctx: EngineContext, jobId: string): JobProgress {
  assertId(jobId, 'jobId');
  const row = jobRow(ctx, jobId);
  if (row === null) throw new EngineError(ErrorCode.NotFound, `no job ${jobId}`, { jobId });
  if (row.state === 'cancelled') return toProgress(row);
  transitionJob(ctx.db, jobId, row.state, 'cancelled', { finished_at: ctx.now });
  const open = ctx.db
    .query<TaskRow, [string]>(
      `${TASK_SELECT} WHERE t.job_id = ?1 AND t.state IN ('pending', 'running', 'verifying') ORDER BY t.idx`,
    )
    .all(jobId);
  for (const task of open) closeDead(ctx, task, 'cancelled', task, task.attempts);
  ctx.events.push({ type: 'job:done', detail: { jobId, state: 'cancelled' } });
  const after = jobRow(ctx, jobId);
  if (after === null) throw new EngineError(ErrorCode.Internal, 'job vanished during cancel', { jobId });
  return toProgress(after);
}
