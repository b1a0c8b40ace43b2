/**
 * Engine defaults in one place (the lead folds these into orchestrator/config.ts).
 *
 * - redundancy R = 2, quorum Q = 2: every task is computed by two distinct workers and closes
 *   when both agree; a single wrong worker can never get a result accepted.
 * - maxReplicas = R + 2: a disagreement leases one more replica at a time (as BOINC's validator
 *   does), at most two extra per round, before the task is dead-lettered as `no_quorum`.
 * - maxAttempts = 5: lost replicas (worker-reported failures and expired leases) per round before
 *   the task is dead-lettered as `max_attempts`.
 * - leaseMs = 30 s: a worker that vanished holds a replica at most this long (heartbeats extend it).
 * - backoff after a worker-reported failure: full jitter, uniform in [0, min(cap, base * factor^(n-1)))
 *   for the n-th loss, base 1 s, factor 2, cap 5 min. Expired leases are reissued at once.
 */
export const ENGINE_DEFAULTS = {
  redundancy: 2,
  quorum: 2,
  extraReplicas: 2,
  maxAttempts: 5,
  priority: 0,
  leaseMs: 30_000,
  backoff: { baseMs: 1_000, factor: 2, capMs: 300_000 },
  /** Most replicas one `lease` call hands out (bounds the transaction). */
  maxLeaseBatch: 256,
  /** Most expired replicas one `reap` call processes (bounds the transaction). */
  reapBatch: 1_000,
  /** Check that a submitted digest is the lowercase hex SHA-256 of the submitted output. */
  checkDigest: true,
} as const;
