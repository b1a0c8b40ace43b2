/**
 * Every request and response body of the REST API, as zod schemas. The same schemas validate
 * requests and generate `/openapi.json`, so the docs cannot drift from the behaviour.
 */
import { z } from 'zod';
import { TASK_KINDS } from '../../protocol/task-kinds.ts';

const u32 = z.number().int().min(0).max(0xffff_ffff);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');

export const TaskSpecSchema = z
  .strictObject({
    seed: u32.describe('Seed handed to the kernel (u32)'),
    payload: z.base64().optional().describe('Small task input, inline as base64'),
    payloadSha256: sha256.optional().describe('Large task input, uploaded first with PUT /v1/blobs/{sha256}'),
    params: z.record(z.string(), z.json()).optional().describe('Kind-specific parameters'),
  })
  .refine((t) => (t.payload === undefined) !== (t.payloadSha256 === undefined), {
    message: 'give exactly one of payload and payloadSha256',
    path: ['payload'],
  });

export const JobSubmissionSchema = z
  .strictObject({
    kind: z.enum(TASK_KINDS as unknown as [string, ...string[]]),
    tasks: z.array(TaskSpecSchema).min(1),
    redundancy: z.number().int().min(1).max(16).optional().describe('Replicas per task (default 2)'),
    quorum: z
      .number()
      .int()
      .min(1)
      .max(16)
      .optional()
      .describe('Identical digests that accept a task (default 2)'),
    maxReplicas: z.number().int().min(1).max(64).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    idempotencyKey: z.string().min(1).max(128).optional(),
    proof: z
      .enum(['result_binding', 'poseidon_chain', 'result_batch'])
      .optional()
      .describe(
        'Require a Groth16 proof with every result, verified before it counts (slow: ~1-3 s per proof). ' +
          "result_batch: one proof per batch of up to 16 of a worker's replicas; poseidon_chain: only with kind 'poseidon-chain'",
      ),
  })
  .refine((job) => job.quorum === undefined || job.quorum <= (job.redundancy ?? job.quorum), {
    path: ['quorum'],
    message: 'quorum cannot exceed redundancy',
  });
export type JobSubmission = z.infer<typeof JobSubmissionSchema>;

const counts = z.object({
  total: z.number(),
  pending: z.number(),
  running: z.number(),
  verifying: z.number(),
  done: z.number(),
  dead: z.number(),
});
const replicaCounts = z.object({
  leased: z.number(),
  submitted: z.number(),
  accepted: z.number(),
  rejected: z.number(),
  expired: z.number(),
  failed: z.number(),
});

export const JobProgressSchema = z.object({
  jobId: z.string(),
  kind: z.string(),
  state: z.enum(['active', 'completed', 'cancelled']),
  priority: z.number(),
  redundancy: z.number(),
  quorum: z.number(),
  maxReplicas: z.number(),
  maxAttempts: z.number(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  proof: z.enum(['result_binding', 'poseidon_chain', 'result_batch']).nullable(),
  counts,
  replicas: replicaCounts,
});

export const ResultLineSchema = z.object({
  taskId: z.string(),
  index: z.number(),
  digest: sha256.describe('SHA-256 of the output; the output itself is the blob GET /v1/blobs/{digest}'),
  output: z.string().optional().describe('base64 output bytes, only with ?inline=true'),
});

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().describe('stable error code, see protocol/errors.ts'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional().describe('e.g. field: the offending field path'),
  }),
});

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  jobId: z.string().optional(),
});
