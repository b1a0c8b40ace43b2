import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ApiKeyStore } from '../../orchestrator/auth/api-keys.ts';
import { createApi } from '../../orchestrator/http/app.ts';
import { discoverOrchestrators } from '../../orchestrator/mesh/discovery.ts';
import { Orchestrator } from '../../orchestrator/orchestrator.ts';
import { drainHonestly, payloads } from '../engine/helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from './peers.ts';

/**
 * Three real orchestrators (SQLite, engine, libp2p mesh, HTTP) on loopback that find each other
 * by mDNS (a service tag private to this test), accept tasks, and end up holding every origin's
 * chain; then a worker-side search finds them by mDNS and by DHT provider records.
 */
const MDNS = process.env.SHARDMESH_TEST_MDNS === '1';
const serviceTag = `shardmesh-test-${process.pid}-${Date.now()}.local`;
const dirs: Array<ReturnType<typeof tempDir>> = [];
const orchestrators: Orchestrator[] = [];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    const dir = tempDir('shardmesh-orch-');
    dirs.push(dir);
    const o = new Orchestrator({
      dataDir: dir.path,
      httpPort: 0,
      p2pListen: ['/ip4/127.0.0.1/tcp/0'],
      // Each joins through the first one (mDNS would multicast onto the LAN: see below).
      p2pBootstrap: orchestrators[0] === undefined ? [] : [orchestrators[0].multiaddrs[0] ?? ''],
      mesh: {
        node: { mdns: MDNS ? { serviceTag, intervalMs: 500 } : false },
        log: { batchMs: 20, syncIntervalMs: 500 },
      },
    });
    await o.start();
    orchestrators.push(o);
  }
});
afterAll(async () => {
  await Promise.all(orchestrators.map((o) => o.stop()));
  for (const d of dirs) d.cleanup();
});

function engineOf(o: Orchestrator) {
  if (o.engine === undefined) throw new Error('not started');
  return o.engine;
}

describe('several orchestrators', () => {
  test("find each other by mDNS and converge on every origin's accepted digests", async () => {
    await until(
      () => orchestrators.every((o) => o.mesh !== undefined && o.mesh.replicator.subscriberCount() >= 2),
      'mDNS mesh',
      10_000,
    );
    orchestrators.forEach((o, i) => {
      const engine = engineOf(o);
      engine.createJob({ kind: 'matmul', tasks: payloads(3 + i, `o${i}`) });
      drainHonestly(engine, ['worker-a', 'worker-b']);
    });
    const origins = orchestrators.map((o) => o.mesh?.log.origin ?? '');
    await until(
      () =>
        orchestrators.every((o) => origins.every((origin, i) => o.mesh?.store.head(origin)?.seq === 3 + i)),
      'convergence',
      10_000,
    );
    const first = orchestrators[0]?.mesh?.store.get(origins[0] ?? '', 1);
    expect(first?.workers).toEqual(['worker-a', 'worker-b']);
    expect(first?.kind).toBe('matmul');
    expect(first?.proof).toBeNull();
    // The public REST endpoint of the third orchestrator verifies all three chains.
    const third = orchestrators[2] as Orchestrator;
    const app = createApi({
      config: third.config,
      engine: engineOf(third),
      keys: new ApiKeyStore(engineOf(third).db),
      onWorkAdded: () => {},
      workerCount: () => 0,
      multiaddrs: () => [],
      log: () => {},
    });
    const report = (await (await app.request('/v1/log/verify')).json()) as {
      ok: boolean;
      origins: unknown[];
    };
    expect(report.ok).toBe(true);
    expect(report.origins).toHaveLength(3);
  });

  test('a worker finds all three through the DHT given one bootstrap address', async () => {
    const bootstrap = orchestrators[0]?.multiaddrs[0] ?? '';
    const found = await discoverOrchestrators({
      bootstrap: [bootstrap],
      mdns: false,
      max: 3,
      timeoutMs: 8_000,
    });
    const ids = orchestrators.map((o) => o.multiaddrs[0]?.split('/p2p/')[1]);
    expect(found.map((a) => a.split('/p2p/')[1]).sort()).toEqual([...ids].sort());
  });

  // mDNS multicasts to 224.0.0.251 on the LAN interface; this machine's network is loopback-only,
  // so the mDNS test runs only when asked for (SHARDMESH_TEST_MDNS=1), e.g. on a developer's LAN.
  test.if(MDNS)('a worker finds all three by mDNS with no address at all', async () => {
    const found = await discoverOrchestrators({
      mdns: { serviceTag, intervalMs: 200 },
      max: 3,
      timeoutMs: 8_000,
    });
    expect(found).toHaveLength(3);
    for (const addr of found) expect(addr).toMatch(/^\/ip4\/.+\/tcp\/\d+\/p2p\/\w+$/);
  });
});
