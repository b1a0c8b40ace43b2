/** The SQLite replay guard on a real (in-memory) bun:sqlite database. */

import { describe, expect, test } from 'bun:test';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { ProofReplayGuard } from '../../orchestrator/proofs/replay-guard.ts';
import { ErrorCode } from '../../protocol/errors.ts';

const record = (nonce: string, proofHash: string, workerId = 'w1') => ({
  nonce,
  proofHash,
  workerId,
  circuit: 'c',
});

function replayField(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: string; details?: { field?: string } };
    return e.code === ErrorCode.ProofReplayed ? e.details?.field : `wrong error ${String(e.code)}`;
  }
  return 'no error';
}

describe('ProofReplayGuard', () => {
  test('refuses a seen nonce and a seen proof, each named', () => {
    const guard = new ProofReplayGuard(openDatabase(':memory:'));
    guard.consume(record('n1', 'p1'));
    expect(replayField(() => guard.consume(record('n1', 'p2')))).toBe('nonce');
    expect(replayField(() => guard.consume(record('n2', 'p1')))).toBe('proof');
    expect(replayField(() => guard.throwIfSeen({ nonce: 'n1', proofHash: 'x' }))).toBe('nonce');
    guard.consume(record('n2', 'p2'));
  });

  test('a refused record leaves nothing behind (one transaction)', () => {
    const guard = new ProofReplayGuard(openDatabase(':memory:'));
    guard.consume(record('n1', 'p1'));
    expect(replayField(() => guard.consume(record('n3', 'p1')))).toBe('proof');
    // n3 was not recorded by the refused call.
    guard.consume(record('n3', 'p3'));
  });

  test('the table survives a second guard on the same database; prune forgets old entries', () => {
    const db = openDatabase(':memory:');
    let now = 1000;
    const guard = new ProofReplayGuard(db, { now: () => now });
    guard.consume(record('n1', 'p1'));
    now = 5000;
    guard.consume(record('n2', 'p2'));
    const again = new ProofReplayGuard(db);
    expect(replayField(() => again.throwIfSeen({ nonce: 'n2', proofHash: 'z' }))).toBe('nonce');
    expect(again.prune(2000)).toBe(2);
    again.throwIfSeen({ nonce: 'n1', proofHash: 'p1' });
  });
});
