/**
 * Log peers on loopback for the mesh tests: each is a real libp2p node (TCP, Noise, Yamux,
 * GossipSub) with its own real SQLite database (a file, so a peer can be killed and restarted on
 * it with the same key) holding its own chain and its copies of the others.
 */
import type { Database } from 'bun:sqlite';
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { openDatabase } from '../../orchestrator/db/index.ts';
import { DigestLog } from '../../orchestrator/mesh/digest-log.ts';
import type { RecordInput } from '../../orchestrator/mesh/record.ts';
import { LogReplicator, type ReplicatorOptions } from '../../orchestrator/mesh/replicator.ts';
import type { MeshNodeOptions } from '../../orchestrator/mesh/services.ts';
import { LogStore } from '../../orchestrator/mesh/store.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { loadOrCreateNodeKey } from '../../orchestrator/p2p/node-key.ts';

export interface LogPeer {
  name: string;
  dir: string;
  node: Libp2p;
  db: Database;
  store: LogStore;
  log: DigestLog;
  replicator: LogReplicator;
  origin: string;
  stop: () => Promise<void>;
}

export const TEST_MESH: MeshNodeOptions = { mdns: false, dht: false, relay: false };

export async function startPeer(
  dir: string,
  name: string,
  opts: ReplicatorOptions & { mesh?: MeshNodeOptions } = {},
): Promise<LogPeer> {
  const key = await loadOrCreateNodeKey(join(dir, `${name}.key`));
  const node = await createNode({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    privateKey: key,
    mesh: opts.mesh ?? TEST_MESH,
  });
  const db = openDatabase(join(dir, `${name}.db`));
  const store = new LogStore(db);
  const origin = node.peerId.toString();
  const log = new DigestLog(store, key, origin);
  const replicator = new LogReplicator(node, store, { batchMs: 20, syncIntervalMs: 500, own: log, ...opts });
  await replicator.start();
  return {
    name,
    dir,
    node,
    db,
    store,
    log,
    replicator,
    origin,
    stop: async () => {
      await replicator.stop();
      await node.stop();
      db.close();
    },
  };
}

export async function connect(a: LogPeer, b: LogPeer): Promise<void> {
  const addr = b.node.getMultiaddrs()[0];
  if (addr === undefined) throw new Error(`${b.name} does not listen`);
  await a.node.dial(multiaddr(addr.toString()));
}

/** Connects peers in a ring (every peer has two neighbours: the mesh must forward). */
export async function ring(peers: readonly LogPeer[]): Promise<void> {
  for (let i = 0; i < peers.length; i++) {
    const a = peers[i];
    const b = peers[(i + 1) % peers.length];
    if (a !== undefined && b !== undefined && a !== b) await connect(a, b);
  }
}

let counter = 0;
/** A record input for a made-up accepted task. */
export function taskInput(over: Partial<RecordInput> = {}): RecordInput {
  counter++;
  return {
    jobId: 'job-1',
    taskId: `task-${counter}`,
    index: counter,
    kind: 'u32-sum',
    digest: `d${counter.toString(16).padStart(63, '0')}`,
    workers: ['w-b', 'w-a'],
    proof: null,
    acceptedAt: 1_700_000_000_000 + counter,
    ...over,
  };
}

/** Resolves when `check()` is true, polling; rejects after `timeoutMs` with `what` in the message. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True when every peer holds every origin's chain up to the origin's own head. */
export function converged(peers: readonly LogPeer[], origins: readonly LogPeer[] = peers): boolean {
  return origins.every((o) => {
    const head = o.store.head(o.origin);
    return peers.every((p) => p.store.head(o.origin)?.hash === head?.hash);
  });
}

/** Waits until every peer sees every other peer subscribed to the log topic. */
export async function meshReady(peers: readonly LogPeer[], timeoutMs = 5_000): Promise<void> {
  await until(
    () =>
      peers.every((p) => {
        const subs = p.replicator.subscriberCount();
        return subs >= Math.min(2, peers.length - 1);
      }),
    'topic subscriptions',
    timeoutMs,
  );
}
