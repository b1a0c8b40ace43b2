/**
 * Digest-log propagation with every peer in its own Bun process (issue 6), against the same
 * scenario with all peers in ONE process as the baseline, in the same run.
 * Scenario: NODES log peers on 127.0.0.1 (no mDNS), ring plus chords (i -> i+1, i -> i+3), one
 * publisher appending signed records at RATE/s for SECONDS s with default batching (50 ms or 64
 * records), every other peer timing when each record is stored. Latency = store time at the
 * receiver minus append time at the publisher, both wall-clock ms (performance.timeOrigin +
 * performance.now(), one system clock on this machine). Prints medians of RUNS runs.
 * --floor also runs, alternated with each log run, the same processes carrying opaque messages of
 * the log's size with GossipSub alone (bench/mesh/raw-floor.ts): the libp2p floor under the log.
 * Each run first publishes for WARMUP s at the same rate, unmeasured (JIT warm-up; 0 = none).
 *   bun bench/mesh-processes.bench.ts [--rate 1000] [--seconds 10] [--warmup 5] [--runs 3] [--nodes 10]
 *     [--nosign | --sign] [--degree D] [--batch-ms MS] [--gap-ms MS] [--heartbeat-ms MS]
 *     [--idontwant] [--skip-baseline] [--floor]
 * Note: on a machine with fewer cores than peers the processes share cores, so the figure is
 * bounded by total CPU, not by one JS thread.
 */
import { parseArgs } from 'node:util';
import { MESH_DEFAULTS } from '../orchestrator/config.ts';
import { tempDir } from '../tests/helpers/temp-dir.ts';
import { PeerHost } from './mesh/host-process.ts';
import { median, quantile } from './stats.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '10' },
    nosign: { type: 'boolean', default: false },
    sign: { type: 'boolean', default: false },
    degree: { type: 'string' },
    'batch-ms': { type: 'string' },
    'gap-ms': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    idontwant: { type: 'boolean', default: false },
    'skip-baseline': { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const RUNS = Number(values.runs);
const NODES = Number(values.nodes);
const hostFlags = [
  ...(values.nosign ? ['--nosign'] : []),
  ...(values.sign ? ['--sign'] : []),
  ...(values.idontwant ? ['--idontwant'] : []),
  ...(values.degree ? ['--degree', values.degree] : []),
  ...(['batch-ms', 'gap-ms', 'heartbeat-ms'] as const).flatMap((f) =>
    values[f] === undefined ? [] : [`--${f}`, values[f]],
  ),
];

interface PeerFigures {
  name: string;
  p50: number;
  p99: number;
  /** Records stored per second: stored / (last store - first append). */
  perSec: number;
  received: number;
}
interface RunResult {
  p50: number;
  p99: number;
  max: number;
  perSec: number;
  received: number;
  expected: number;
  /** CPU-seconds used by all peer processes per second of publishing (cores kept busy). */
  cores: number;
  peers: PeerFigures[];
}

/**
 * One run: `perProcess` peers per child process (1 = separate processes, NODES = one process);
 * `raw`: GossipSub alone with opaque messages of the log's size (bench/mesh/raw-floor.ts).
 */
async function run(perProcess: number, raw = false): Promise<RunResult> {
  const dir = tempDir('shardmesh-bench-proc-');
  const names = Array.from({ length: NODES }, (_, i) => `n${i}`);
  const hosts: PeerHost[] = [];
  try {
    for (let i = 0; i < NODES; i += perProcess)
      hosts.push(
        PeerHost.spawn(dir.path, names.slice(i, i + perProcess), raw ? [...hostFlags, '--raw'] : hostFlags),
      );
    const ready = await Promise.all(hosts.map((h) => h.ready));
    const addr = new Map(ready.flatMap((r) => r.peers.map((p) => [p.name, p] as const)));
    const hostOf = new Map(hosts.flatMap((h) => h.names.map((n) => [n, h] as const)));
    // Ring plus chords: degree ~4, so most records cross more than one hop.
    const links = new Map<PeerHost, Array<[string, string]>>();
    for (let i = 0; i < NODES; i++) {
      const from = names[i] as string;
      for (const step of NODES > 4 ? [1, 3] : [1]) {
        const to = names[(i + step) % NODES] as string;
        if (to === from) continue;
        const h = hostOf.get(from) as PeerHost;
        links.set(h, [...(links.get(h) ?? []), [from, addr.get(to)?.addr ?? '']]);
      }
    }
    await Promise.all(hosts.map((h) => h.call({ type: 'dial', links: links.get(h) ?? [] })));
    await Promise.all(hosts.map((h) => h.call({ type: 'await-mesh', timeoutMs: 10_000 })));
    // Let GossipSub settle its mesh (heartbeat: 1 s) so forwarding, not catch-up, carries records.
    await new Promise((r) => setTimeout(r, 1_500));
    const publisher = names[0] as string;
    const origin = addr.get(publisher)?.origin ?? '';
    const phase = async (seconds: number) => {
      // 'origin' (re)starts every host's CPU count, so each phase is measured on its own.
      await Promise.all(hosts.map((h) => h.call({ type: 'origin', origin })));
      const pub = await (hostOf.get(publisher) as PeerHost).call({
        type: 'publish',
        name: publisher,
        rate: RATE,
        seconds,
      });
      if (pub.type !== 'published') throw new Error(`unexpected reply ${pub.type}`);
      const got = await Promise.all(
        hosts.map((h) => h.call({ type: 'collect', count: pub.sent.length, timeoutMs: 15_000 })),
      );
      return { sent: pub.sent, got };
    };
    // Warm-up at the same rate, not measured: the JIT compiles the hot paths during the first
    // seconds of traffic, and a long-running mesh lives in the steady state after it.
    if (WARMUP > 0) await phase(WARMUP);
    const { sent, got } = await phase(SECONDS);
    const measured = sent.filter((t): t is number => t !== null && t !== undefined);
    const all: number[] = [];
    const peers: PeerFigures[] = [];
    let received = 0;
    let cpuMs = 0;
    for (const reply of got) {
      if (reply.type !== 'collected') throw new Error(`unexpected reply ${reply.type}`);
      cpuMs += reply.cpuMs;
      for (const [name, times] of Object.entries(reply.received)) {
        const lat: number[] = [];
        let last = 0;
        for (const [i, t] of times.entries()) {
          const t0 = sent[i];
          if (t === null || t === undefined || t0 === null || t0 === undefined) continue;
          lat.push(t - t0);
          last = Math.max(last, t);
        }
        lat.sort((a, b) => a - b);
        all.push(...lat);
        received += lat.length;
        const first = measured[0] ?? 0;
        peers.push({
          name,
          p50: quantile(lat, 0.5),
          p99: quantile(lat, 0.99),
          perSec: lat.length / ((last - first) / 1000),
          received: lat.length,
        });
      }
    }
    all.sort((a, b) => a - b);
    return {
      p50: quantile(all, 0.5),
      p99: quantile(all, 0.99),
      max: all.at(-1) ?? Number.NaN,
      perSec: median(peers.map((p) => p.perSec)),
      received,
      expected: measured.length * (NODES - 1),
      cores: cpuMs / 1000 / SECONDS,
      peers: peers.sort((a, b) => Number(a.name.slice(1)) - Number(b.name.slice(1))),
    };
  } finally {
    await Promise.allSettled(hosts.map((h) => h.stop()));
    dir.cleanup();
  }
}

function summarize(label: string, results: RunResult[]): RunResult {
  const pick = (f: (r: RunResult) => number): number => median(results.map(f));
  const m: RunResult = {
    p50: pick((r) => r.p50),
    p99: pick((r) => r.p99),
    max: pick((r) => r.max),
    perSec: pick((r) => r.perSec),
    received: pick((r) => r.received),
    expected: pick((r) => r.expected),
    cores: pick((r) => r.cores),
    peers: results.at(-1)?.peers ?? [],
  };
  console.log(
    `${label.padEnd(22)} p50 ${m.p50.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms  max ${m.max.toFixed(1)} ms  ` +
      `sustained ${m.perSec.toFixed(0)} digests/s per peer (median)  stored ${m.received}/${m.expected}  ` +
      `CPU ${m.cores.toFixed(2)} core-s per s of publishing, ${median(results.map(cpuPerRecord)).toFixed(0)} us per stored record`,
  );
  return m;
}

function printPeers(label: string, r: RunResult): void {
  console.log(`  per peer (${label}, last run):`);
  for (const p of r.peers)
    console.log(
      `    ${p.name.padEnd(4)} p50 ${p.p50.toFixed(1).padStart(7)} ms  p99 ${p.p99.toFixed(1).padStart(7)} ms  ` +
        `${p.perSec.toFixed(0).padStart(5)} digests/s  ${p.received} stored`,
    );
}

const variant = `${values.sign ? 'StrictSign' : values.nosign ? 'StrictNoSign' : `${MESH_DEFAULTS.signaturePolicy} (default)`}, D=${values.degree ?? `${MESH_DEFAULTS.meshDegree} (default)`}, batch ${values['batch-ms'] ?? MESH_DEFAULTS.batchMs} ms, IDONTWANT ${values.idontwant ? 'on' : `${MESH_DEFAULTS.idontwant ? 'on' : 'off'} (default)`}`;
console.log(
  `digest propagation, ${NODES} peers, one publisher at ${RATE} digests/s for ${SECONDS} s after ${WARMUP} s of warm-up, ` +
    `gossipsub ${variant}, median of ${RUNS} runs`,
);
const base: RunResult[] = [];
const proc: RunResult[] = [];
const floor: RunResult[] = [];
// Other work on a shared machine moves these figures a lot: print every run, then the medians.
// CPU per stored record (all processes, publisher included): unlike latency, it hardly moves
// when other work shares the cores, so it compares variants on a busy machine.
const cpuPerRecord = (r: RunResult): number => (r.cores * SECONDS * 1e6) / r.received;
const line = (r: RunResult): string =>
  `p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ${r.perSec.toFixed(0)} digests/s  CPU ${r.cores.toFixed(2)} ` +
  `(${cpuPerRecord(r).toFixed(0)} us per stored record)`;
for (let i = 0; i < RUNS; i++) {
  if (!values['skip-baseline']) {
    base.push(await run(NODES));
    console.log(`  run ${i + 1} one process: ${line(base.at(-1) as RunResult)}`);
  }
  proc.push(await run(1));
  console.log(`  run ${i + 1} processes:   ${line(proc.at(-1) as RunResult)}`);
  if (values.floor) {
    floor.push(await run(1, true));
    console.log(`  run ${i + 1} raw floor:   ${line(floor.at(-1) as RunResult)}`);
  }
}
const p = summarize(`${NODES} processes`, proc);
printPeers(`${NODES} processes`, p);
if (base.length > 0) {
  const b = summarize('1 process (baseline)', base);
  console.log(
    `ratio processes / one process: p99 x${(p.p99 / b.p99).toFixed(2)}, p50 x${(p.p50 / b.p50).toFixed(2)}, ` +
      `rate x${(p.perSec / b.perSec).toFixed(2)}`,
  );
}
if (floor.length > 0) {
  const f = summarize('raw GossipSub floor', floor);
  console.log(
    `ratio log / raw floor (same processes, sizes, pacing): CPU per record x${(median(proc.map(cpuPerRecord)) / median(floor.map(cpuPerRecord))).toFixed(2)}, ` +
      `p99 x${(p.p99 / f.p99).toFixed(2)}, p50 x${(p.p50 / f.p50).toFixed(2)}`,
  );
}
console.log(`target p99 < 100 ms at 1000 digests/s: ${p.p99 < 100 && RATE >= 1000 ? 'met' : 'NOT met'}`);
process.exit(0);
