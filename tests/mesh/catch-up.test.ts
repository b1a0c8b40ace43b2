import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { tempDir } from '../helpers/temp-dir.ts';
import { connect, converged, type LogPeer, meshReady, ring, startPeer, taskInput, until } from './peers.ts';

let dir: ReturnType<typeof tempDir>;
let peers: LogPeer[] = [];
beforeEach(() => {
  dir = tempDir('shardmesh-catchup-');
});
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
  dir.cleanup();
});

function at(i: number): LogPeer {
  const p = peers[i];
  if (p === undefined) throw new Error(`no peer ${i}`);
  return p;
}

async function start(names: string[]): Promise<void> {
  peers = await Promise.all(names.map((n) => startPeer(dir.path, n)));
}

describe('log catch-up over /shardmesh/log-sync/1.0.0', () => {
  test('a peer that joins late pulls every origin, page by page', async () => {
    await start(['a', 'b', 'c', 'd']);
    await ring(peers);
    await meshReady(peers);
    for (let i = 0; i < 250; i++) at(0).log.append(taskInput());
    for (let i = 0; i < 3; i++) at(1).log.append(taskInput());
    await until(() => converged(peers), 'first four converge');
    // Anti-entropy timer off: only the connection itself may trigger the catch-up.
    const late = await startPeer(dir.path, 'late', { syncPageSize: 100, syncIntervalMs: 0 });
    peers.push(late);
    await connect(late, at(2));
    await until(() => converged(peers), 'late peer catches up');
    expect(late.store.head(at(0).origin)?.seq).toBe(250);
    expect(late.store.head(at(1).origin)?.seq).toBe(3);
  });

  test('a lone peer publishes nothing; a peer that connects later gets its records over log-sync', async () => {
    await start(['alone']);
    const published: string[] = [];
    const pubsub = at(0).node.services.pubsub as { publish: (topic: string, data: Uint8Array) => unknown };
    const publish = pubsub.publish.bind(pubsub);
    pubsub.publish = (topic, data) => {
      published.push(topic);
      return publish(topic, data);
    };
    for (let i = 0; i < 20; i++) at(0).log.append(taskInput());
    await at(0).replicator.flush();
    expect(published).toEqual([]); // no subscriber: no batch encoded or sent
    const late = await startPeer(dir.path, 'late', { syncIntervalMs: 0 });
    peers.push(late);
    await connect(late, at(0));
    await until(() => converged(peers), 'late peer catches up');
    expect(late.store.head(at(0).origin)?.seq).toBe(20);
  });

  test('a peer killed and restarted on its data dir catches up and continues its own chain', async () => {
    await start(['a', 'b', 'c', 'd', 'e']);
    await ring(peers);
    await meshReady(peers);
    for (let i = 0; i < 5; i++) at(3).log.append(taskInput());
    await until(() => converged(peers), 'initial convergence');
    const d = at(3);
    const oldOrigin = d.origin;
    await d.stop();
    for (let i = 0; i < 40; i++) at(0).log.append(taskInput());
    await until(
      () =>
        converged(
          peers.filter((p) => p !== d),
          [at(0)],
        ),
      'survivors converge',
    );
    const restarted = await startPeer(dir.path, 'd');
    peers[3] = restarted;
    expect(restarted.origin).toBe(oldOrigin);
    await connect(restarted, at(2));
    await connect(restarted, at(4));
    await until(() => restarted.store.head(at(0).origin)?.seq === 40, 'restarted peer catches up');
    const next = restarted.log.append(taskInput());
    expect(next.seq).toBe(6);
    expect(next.prevHash).toBe(restarted.store.get(oldOrigin, 5)?.hash ?? '');
    await until(() => converged(peers), 'everyone holds the continued chain');
  });

  test('a partition heals: both sides publish apart, then converge', async () => {
    await start(['a', 'b', 'c', 'd', 'e']);
    await ring(peers); // a-b-c-d-e-a
    await meshReady(peers);
    // Cut b-c and e-a: {a, b} | {c, d, e}.
    await at(1).node.hangUp(at(2).node.peerId);
    await at(4).node.hangUp(at(0).node.peerId);
    await until(
      () =>
        at(1).node.getConnections(at(2).node.peerId).length === 0 &&
        at(0).node.getConnections(at(4).node.peerId).length === 0,
      'partition',
    );
    for (let i = 0; i < 30; i++) at(0).log.append(taskInput());
    for (let i = 0; i < 20; i++) at(3).log.append(taskInput());
    const left = [at(0), at(1)];
    const right = [at(2), at(3), at(4)];
    await until(() => converged(left, [at(0)]) && converged(right, [at(3)]), 'each side converges');
    for (const p of right) expect(p.store.head(at(0).origin)).toBeUndefined();
    for (const p of left) expect(p.store.head(at(3).origin)).toBeUndefined();
    await connect(at(1), at(2));
    await until(() => converged(peers), 'healed mesh converges');
  });
});
