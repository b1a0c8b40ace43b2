import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { encodeBatch } from '../../orchestrator/mesh/batch.ts';
import { signRecordSync } from '../../orchestrator/mesh/digest-log.ts';
import type { LogError } from '../../orchestrator/mesh/errors.ts';
import { GENESIS_HASH, type LogRecord, RECORD_VERSION } from '../../orchestrator/mesh/record.ts';
import { LOG_TOPIC } from '../../orchestrator/mesh/replicator.ts';
import { pubsubOf } from '../../orchestrator/mesh/services.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { type LogPeer, meshReady, ring, startPeer, TEST_MESH, taskInput, until } from './peers.ts';

/**
 * A rogue node publishes straight onto the log topic (no validator of its own), so every bad case
 * reaches an honest peer's validator. Five honest peers in a ring plus the rogue.
 */
let dir: ReturnType<typeof tempDir>;
let peers: LogPeer[] = [];
let rogue: Libp2p;
let rogueKey: PrivateKey;
const rejected: Array<{ code: string; by: string }> = [];

beforeAll(async () => {
  dir = tempDir('shardmesh-validator-');
  peers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => startPeer(dir.path, n)));
  await ring(peers);
  rogueKey = await generateKeyPair('Ed25519');
  rogue = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'], privateKey: rogueKey, mesh: TEST_MESH });
  pubsubOf(rogue)?.subscribe(LOG_TOPIC);
  const a = honest(0);
  await rogue.dial(multiaddr(a.node.getMultiaddrs()[0]?.toString() ?? ''));
  for (const p of peers)
    p.replicator.onRejected((err: LogError) => rejected.push({ code: err.code, by: p.name }));
  await meshReady(peers);
  await until(() => (pubsubOf(rogue)?.getSubscribers(LOG_TOPIC).length ?? 0) >= 1, 'rogue sees a subscriber');
});
afterEach(() => {
  rejected.length = 0;
});

function honest(i: number): LogPeer {
  const p = peers[i];
  if (p === undefined) throw new Error(`no peer ${i}`);
  return p;
}

const rogueOrigin = (): string => peerIdFromPrivateKey(rogueKey).toString();

function rogueRecord(
  seq: number,
  prevHash: string,
  over: Partial<LogRecord> = {},
  key = rogueKey,
): LogRecord {
  return signRecordSync(key, {
    v: RECORD_VERSION,
    origin: rogueOrigin(),
    seq,
    ...taskInput(),
    prevHash,
    ...over,
  });
}

async function publish(data: Uint8Array): Promise<void> {
  await pubsubOf(rogue)?.publish(LOG_TOPIC, data);
}

async function expectRejected(code: string): Promise<void> {
  await until(() => rejected.some((r) => r.code === code && r.by === 'a'), `rejection ${code}`);
  // Rejected at the first hop: nobody stored anything from the rogue.
  for (const p of peers) expect(p.store.head(rogueOrigin())).toBeUndefined();
}

describe('log topic validator', () => {
  test('rejects a batch that is not JSON, or not the schema', async () => {
    await publish(new TextEncoder().encode('{not json'));
    await expectRejected(ErrorCode.LogMalformed);
    rejected.length = 0;
    await publish(new TextEncoder().encode(JSON.stringify({ v: 1, records: [{ seq: 1 }] })));
    await expectRejected(ErrorCode.LogMalformed);
  });

  test("rejects a record whose signature is not its origin's (spoofed origin)", async () => {
    const victim = honest(2).origin;
    const forged = rogueRecord(1, GENESIS_HASH, { origin: victim });
    await publish(encodeBatch([forged]));
    await until(() => rejected.some((r) => r.code === ErrorCode.LogBadSignature), 'bad signature rejection');
    for (const p of peers.filter((q) => q.origin !== victim)) expect(p.store.head(victim)).toBeUndefined();
  });

  test('rejects a record whose hash does not match its content', async () => {
    const r = rogueRecord(1, GENESIS_HASH);
    await publish(encodeBatch([{ ...r, digest: 'tampered' }]));
    await expectRejected(ErrorCode.LogBadHash);
  });

  test('rejects a record whose proof reference is malformed', async () => {
    await publish(encodeBatch([rogueRecord(1, GENESIS_HASH, { proof: 'groth16:deadbeef' })]));
    await expectRejected(ErrorCode.LogProofUnverified);
  });

  test('rejects a broken chain and a fork of a held chain; the valid record passes', async () => {
    const first = rogueRecord(1, GENESIS_HASH);
    await publish(encodeBatch([first]));
    await until(() => peers.every((p) => p.store.head(rogueOrigin())?.seq === 1), 'valid record everywhere');
    await publish(encodeBatch([rogueRecord(2, 'f'.repeat(64))]));
    await until(() => rejected.some((r) => r.code === ErrorCode.LogChainBroken), 'broken chain rejection');
    rejected.length = 0;
    await publish(encodeBatch([rogueRecord(1, GENESIS_HASH)]));
    await until(() => rejected.some((r) => r.code === ErrorCode.LogChainBroken), 'fork rejection');
    for (const p of peers) {
      expect(p.store.head(rogueOrigin())?.seq).toBe(1);
      expect(p.store.get(rogueOrigin(), 1)?.hash).toBe(first.hash);
    }
  });
});

afterAll(async () => {
  await rogue.stop();
  await Promise.all(peers.map((p) => p.stop()));
  dir.cleanup();
});
