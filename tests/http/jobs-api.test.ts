/** The REST API through `app.request()` on a real engine over a fresh in-memory database. */
import { beforeEach, describe, expect, test } from 'bun:test';
import type { Hono } from 'hono';
import { resolveOrchestratorConfig } from '../../orchestrator/config.ts';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { TaskEngine } from '../../orchestrator/engine/index.ts';
import { createApi } from '../../orchestrator/http/app.ts';

let app: Hono;
let kicks = 0;
const logs: string[] = [];

beforeEach(() => {
  const engine = new TaskEngine(openDatabase(':memory:'));
  const config = resolveOrchestratorConfig({
    dataDir: '/nonexistent',
    maxBodyBytes: 4096,
    maxTasksPerJob: 3,
  });
  kicks = 0;
  app = createApi({
    config,
    engine,
    onJobCreated: () => kicks++,
    workerCount: () => 0,
    log: (l) => logs.push(l),
  });
});

const payload = Buffer.from(
  new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64]),
).toString('base64');
const validJob = { kind: 'matmul-f32', tasks: [{ seed: 7, payload }] };

const post = (body: unknown, headers: Record<string, string> = {}) =>
  app.request('/v1/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    error: { code: string; message: string; details?: { field?: string } };
  };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (field !== undefined) expect(body.error.details?.field).toBe(field);
}

describe('POST /v1/jobs', () => {
  test('accepts a valid job, stores it, and kicks the dispatcher', async () => {
    const res = await post(validJob);
    expect(res.status).toBe(201);
    const { jobId } = (await res.json()) as { jobId: string };
    expect(kicks).toBe(1);
    const progress = await app.request(`/v1/jobs/${jobId}`);
    expect(progress.status).toBe(200);
    expect(((await progress.json()) as { counts: { total: number } }).counts.total).toBe(1);
  });

  test('the same idempotency key returns the same job', async () => {
    const first = (await (await post(validJob, { 'Idempotency-Key': 'k1' })).json()) as { jobId: string };
    const second = (await (await post(validJob, { 'Idempotency-Key': 'k1' })).json()) as { jobId: string };
    expect(second.jobId).toBe(first.jobId);
  });

  test('bad bodies get 400 with a stable code and the offending field', async () => {
    await expectError(await post('{not json'), 400, 'BAD_REQUEST', '');
    await expectError(await post({ tasks: validJob.tasks }), 400, 'BAD_REQUEST', 'kind');
    await expectError(await post({ ...validJob, kind: 'bitcoin-miner' }), 400, 'BAD_REQUEST', 'kind');
    await expectError(await post({ ...validJob, tasks: [] }), 400, 'BAD_REQUEST', 'tasks');
    await expectError(
      await post({ ...validJob, tasks: [{ seed: -1, payload }] }),
      400,
      'BAD_REQUEST',
      'tasks.0.seed',
    );
    await expectError(
      await post({ ...validJob, tasks: [{ seed: 1, payload: '!!' }] }),
      400,
      'BAD_REQUEST',
      'tasks.0.payload',
    );
    await expectError(await post({ ...validJob, redundancy: 1, quorum: 2 }), 400, 'BAD_REQUEST', 'quorum');
    await expectError(await post({ ...validJob, surprise: true }), 400, 'BAD_REQUEST');
  });

  test('too many tasks or too large a body get 413', async () => {
    const many = { ...validJob, tasks: Array.from({ length: 4 }, () => validJob.tasks[0]) };
    await expectError(await post(many), 413, 'PAYLOAD_TOO_LARGE', 'tasks');
    const huge = { ...validJob, tasks: [{ seed: 1, payload: Buffer.alloc(8192).toString('base64') }] };
    await expectError(await post(huge), 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('reads', () => {
  test('unknown job and unknown route are 404 in the one error shape', async () => {
    await expectError(await app.request('/v1/jobs/job_nope'), 404, 'NOT_FOUND', 'id');
    await expectError(await app.request('/v1/jobs/job_nope/results'), 404, 'NOT_FOUND');
    await expectError(await app.request('/v2/anything'), 404, 'NOT_FOUND');
  });

  test('healthz answers', async () => {
    const res = await app.request('/healthz');
    expect(await res.json()).toEqual({ ok: true, workers: 0 });
  });

  test('results of a job with nothing done yet is an empty NDJSON stream', async () => {
    const { jobId } = (await (await post(validJob)).json()) as { jobId: string };
    const res = await app.request(`/v1/jobs/${jobId}/results`);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(await res.text()).toBe('');
  });
});
