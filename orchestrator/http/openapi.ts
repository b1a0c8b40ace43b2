/**
 * OpenAPI 3.1 for the REST API, generated from the zod schemas that validate the requests
 * (OpenAPI 3.1 uses JSON Schema 2020-12, which is what zod emits).
 */
import { z } from 'zod';
import { VerificationKeyRefSchema } from './routes/verification-keys.ts';
import { ErrorSchema, JobProgressSchema, JobSubmissionSchema, ResultLineSchema } from './schemas.ts';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const errors = Object.fromEntries(
  [
    ['400', 'invalid request: details.field names the offending field'],
    ['401', 'missing or invalid API key'],
    ['404', 'not found'],
    ['413', 'payload or body too large'],
    ['429', 'rate limited (see Retry-After)'],
  ].map(([status, description]) => [status, { description, content: json('Error') }]),
);
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const secured = { security: [{ bearer: [] }] };

export function buildOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Shardmesh orchestrator API', version: '1' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'smk_... from `shardmesh keys create`' },
      },
      schemas: {
        JobSubmission: schema(JobSubmissionSchema),
        JobProgress: schema(JobProgressSchema),
        ResultLine: schema(ResultLineSchema),
        Error: schema(ErrorSchema),
        VerificationKeyRef: schema(VerificationKeyRefSchema),
      },
    },
    paths: {
      '/v1/jobs': {
        post: {
          ...secured,
          summary: 'Submit a job (a batch of tasks); Idempotency-Key header or body field dedupes retries',
          requestBody: { required: true, content: json('JobSubmission') },
          responses: {
            '201': { description: 'created', content: json('JobProgress') },
            '200': { description: 'idempotent replay', content: json('JobProgress') },
            ...errors,
          },
        },
        get: {
          ...secured,
          summary: 'List jobs (newest first)',
          responses: { '200': { description: '{ jobs: JobProgress[] }' }, ...errors },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          ...secured,
          parameters: [idParam('id')],
          summary: 'Job progress',
          responses: { '200': { description: 'progress', content: json('JobProgress') }, ...errors },
        },
      },
      '/v1/jobs/{id}/events': {
        get: {
          ...secured,
          parameters: [idParam('id')],
          summary: 'Server-Sent Events: `progress` on each task change, `done` at the end',
          responses: { '200': { description: 'text/event-stream of JobProgress' }, ...errors },
        },
      },
      '/v1/jobs/{id}/results': {
        get: {
          ...secured,
          parameters: [
            idParam('id'),
            { name: 'inline', in: 'query', schema: { type: 'string', enum: ['true', 'false'] } },
          ],
          summary: 'Accepted results as NDJSON, one ResultLine per line',
          responses: {
            '200': {
              description: 'application/x-ndjson',
              content: { 'application/x-ndjson': { schema: ref('ResultLine') } },
            },
            ...errors,
          },
        },
      },
      '/v1/jobs/{id}/cancel': {
        post: {
          ...secured,
          parameters: [idParam('id')],
          summary: 'Cancel: open tasks end dead with reason cancelled',
          responses: { '200': { description: 'progress', content: json('JobProgress') }, ...errors },
        },
      },
      '/v1/blobs/{sha256}': {
        put: {
          ...secured,
          parameters: [idParam('sha256')],
          summary: 'Upload a content-addressed blob (large task input)',
          requestBody: { content: { 'application/octet-stream': {} } },
          responses: {
            '201': { description: 'stored' },
            '200': { description: 'already stored' },
            ...errors,
          },
        },
        get: {
          ...secured,
          parameters: [idParam('sha256')],
          summary: 'Download a blob (e.g. a result output by its digest)',
          responses: { '200': { description: 'application/octet-stream' }, ...errors },
        },
      },
      '/v1/dlq': {
        get: {
          ...secured,
          summary: 'List dead letters (filters: jobId, reason, limit, offset)',
          responses: { '200': { description: '{ deadLetters }' }, ...errors },
        },
        delete: {
          ...secured,
          summary: 'Purge dead letters (filters: jobId, reason, before)',
          responses: { '200': { description: '{ purged }' }, ...errors },
        },
      },
      '/v1/dlq/{taskId}': {
        get: {
          ...secured,
          parameters: [idParam('taskId')],
          summary: 'Inspect one: reason, attempts, errors, conflicting digests',
          responses: { '200': { description: 'dead letter' }, ...errors },
        },
      },
      '/v1/dlq/{taskId}/requeue': {
        post: {
          ...secured,
          parameters: [idParam('taskId')],
          summary: 'Requeue one dead task',
          responses: { '200': { description: '{ requeued: 1 }' }, ...errors },
        },
      },
      '/v1/dlq/requeue': {
        post: {
          ...secured,
          summary: 'Requeue all (filters: jobId, reason)',
          responses: { '200': { description: '{ requeued }' }, ...errors },
        },
      },
      '/v1/workers': {
        get: {
          ...secured,
          summary: 'Known workers and their capabilities',
          responses: { '200': { description: '{ connected, workers }' }, ...errors },
        },
      },
      '/v1/verification-keys': {
        get: {
          ...secured,
          summary: 'Active verification-key versions (circuit, version, SHA-256 of vkey, zkey, wasm)',
          responses: { '200': { description: '{ versions, development }' }, ...errors },
        },
        post: {
          ...secured,
          summary:
            "Activate a version listed in the orchestrator's artifacts manifest (vkey checked by hash); no restart",
          requestBody: { required: true, content: json('VerificationKeyRef') },
          responses: {
            '201': { description: '{ circuit, version, active: true }' },
            '409': { description: 'the vkey on disk does not match its hash', content: json('Error') },
            ...errors,
          },
        },
      },
      '/v1/verification-keys/{circuit}/{version}/retire': {
        post: {
          ...secured,
          parameters: [idParam('circuit'), idParam('version')],
          summary: 'Retire an active version: its proofs are refused (PROOF_VERSION_RETIRED) from now on',
          responses: { '200': { description: '{ circuit, version, active: false }' }, ...errors },
        },
      },
      '/healthz': {
        get: {
          summary: 'Liveness and database check',
          responses: { '200': { description: '{ ok, workers }' } },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain' } } },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
    },
  };
}
