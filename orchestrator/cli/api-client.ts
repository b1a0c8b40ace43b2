/**
 * A small typed client for the REST API, used by the CLI and the demo. Errors come back as the
 * server's typed error (code, message, details), not as a bare status.
 */
import { type ErrorCode as Code, ErrorCode, RequestError, ShardmeshError } from '../../protocol/errors.ts';
import type { JobProgress } from '../engine/index.ts';

export interface ResultLine {
  taskId: string;
  index: number;
  digest: string;
  output: string;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  submit(body: unknown, signal?: AbortSignal): Promise<{ jobId: string }> {
    return this.request('POST', '/v1/jobs', body, signal);
  }

  job(jobId: string, signal?: AbortSignal): Promise<JobProgress> {
    return this.request('GET', `/v1/jobs/${encodeURIComponent(jobId)}`, undefined, signal);
  }

  async results(jobId: string, signal?: AbortSignal): Promise<ResultLine[]> {
    const res = await this.fetch('GET', `/v1/jobs/${encodeURIComponent(jobId)}/results`, undefined, signal);
    const text = await res.text();
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as ResultLine);
  }

  /** Polls until the job has no open tasks, reporting progress as it changes. */
  async waitForJob(
    jobId: string,
    opts: { signal?: AbortSignal; intervalMs?: number; onProgress?: (line: string) => void } = {},
  ): Promise<JobProgress> {
    let last = '';
    for (;;) {
      const job = await this.job(jobId, opts.signal);
      const line = progressLine(job);
      if (line !== last) opts.onProgress?.(line);
      last = line;
      if (job.counts.done + job.counts.dead >= job.counts.total) return job;
      await Bun.sleep(opts.intervalMs ?? 200);
      if (opts.signal?.aborted) throw new RequestError(ErrorCode.Aborted, 'stopped waiting for the job');
    }
  }

  private async request<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.fetch(method, path, body, signal);
    return (await res.json()) as T;
  }

  private async fetch(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    });
    if (res.ok) return res;
    const payload = (await res.json().catch(() => ({}))) as { error?: { code: Code; message: string } };
    const error = payload.error ?? { code: ErrorCode.Internal, message: `HTTP ${res.status}` };
    throw new ShardmeshError(error.code, `${method} ${path}: ${error.message}`);
  }
}

export function progressLine(job: JobProgress): string {
  const { total, done, dead } = job.counts;
  const width = 24;
  const filled = total === 0 ? width : Math.round(((done + dead) / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} done, ${dead} dead`;
}
