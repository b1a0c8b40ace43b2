/**
 * /v1/verification-keys in process (app.request, real database, committed development keys):
 * list, retire and re-add without a restart, the shared verifier following every change, error
 * codes and auth like the other researcher routes, and the OpenAPI entries.
 */
import { describe, expect, test } from 'bun:test';
import { verifierFor } from '../../orchestrator/dispatch/proof-check.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { testApi } from '../http/helpers.ts';

const api = testApi();
const list = async () =>
  (
    (await (await api.request('/v1/verification-keys')).json()) as {
      versions: Array<{ circuit: string; version: number }>;
    }
  ).versions;

describe('/v1/verification-keys', () => {
  test('lists the active versions, behind an API key', async () => {
    expect((await list()).map((v) => `${v.circuit}@${v.version}`).sort()).toEqual([
      'poseidon_chain@1',
      'result_batch@1',
      'result_binding@1',
    ]);
    const anonymous = await api.request('/v1/verification-keys', { token: null });
    expect(anonymous.status).toBe(401);
  });

  test('retire then re-add a version: the verifier follows, no restart', async () => {
    const retired = await api.request('/v1/verification-keys/result_binding/1/retire', { method: 'POST' });
    expect(retired.status).toBe(200);
    expect(await retired.json()).toEqual({ circuit: 'result_binding', version: 1, active: false });
    expect((await list()).some((v) => v.circuit === 'result_binding')).toBe(false);
    const verifier = await verifierFor(api.engine.db);
    expect(verifier.activeVersions().some((v) => v.circuit === 'result_binding')).toBe(false);

    const again = await api.request('/v1/verification-keys/result_binding/1/retire', { method: 'POST' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.NotFound);

    const added = await api.request('/v1/verification-keys', {
      method: 'POST',
      json: { circuit: 'result_binding', version: 1 },
    });
    expect(added.status).toBe(201);
    expect(verifier.activeVersions().some((v) => v.circuit === 'result_binding')).toBe(true);
    expect((await list()).some((v) => v.circuit === 'result_binding')).toBe(true);
  }, 20_000);

  test('a version not in the manifest is NOT_FOUND; a bad circuit or version is BAD_REQUEST', async () => {
    const missing = await api.request('/v1/verification-keys', {
      method: 'POST',
      json: { circuit: 'result_batch', version: 99 },
    });
    expect(missing.status).toBe(404);
    const cases: Array<[string, RequestInit & { json?: unknown }, string]> = [
      ['/v1/verification-keys', { method: 'POST', json: { circuit: 'sha256', version: 1 } }, 'circuit'],
      ['/v1/verification-keys', { method: 'POST', json: { circuit: 'result_batch', version: 0 } }, 'version'],
      ['/v1/verification-keys/result_batch/x/retire', { method: 'POST' }, 'version'],
    ];
    for (const [path, init, field] of cases) {
      const res = await api.request(path, init);
      expect(res.status).toBe(400);
      expect(
        ((await res.json()) as { error: { code: string; details: { field: string } } }).error,
      ).toMatchObject({
        code: ErrorCode.BadRequest,
        details: { field },
      });
    }
  });

  test('is in the OpenAPI document', async () => {
    const doc = (await (await api.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/v1/verification-keys'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/v1/verification-keys/{circuit}/{version}/retire']).toHaveProperty('post');
  });
});
