import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { tempDir } from '../helpers/temp-dir.ts';
import { converged, type LogPeer, meshReady, ring, startPeer, taskInput, until } from './peers.ts';

let dir: ReturnType<typeof tempDir>;
let peers: LogPeer[] = [];
beforeEach(() => {
  dir = tempDir('shardmesh-mesh-');
});
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
  dir.cleanup();
});

describe('digest log gossip', () => {
  test('five peers in a ring: every record of every origin reaches every peer', async () => {
    peers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => startPeer(dir.path, n)));
    await ring(peers);
    await meshReady(peers);
    const [a, c] = [peers[0], peers[2]];
    if (a === undefined || c === undefined) throw new Error('unreachable');
    for (let i = 0; i < 150; i++) a.log.append(taskInput());
    for (let i = 0; i < 10; i++) c.log.append(taskInput());
    await until(() => converged(peers, [a, c]), 'convergence');
    for (const p of peers) {
      expect(p.store.head(a.origin)?.seq).toBe(150);
      expect(p.store.head(c.origin)?.seq).toBe(10);
    }
    const sample = peers[3]?.store.get(a.origin, 77);
    expect(sample).toEqual(a.store.get(a.origin, 77));
    // Receivers keep gossiped batches as received (digest_log_runs); the origin keeps rows.
    const runs = (p: LogPeer, origin: string) =>
      p.db
        .query<{ n: number }, [string]>('SELECT count(*) AS n FROM digest_log_runs WHERE origin = ?1')
        .get(origin)?.n;
    expect(runs(a, a.origin)).toBe(0);
    expect(runs(peers[3] as LogPeer, a.origin)).toBeGreaterThan(0);
    expect(peers[3]?.store.range(a.origin, 1, 200)).toEqual(a.store.range(a.origin, 1, 200));
  });
});
