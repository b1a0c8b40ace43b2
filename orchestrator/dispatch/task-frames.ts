/** Conversions between engine leases, batch entries and the single frames they stand for. */
import type { JsonObject, ResultEntry, ResultHeader, TaskEntry } from '../../protocol/messages.ts';
import type { Lease } from '../engine/index.ts';

/** A lease as the fields of a `task` frame (or of a `tasks` entry, less its slice). */
export function taskOf(lease: Lease): Omit<TaskEntry, 'offset' | 'length' | 'sha256'> {
  const { replicaId, jobId, taskId, kind, seed, attempt, params, leaseExpiresAt, proof } = lease;
  return {
    replicaId,
    jobId,
    taskId,
    kind,
    seed,
    attempt,
    params: params as JsonObject,
    leaseExpiresAt,
    ...(proof === undefined ? {} : { proof }),
  };
}

/** A batched result as the single `result` frame it stands for (its output cut from the payload). */
export function resultOf(entry: ResultEntry): ResultHeader {
  const { offset: _offset, length, ...result } = entry;
  return { ...result, type: 'result', v: 1, payloadLength: length, payloadSha256: entry.resultDigest };
}
