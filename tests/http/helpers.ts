/** A REST app over a real engine on a fresh in-memory database, with one valid API key. */
import type { Hono } from 'hono';
import { ApiKeyStore } from '../../orchestrator/auth/api-keys.ts';
import { type OrchestratorConfig, resolveOrchestratorConfig } from '../../orchestrator/config.ts';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { TaskEngine } from '../../orchestrator/engine/index.ts';
import { createApi } from '../../orchestrator/http/app.ts';
import { encodeMatmulPayload } from '../../shaders/matmul/payload.ts';

export interface TestApi {
  app: Hono;
  engine: TaskEngine;
  keys: ApiKeyStore;
  token: string;
  kicks: () => number;
  request: (
    path: string,
    init?: RequestInit & { json?: unknown; token?: string | null },
  ) => Promise<Response>;
}

export function testApi(config: Partial<OrchestratorConfig> = {}): TestApi {
  const db = openDatabase(':memory:');
  const engine = new TaskEngine(db);
  const keys = new ApiKeyStore(db);
  const { token } = keys.create('test');
  let kicks = 0;
  const app = createApi({
    config: resolveOrchestratorConfig({ dataDir: '/nonexistent', ...config }),
    engine,
    keys,
    onWorkAdded: () => kicks++,
    workerCount: () => 0,
    multiaddrs: () => [],
    log: () => {},
  });
  const request: TestApi['request'] = (path, init = {}) => {
    const { json, token: tok, ...rest } = init;
    const headers = new Headers(rest.headers);
    const auth = tok === undefined ? token : tok;
    if (auth !== null) headers.set('authorization', `Bearer ${auth}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return Promise.resolve(
      app.request(path, {
        ...rest,
        headers,
        ...(json === undefined ? {} : { body: typeof json === 'string' ? json : JSON.stringify(json) }),
      }),
    );
  };
  return { app, engine, keys, token, kicks: () => kicks, request };
}

export const tinyPayload = Buffer.from(
  encodeMatmulPayload({ m: 1, k: 1, n: 1, a: Float32Array.of(1), b: Float32Array.of(2) }),
).toString('base64');

export const validJob = { kind: 'matmul-f32', tasks: [{ seed: 7, payload: tinyPayload }] };

export async function expectError(
  res: Response,
  status: number,
  code: string,
  field?: string,
): Promise<void> {
  const { expect } = await import('bun:test');
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    error: { code: string; message: string; details?: { field?: string } };
  };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (field !== undefined) expect(body.error.details?.field).toBe(field);
}
