/**
 * Digest-log propagation on loopback: ten log peers (real libp2p + GossipSub + SQLite files) in
 * one process, every peer appending its share of RATE digests/s, default batching (50 ms or 64
 * records). Measures, at every receiver, append-to-stored latency (p50/p99) and the sustained
 * rate of records stored across the mesh. Baseline, same run: two directly connected peers at
 * the same total rate. Prints medians of RUNS runs.
 *   bun bench/mesh.bench.ts [--rate 1000] [--seconds 3] [--runs 3] [--nodes 10]
 */
import { parseArgs } from 'node:util';
import { tempDir } from '../tests/helpers/temp-dir.ts';
import { connect, type LogPeer, meshReady, startPeer, taskInput } from '../tests/mesh/peers.ts';
import { median, quantile } from './stats.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '10' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const NODES = Number(values.nodes);

interface RunResult {
  p50: number;
  p99: number;
  max: number;
  /** Records stored per second, per receiving peer (mean over receivers). */
  storedPerSec: number;
  delivered: number;
  expected: number;
}

async function run(nodes: number): Promise<RunResult> {
  const dir = tempDir('shardmesh-bench-');
  const peers: LogPeer[] = [];
  try {
    for (let i = 0; i < nodes; i++)
      peers.push(await startPeer(dir.path, `n${i}`, { batchMs: 50, syncIntervalMs: 0 }));
    // Ring plus chords (i -> i+3): degree ~4, so most records cross more than one hop.
    for (let i = 0; i < nodes; i++) {
      const a = peers[i] as LogPeer;
      const b = peers[(i + 1) % nodes] as LogPeer;
      if (a !== b) await connect(a, b);
      const c = peers[(i + 3) % nodes] as LogPeer;
      if (nodes > 4 && c !== a) await connect(a, c).catch(() => {});
    }
    await meshReady(peers, 10_000);
    // Let GossipSub form its mesh (heartbeat: 1 s) so forwarding, not catch-up, carries records.
    await new Promise((r) => setTimeout(r, 1_500));
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let delivered = 0;
    let lastStored = 0;
    for (const p of peers) {
      p.replicator.onStored((origin, records) => {
        const now = performance.now();
        for (const r of records) {
          const t0 = sentAt.get(`${origin}/${r.seq}`);
          if (t0 !== undefined) latencies.push(now - t0);
        }
        delivered += records.length;
        lastStored = now;
      });
    }
    const tickMs = 10;
    const perTick = (RATE * tickMs) / 1000;
    const ticks = Math.round((SECONDS * 1000) / tickMs);
    const start = performance.now();
    let carry = 0;
    let appended = 0;
    for (let t = 0; t < ticks; t++) {
      // Pace against the wall clock so a slow tick does not lower the offered rate.
      const due = start + t * tickMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      carry += perTick;
      for (; carry >= 1; carry--) {
        const p = peers[appended % nodes] as LogPeer;
        const r = p.log.append(taskInput());
        sentAt.set(`${r.origin}/${r.seq}`, performance.now());
        appended++;
      }
    }
    const expected = appended * (nodes - 1);
    const deadline = performance.now() + 10_000;
    while (delivered < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    latencies.sort((a, b) => a - b);
    const elapsedS = (lastStored - start) / 1000;
    return {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
      storedPerSec: delivered / (nodes - 1) / elapsedS,
      delivered,
      expected,
    };
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    dir.cleanup();
  }
}

function summarize(label: string, results: RunResult[]): RunResult {
  const m: RunResult = {
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    max: median(results.map((r) => r.max)),
    storedPerSec: median(results.map((r) => r.storedPerSec)),
    delivered: median(results.map((r) => r.delivered)),
    expected: median(results.map((r) => r.expected)),
  };
  console.log(
    `${label.padEnd(10)} p50 ${m.p50.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms  max ${m.max.toFixed(1)} ms  ` +
      `stored ${m.storedPerSec.toFixed(0)} digests/s per peer  delivered ${m.delivered}/${m.expected}`,
  );
  return m;
}

console.log(`digest propagation: ${RATE} digests/s offered for ${SECONDS} s, median of ${RUNS} runs`);
const base: RunResult[] = [];
const mesh: RunResult[] = [];
for (let i = 0; i < RUNS; i++) {
  base.push(await run(2));
  mesh.push(await run(NODES));
}
const b = summarize('2 peers', base);
const m = summarize(`${NODES} peers`, mesh);
console.log(
  `ratio ${NODES}-peer / 2-peer: p99 x${(m.p99 / b.p99).toFixed(2)}, p50 x${(m.p50 / b.p50).toFixed(2)}`,
);
console.log(`target p99 < 100 ms at 1000 digests/s: ${m.p99 < 100 && RATE >= 1000 ? 'met' : 'NOT met'}`);
process.exit(0);
