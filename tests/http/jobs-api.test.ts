/** Jobs over the REST API through `app.request()`: validation, idempotency, progress, results, cancel. */
import { describe, expect, test } from 'bun:test';
import { expectError, testApi, tinyPayload, validJob } from './helpers.ts';

describe('POST /v1/jobs', () => {
  test('accepts a valid job, stores it, and kicks the dispatcher', async () => {
    const api = testApi();
    const res = await api.request('/v1/jobs', { method: 'POST', json: validJob });
    expect(res.status).toBe(201);
    const { jobId } = (await res.json()) as { jobId: string };
    expect(api.kicks()).toBe(1);
    const progress = (await (await api.request(`/v1/jobs/${jobId}`)).json()) as { counts: { total: number } };
    expect(progress.counts.total).toBe(1);
  });

  test('the same idempotency key returns the same job, with 200 and no second kick', async () => {
    const api = testApi();
    const headers = { 'Idempotency-Key': 'k1' };
    const first = await api.request('/v1/jobs', { method: 'POST', json: validJob, headers });
    const second = await api.request('/v1/jobs', { method: 'POST', json: validJob, headers });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(((await second.json()) as { jobId: string }).jobId).toBe(
      ((await first.json()) as { jobId: string }).jobId,
    );
    expect(api.kicks()).toBe(1);
  });

  test('bad bodies get 400 with a stable code and the offending field', async () => {
    const api = testApi();
    const post = (json: unknown) => api.request('/v1/jobs', { method: 'POST', json });
    await expectError(await post('{not json'), 400, 'BAD_REQUEST', '');
    await expectError(await post({ tasks: validJob.tasks }), 400, 'BAD_REQUEST', 'kind');
    await expectError(await post({ ...validJob, kind: 'bitcoin-miner' }), 400, 'BAD_REQUEST', 'kind');
    await expectError(await post({ ...validJob, tasks: [] }), 400, 'BAD_REQUEST', 'tasks');
    await expectError(
      await post({ ...validJob, tasks: [{ seed: -1, payload: tinyPayload }] }),
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
    await expectError(
      await post({ ...validJob, tasks: [{ seed: 1 }] }),
      400,
      'BAD_REQUEST',
      'tasks.0.payload',
    );
    await expectError(await post({ ...validJob, redundancy: 1, quorum: 2 }), 400, 'BAD_REQUEST', 'quorum');
    await expectError(await post({ ...validJob, surprise: true }), 400, 'BAD_REQUEST');
  });

  test('too many tasks or too large a body get 413', async () => {
    const api = testApi({ maxBodyBytes: 4096, maxTasksPerJob: 3 });
    const post = (json: unknown) => api.request('/v1/jobs', { method: 'POST', json });
    await expectError(
      await post({ ...validJob, tasks: Array(4).fill(validJob.tasks[0]) }),
      413,
      'PAYLOAD_TOO_LARGE',
      'tasks',
    );
    const huge = { ...validJob, tasks: [{ seed: 1, payload: Buffer.alloc(8192).toString('base64') }] };
    await expectError(await post(huge), 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('reads and cancel', () => {
  test('unknown job and unknown route are 404 in the one error shape', async () => {
    const api = testApi();
    await expectError(await api.request('/v1/jobs/job_nope'), 404, 'NOT_FOUND', 'id');
    await expectError(await api.request('/v1/jobs/job_nope/results'), 404, 'NOT_FOUND');
    await expectError(await api.request('/v2/anything'), 404, 'NOT_FOUND');
  });

  test('list, results as NDJSON (empty until done), cancel ends open tasks', async () => {
    const api = testApi();
    const { jobId } = (await (await api.request('/v1/jobs', { method: 'POST', json: validJob })).json()) as {
      jobId: string;
    };
    const list = (await (await api.request('/v1/jobs?limit=10')).json()) as {
      jobs: Array<{ jobId: string }>;
    };
    expect(list.jobs.map((j) => j.jobId)).toEqual([jobId]);
    const results = await api.request(`/v1/jobs/${jobId}/results`);
    expect(results.headers.get('content-type')).toContain('application/x-ndjson');
    expect(await results.text()).toBe('');
    const cancelled = (await (await api.request(`/v1/jobs/${jobId}/cancel`, { method: 'POST' })).json()) as {
      state: string;
      counts: { dead: number };
    };
    expect(cancelled).toMatchObject({ state: 'cancelled', counts: { dead: 1 } });
    await expectError(await api.request('/v1/jobs?limit=0'), 400, 'BAD_REQUEST', 'limit');
  });

  test('results carry digests; outputs inline on request, and as blobs by digest', async () => {
    const api = testApi();
    const { jobId } = api.engine.createJob({
      kind: 'matmul-f32',
      redundancy: 1,
      quorum: 1,
      tasks: [{ seed: 1, payload: new Uint8Array([1]) }],
    });
    const [lease] = api.engine.lease('worker-a', 1);
    const output = new Uint8Array([9, 9, 9]);
    const digest = new Bun.CryptoHasher('sha256').update(output).digest('hex');
    api.engine.submit(lease!.replicaId, 'worker-a', { digest, output });
    const plain = (await (await api.request(`/v1/jobs/${jobId}/results`)).text()).trim();
    expect(JSON.parse(plain)).toEqual({ taskId: lease!.taskId, index: 0, digest });
    const inline = JSON.parse(
      (await (await api.request(`/v1/jobs/${jobId}/results?inline=true`)).text()).trim(),
    );
    expect(Buffer.from(inline.output, 'base64')).toEqual(Buffer.from(output));
    const blob = await api.request(`/v1/blobs/${digest}`);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(output);
  });
});
