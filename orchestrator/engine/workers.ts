/** The workers table: who asked for work, with what self-description, and when last seen. */
import { ErrorCode, RequestError } from '../../protocol/errors.ts';
import type { EngineContext } from './context.ts';
import { assertId } from './ids.ts';
import type { WorkerInfo } from './types.ts';

const MAX_INFO_BYTES = 16 * 1024;

export function registerWorker(ctx: EngineContext, workerId: string, info: Record<string, unknown>): void {
  assertId(workerId, 'workerId');
  const json = JSON.stringify(info ?? {});
  if (typeof info !== 'object' || info === null || Array.isArray(info) || json.length > MAX_INFO_BYTES) {
    throw new RequestError(ErrorCode.BadRequest, `info must be a JSON object under ${MAX_INFO_BYTES} bytes`, {
      field: 'info',
    });
  }
  ctx.db
    .query(
      `INSERT INTO workers (id, info, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
       ON CONFLICT (id) DO UPDATE SET info = excluded.info, last_seen = excluded.last_seen`,
    )
    .run(workerId, json, ctx.now);
}

/** Record that a worker is alive, creating it with empty info if it never registered. */
export function touchWorker(ctx: EngineContext, workerId: string): void {
  ctx.db
    .query(
      `INSERT INTO workers (id, info, first_seen, last_seen) VALUES (?1, '{}', ?2, ?2)
       ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen`,
    )
    .run(workerId, ctx.now);
}

export function listWorkers(ctx: Pick<EngineContext, 'db'>): WorkerInfo[] {
  return ctx.db
    .query<{ workerId: string; info: string; firstSeen: number; lastSeen: number; live: number }, []>(
      `SELECT w.id AS workerId, w.info, w.first_seen AS firstSeen, w.last_seen AS lastSeen,
        (SELECT count(*) FROM replicas r WHERE r.worker_id = w.id AND r.state IN ('leased', 'acked')) AS live
       FROM workers w ORDER BY w.last_seen DESC, w.id`,
    )
    .all()
    .map((w) => ({ ...w, info: JSON.parse(w.info) as Record<string, unknown> }));
}
