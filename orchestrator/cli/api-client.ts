/**
 * A typed client for the REST API, used by the CLI, the demo and tests. Errors come back as the
 * server's typed error (code, message, details), not as a bare status.
 */
import { type ErrorCode as Code, ErrorCode, ShardmeshError } from '../../protocol/errors.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { DeadLetter, DeadLetterDetail, JobProgress, JobSummary, WorkerInfo } from '../engine/index.ts';

export interface ResultLine {
  taskId: string;
  index: number;
  digest: string;
  output?: string;
}

export interface VerificationKeyInfo {
  circuit: string;
  version: number;
  vkeySha256: string;
  zkeySha256: string;
  wasmSha256: string;
}

export interface VerificationKeyState {
  circuit: string;
  version: number;
  active: boolean;
}

type Query = Record<string, string | number | undefined>;

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  submit(body: unknown, opts: { signal?: AbortSignal; idempotencyKey?: string } = {}): Promise<JobSummary> {
    const headers: Record<string, string> =
      opts.idempotencyKey === undefined ? {} : { 'idempotency-key': opts.idempotencyKey };
    return this.json('POST', '/v1/jobs', { body, headers, signal: opts.signal });
  }

  /** Uploads bytes as a content-addressed blob and returns its SHA-256. */
  async putBlob(bytes: Uint8Array, signal?: AbortSignal): Promise<string> {
    const sha = await sha256Hex(bytes);
    await this.request('PUT', `/v1/blobs/${sha}`, { raw: bytes, signal });
    return sha;
  }

  async getBlob(sha256: string, signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.request('GET', `/v1/blobs/${sha256}`, { signal });
    return new Uint8Array(await res.arrayBuffer());
  }

  jobs(query: Query = {}, signal?: AbortSignal): Promise<{ jobs: JobProgress[] }> {
    return this.json('GET', `/v1/jobs${qs(query)}`, { signal });
  }

  job(jobId: string, signal?: AbortSignal): Promise<JobProgress> {
    return this.json('GET', `/v1/jobs/${encodeURIComponent(jobId)}`, { signal });
  }

  cancel(jobId: string, signal?: AbortSignal): Promise<JobProgress> {
    return this.json('POST', `/v1/jobs/${encodeURIComponent(jobId)}/cancel`, { signal });
  }

  async results(jobId: string, opts: { inline?: boolean; signal?: AbortSignal } = {}): Promise<ResultLine[]> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/results${opts.inline ? '?inline=true' : ''}`;
    const text = await (await this.request('GET', path, { signal: opts.signal })).text();
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as ResultLine);
  }

  dlqList(query: Query = {}, signal?: AbortSignal): Promise<{ deadLetters: DeadLetter[] }> {
    return this.json('GET', `/v1/dlq${qs(query)}`, { signal });
  }

  dlqInspect(taskId: string, signal?: AbortSignal): Promise<DeadLetterDetail> {
    return this.json('GET', `/v1/dlq/${encodeURIComponent(taskId)}`, { signal });
  }

  dlqRequeue(
    taskId: string | undefined,
    query: Query = {},
    signal?: AbortSignal,
  ): Promise<{ requeued: number }> {
    const path =
      taskId === undefined ? `/v1/dlq/requeue${qs(query)}` : `/v1/dlq/${encodeURIComponent(taskId)}/requeue`;
    return this.json('POST', path, { signal });
  }

  dlqPurge(query: Query = {}, signal?: AbortSignal): Promise<{ purged: number }> {
    return this.json('DELETE', `/v1/dlq${qs(query)}`, { signal });
  }

  workers(signal?: AbortSignal): Promise<{ connected: number; workers: WorkerInfo[] }> {
    return this.json('GET', '/v1/workers', { signal });
  }

  // Verification-key versions (orchestrator/http/routes/verification-keys.ts).
  verificationKeys(signal?: AbortSignal): Promise<{ versions: VerificationKeyInfo[]; development: boolean }> {
    return this.json('GET', '/v1/verification-keys', { signal });
  }

  addVerificationKey(circuit: string, version: number, signal?: AbortSignal): Promise<VerificationKeyState> {
    return this.json('POST', '/v1/verification-keys', { body: { circuit, version }, signal });
  }

  retireVerificationKey(
    circuit: string,
    version: number,
    signal?: AbortSignal,
  ): Promise<VerificationKeyState> {
    const path = `/v1/verification-keys/${encodeURIComponent(circuit)}/${version}/retire`;
    return this.json('POST', path, { signal });
  }

  /** Follows the job's Server-Sent Events until it ends, reporting each progress snapshot. */
  async waitForJob(
    jobId: string,
    opts: { signal?: AbortSignal; onProgress?: (job: JobProgress) => void } = {},
  ): Promise<JobProgress> {
    const res = await this.request('GET', `/v1/jobs/${encodeURIComponent(jobId)}/events`, {
      signal: opts.signal,
    });
    let last: JobProgress | undefined;
    for await (const event of readSse(res, opts.signal)) {
      last = JSON.parse(event.data) as JobProgress;
      opts.onProgress?.(last);
      if (event.event === 'done') return last;
    }
    // The stream ended early (server stopping): report the latest state we can read.
    return this.job(jobId, opts.signal);
  }

  private async json<T>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    return (await (await this.request(method, path, opts)).json()) as T;
  }

  private async request(method: string, path: string, opts: RequestOpts = {}): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: BodyInit | undefined;
    if (opts.raw !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = new Blob([new Uint8Array(opts.raw)]);
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    if (res.ok) return res;
    const payload = (await res.json().catch(() => ({}))) as {
      error?: { code: Code; message: string; details?: Record<string, unknown> };
    };
    const error = payload.error ?? { code: ErrorCode.Internal, message: `HTTP ${res.status}` };
    throw new ShardmeshError(error.code, `${method} ${path}: ${error.message}`, error.details);
  }
}

interface RequestOpts {
  body?: unknown;
  raw?: Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

function qs(query: Query): string {
  const entries = Object.entries(query).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}`;
}

/** Minimal text/event-stream reader: yields { event, data } per blank-line-terminated block. */
async function* readSse(
  res: Response,
  signal?: AbortSignal,
): AsyncGenerator<{ event: string; data: string }> {
  if (res.body === null) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    if (signal?.aborted) return;
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
      end = buffer.indexOf('\n\n');
    }
  }
}

export function progressLine(job: JobProgress): string {
  const { total, done, dead } = job.counts;
  const width = 24;
  const filled = total === 0 ? width : Math.round(((done + dead) / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} done, ${dead} dead, ${job.replicas.submitted} replicas`;
}
