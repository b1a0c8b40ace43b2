/**
 * Quorum arithmetic, pure. A task's current round is summarized by three counts kept on its row:
 * live (leased or acked replicas), votes (submitted digests) and best (the largest group of
 * identical digests; replicas come from distinct workers, so best counts distinct agreeing workers).
 */
import type { TaskState } from './state-machine.ts';

export interface QuorumPolicy {
  redundancy: number;
  quorum: number;
  maxReplicas: number;
}

export interface VoteCounts {
  live: number;
  votes: number;
  best: number;
}

export const NO_VOTES: VoteCounts = { live: 0, votes: 0, best: 0 };

export function quorumReached(p: QuorumPolicy, c: VoteCounts): boolean {
  return c.best >= p.quorum;
}

/**
 * Can Q agreeing votes still happen? Every replica still allowed (live or not yet leased) could
 * join the largest group, so the best case is best + (maxReplicas - votes).
 */
export function quorumReachable(p: QuorumPolicy, c: VoteCounts): boolean {
  return c.best + (p.maxReplicas - c.votes) >= p.quorum;
}

/**
 * How many more replicas to lease now. Up to R at first; after that only as many as could still
 * complete the quorum (Q - best), i.e. one more per disagreement as BOINC's validator does, and
 * never beyond maxReplicas votes. Live replicas count as votes on their way.
 */
export function wantMore(p: QuorumPolicy, c: VoteCounts): number {
  const target = Math.min(Math.max(p.redundancy - c.votes, p.quorum - c.best), p.maxReplicas - c.votes);
  return Math.max(0, target - c.live);
}

/** The open state that matches the counts (see the CHECK on tasks in 0001_init.sql). */
export function openState(c: VoteCounts): Extract<TaskState, 'pending' | 'running' | 'verifying'> {
  if (c.votes > 0) return 'verifying';
  return c.live > 0 ? 'running' : 'pending';
}
