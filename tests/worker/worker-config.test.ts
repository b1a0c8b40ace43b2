/** The headless worker's settings: the prefetch default, its overrides, and refused values. */
import { afterEach, describe, expect, test } from 'bun:test';
import { resolveWorkerConfig } from '../../orchestrator/config.ts';

const ADDR = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample';
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('worker config', () => {
  test('one lease held ready per slot by default; SHARDMESH_PREFETCH_PER_SLOT and the option override it', () => {
    delete process.env.SHARDMESH_PREFETCH_PER_SLOT;
    expect(resolveWorkerConfig({ orchestrator: ADDR }).prefetchPerSlot).toBe(1);
    process.env.SHARDMESH_PREFETCH_PER_SLOT = '0';
    expect(resolveWorkerConfig({ orchestrator: ADDR }).prefetchPerSlot).toBe(0);
    expect(resolveWorkerConfig({ orchestrator: ADDR, prefetchPerSlot: 3 }).prefetchPerSlot).toBe(3);
    process.env.SHARDMESH_PREFETCH_PER_SLOT = '-1';
    expect(() => resolveWorkerConfig({ orchestrator: ADDR })).toThrow(/SHARDMESH_PREFETCH_PER_SLOT/);
  });
});
