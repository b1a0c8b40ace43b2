/**
 * What the page's worker learns from the orchestrator before it dials: `GET /v1/worker-bootstrap`.
 * Shared by the route (orchestrator/http/worker-page.ts) and the worker, so both agree on it.
 */
import { ErrorCode, ShardmeshError, throwIfAborted } from '../../protocol/errors.ts';

export interface WorkerBootstrap {
  /** The orchestrator's WebSocket multiaddrs, each ending in /p2p/<peer id>. */
  multiaddrs: string[];
  /** The task protocol to open on the connection. */
  protocol: string;
  /** Local development: the worker may dial these `ws://`/private addresses (see dial-policy.ts). */
  allowLocal: boolean;
  /** Per-task time limit the worker applies. */
  taskTimeoutMs: number;
  /** Payloads at least this large are staged in OPFS on their way to the CPU thread. */
  opfsThresholdBytes: number;
}

export const BOOTSTRAP_PATH = '/v1/worker-bootstrap';

/** Keeps only WebSocket addresses: the only transport a browser can dial a Bun node with. */
export const isWebSocketAddr = (ma: string): boolean => /\/(ws|wss|tls\/ws)(\/|$)/.test(ma);

function bad(message: string): ShardmeshError {
  return new ShardmeshError(ErrorCode.BadRequest, `worker bootstrap: ${message}`);
}

export function parseBootstrap(value: unknown): WorkerBootstrap {
  if (typeof value !== 'object' || value === null) throw bad('not an object');
  const v = value as Record<string, unknown>;
  const multiaddrs = v.multiaddrs;
  if (!Array.isArray(multiaddrs) || !multiaddrs.every((m) => typeof m === 'string')) {
    throw bad('multiaddrs must be an array of strings');
  }
  if (typeof v.protocol !== 'string') throw bad('protocol must be a string');
  if (typeof v.allowLocal !== 'boolean') throw bad('allowLocal must be a boolean');
  for (const key of ['taskTimeoutMs', 'opfsThresholdBytes'] as const) {
    const n = v[key];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)
      throw bad(`${key} must be a positive integer`);
  }
  return {
    multiaddrs: multiaddrs as string[],
    protocol: v.protocol,
    allowLocal: v.allowLocal,
    taskTimeoutMs: v.taskTimeoutMs as number,
    opfsThresholdBytes: v.opfsThresholdBytes as number,
  };
}

export async function fetchBootstrap(
  url: string,
  opts: { signal?: AbortSignal } = {},
): Promise<WorkerBootstrap> {
  throwIfAborted(opts.signal);
  const response = await fetch(url, { signal: opts.signal ?? null, cache: 'no-store' });
  if (!response.ok) throw bad(`HTTP ${response.status} from ${url}`);
  const bootstrap = parseBootstrap(await response.json());
  if (bootstrap.multiaddrs.length === 0) throw bad('the orchestrator listens on no WebSocket address');
  return bootstrap;
}
