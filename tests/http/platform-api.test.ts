/** Blobs, the dead-letter queue, workers, SSE progress, metrics and the OpenAPI document. */
import { describe, expect, test } from 'bun:test';
import { expectError, testApi, tinyPayload } from './helpers.ts';

const sha = (bytes: Uint8Array) => new Bun.CryptoHasher('sha256').update(bytes).digest('hex');

describe('blobs', () => {
  test('upload by SHA-256, reuse in a job, refuse a wrong name', async () => {
    const api = testApi();
    const bytes = new Uint8Array(Buffer.from(tinyPayload, 'base64'));
    const name = sha(bytes);
    expect((await api.request(`/v1/blobs/${name}`, { method: 'PUT', body: bytes })).status).toBe(201);
    expect((await api.request(`/v1/blobs/${name}`, { method: 'PUT', body: bytes })).status).toBe(200);
    await expectError(
      await api.request(`/v1/blobs/${'a'.repeat(64)}`, { method: 'PUT', body: bytes }),
      400,
      'DIGEST_MISMATCH',
    );
    await expectError(
      await api.request('/v1/blobs/not-a-hash', { method: 'PUT', body: bytes }),
      400,
      'BAD_REQUEST',
      'sha256',
    );
    const job = await api.request('/v1/jobs', {
      method: 'POST',
      json: { kind: 'matmul-f32', tasks: [{ seed: 1, payloadSha256: name }] },
    });
    expect(job.status).toBe(201);
    const missing = { kind: 'matmul-f32', tasks: [{ seed: 1, payloadSha256: 'b'.repeat(64) }] };
    expect((await api.request('/v1/jobs', { method: 'POST', json: missing })).status).toBe(404);
  });
});

describe('dead-letter queue over HTTP', () => {
  test('list, inspect, requeue, purge', async () => {
    const api = testApi();
    const { jobId } = api.engine.createJob({
      kind: 'matmul-f32',
      redundancy: 1,
      quorum: 1,
      maxAttempts: 1,
      tasks: [{ seed: 1, payload: new Uint8Array([1]) }],
    });
    const [lease] = api.engine.lease('w1', 1);
    api.engine.fail(lease!.replicaId, 'w1', { code: 'KERNEL_FAILED', message: 'boom' });

    const list = (await (await api.request(`/v1/dlq?jobId=${jobId}`)).json()) as {
      deadLetters: Array<{ taskId: string; reason: string }>;
    };
    expect(list.deadLetters).toHaveLength(1);
    expect(list.deadLetters[0]!.reason).toBe('max_attempts');
    const taskId = list.deadLetters[0]!.taskId;
    const detail = (await (await api.request(`/v1/dlq/${taskId}`)).json()) as {
      errors: Array<{ code: string }>;
    };
    expect(detail.errors.map((e) => e.code)).toEqual(['KERNEL_FAILED']);
    await expectError(await api.request('/v1/dlq?reason=bored'), 400, 'BAD_REQUEST', 'reason');

    expect(await (await api.request(`/v1/dlq/${taskId}/requeue`, { method: 'POST' })).json()).toEqual({
      requeued: 1,
    });
    expect(api.kicks()).toBe(1);
    expect(api.engine.getTask(taskId)?.state).toBe('pending');
    await expectError(await api.request(`/v1/dlq/${taskId}`), 404, 'NOT_FOUND');

    const [again] = api.engine.lease('w2', 1);
    api.engine.fail(again!.replicaId, 'w2', { code: 'KERNEL_FAILED', message: 'boom again' });
    expect(await (await api.request('/v1/dlq', { method: 'DELETE' })).json()).toEqual({ purged: 1 });
    expect(((await (await api.request('/v1/dlq')).json()) as { deadLetters: unknown[] }).deadLetters).toEqual(
      [],
    );
  });
});

describe('observability', () => {
  test('workers list reports what hello said', async () => {
    const api = testApi();
    api.engine.registerWorker('w-gpu', { capabilities: { cores: 8 } });
    const res = (await (await api.request('/v1/workers')).json()) as {
      workers: Array<{ workerId: string; info: unknown }>;
    };
    expect(res.workers).toEqual([
      expect.objectContaining({ workerId: 'w-gpu', info: { capabilities: { cores: 8 } } }),
    ]);
  });

  /**
   * Events of a job's SSE stream while `w1` runs its tasks, sleeping `pausesMs[i]` before the
   * i-th result: [event, counts.done][].
   */
  async function sseEvents(sseProgressMs: number, pausesMs: number[]): Promise<Array<[string, number]>> {
    const api = testApi({ sseProgressMs });
    const { jobId } = api.engine.createJob({
      kind: 'matmul-f32',
      redundancy: 1,
      quorum: 1,
      tasks: pausesMs.map((_, i) => ({ seed: i, payload: new Uint8Array([i]) })),
    });
    const res = await api.request(`/v1/jobs/${jobId}/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const leases = api.engine.lease('w1', pausesMs.length);
    for (const [i, lease] of leases.entries()) {
      await Bun.sleep(pausesMs[i] ?? 0);
      const output = new Uint8Array([lease.index]);
      api.engine.submit(lease.replicaId, 'w1', { digest: sha(output), output });
    }
    const text = await res.text();
    return [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => [
      m[1] as string,
      JSON.parse(m[2] as string).counts.done,
    ]);
  }

  test('SSE with sseProgressMs 0 streams progress on each task change and ends with done', async () => {
    expect(await sseEvents(0, [0, 0])).toEqual([
      ['progress', 0],
      ['progress', 1],
      ['progress', 2],
      ['done', 2],
    ]);
  });

  test('SSE coalesces changes within sseProgressMs; done carries the final counts', async () => {
    expect(await sseEvents(60_000, [0, 0])).toEqual([
      ['progress', 0],
      ['done', 2],
    ]);
  });

  test('SSE reports changes held back by sseProgressMs when the interval is over', async () => {
    // Two results at once (the second held back), then, long after the interval, a third.
    expect(await sseEvents(400, [0, 0, 1000])).toEqual([
      ['progress', 0],
      ['progress', 2],
      ['progress', 3],
      ['done', 3],
    ]);
  });

  test('metrics are Prometheus text with task states', async () => {
    const api = testApi();
    api.engine.createJob({ kind: 'matmul-f32', tasks: [{ seed: 1, payload: new Uint8Array([1]) }] });
    const text = await (await api.request('/metrics')).text();
    expect(text).toContain('# TYPE shardmesh_tasks gauge');
    expect(text).toContain('shardmesh_tasks{state="pending"} 1');
    expect(text).toContain('shardmesh_workers_connected 0');
  });

  test('openapi.json is OpenAPI 3.1 generated from the validation schemas', async () => {
    const doc = (await (await testApi().request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: { JobSubmission: { properties: Record<string, unknown>; required: string[] } } };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/jobs/{id}/events');
    expect(doc.components.schemas.JobSubmission.required).toEqual(['kind', 'tasks']);
    expect(Object.keys(doc.components.schemas.JobSubmission.properties)).toContain('redundancy');
  });
});
