/**
 * THE retry decision, pure: after a replica is lost (worker-reported failure or expired lease),
 * retry or dead-letter? Called inside the transaction that records the loss, so the decision and
 * the record commit together or not at all.
 */
import type { BackoffOptions } from './types.ts';

export type LossCause = 'failed' | 'expired';

export type RetryDecision = { retry: true; notBefore: number } | { retry: false };

export interface LossInput {
  /** Losses in this round including this one (1 for the first). */
  attempts: number;
  maxAttempts: number;
  cause: LossCause;
  now: number;
}

/**
 * Upper bound of the n-th backoff delay: min(cap, base * factor^(n-1)). Computed by repeated
 * multiplication with an early stop so large n cannot overflow to Infinity/NaN.
 */
export function backoffCeiling(attempt: number, b: BackoffOptions): number {
  let ceiling = b.baseMs;
  for (let i = 1; i < attempt && ceiling < b.capMs; i++) ceiling *= b.factor;
  return Math.min(b.capMs, ceiling);
}

/** Full jitter (AWS architecture blog): uniform in [0, ceiling), spreading retries of a burst. */
export function backoffDelay(attempt: number, b: BackoffOptions, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * backoffCeiling(attempt, b));
}

/**
 * Dead-letter once `maxAttempts` replicas were lost; otherwise retry. A worker's error backs off
 * (the task or the input may be at fault); an expired lease is reissued at once (the worker
 * vanished, the task did not misbehave) but still counts, so a task that kills every worker it
 * touches cannot circulate forever.
 */
export function decideRetry(input: LossInput, backoff: BackoffOptions, random: () => number): RetryDecision {
  if (input.attempts >= input.maxAttempts) return { retry: false };
  if (input.cause === 'expired') return { retry: true, notBefore: input.now };
  return { retry: true, notBefore: input.now + backoffDelay(input.attempts, backoff, random) };
}
