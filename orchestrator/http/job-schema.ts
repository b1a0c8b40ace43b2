/**
 * The job submission body, validated with zod. The same schema will generate the OpenAPI
 * document (engine issue), so validation and docs cannot drift apart.
 */
import { z } from 'zod';
import { TASK_KINDS } from '../../protocol/task-kinds.ts';

const u32 = z.number().int().min(0).max(0xffff_ffff);

export const TaskSpecSchema = z.strictObject({
  /** Seed handed to the kernel (u32). */
  seed: u32,
  /** Task input, base64. */
  payload: z.base64(),
  /** Kind-specific parameters (e.g. matmul's smoothAlpha). */
  params: z.record(z.string(), z.json()).optional(),
});

export const JobSubmissionSchema = z
  .strictObject({
    kind: z.enum(TASK_KINDS as unknown as [string, ...string[]]),
    tasks: z.array(TaskSpecSchema).min(1),
    redundancy: z.number().int().min(1).max(16).optional(),
    quorum: z.number().int().min(1).max(16).optional(),
    maxReplicas: z.number().int().min(1).max(64).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    idempotencyKey: z.string().min(1).max(128).optional(),
  })
  .refine((job) => job.quorum === undefined || job.quorum <= (job.redundancy ?? job.quorum), {
    path: ['quorum'],
    message: 'quorum cannot exceed redundancy',
  });

export type JobSubmission = z.infer<typeof JobSubmissionSchema>;
