/**
 * Child process of bench/mesh-processes.bench.ts: hosts one or more log peers (real libp2p +
 * GossipSub + SQLite) on 127.0.0.1 and obeys JSON-line commands on stdin, answering on stdout.
 * Hosting all ten peers in one child gives the in-process baseline; one peer per child gives
 * the multi-process figure, with the same code measuring both.
 *   bun bench/mesh/peer-host.ts --dir DIR --names n0,n1 [--nosign | --sign] [--degree D] [--batch-ms MS]
 *     [--gap-ms MS] [--heartbeat-ms MS] [--idontwant] [--raw]
 * --raw: publish and time opaque messages of the log's size instead of records (raw-floor.ts).
 * Times are wall-clock ms as performance.timeOrigin + performance.now() (sub-ms, one system
 * clock shared by every process on this machine).
 */
import { parseArgs } from 'node:util';
import { multiaddr } from '@multiformats/multiaddr';
import { MESH_DEFAULTS } from '../../orchestrator/config.ts';
import type { MeshNodeOptions } from '../../orchestrator/mesh/services.ts';
import { type LogPeer, startPeer, taskInput } from '../../tests/mesh/peers.ts';
import type { HostCommand, HostReply } from './protocol.ts';
import { RawPublisher, receiveRaw } from './raw-floor.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    names: { type: 'string' },
    nosign: { type: 'boolean', default: false },
    sign: { type: 'boolean', default: false },
    degree: { type: 'string' },
    'batch-ms': { type: 'string' },
    'gap-ms': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    idontwant: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
  },
});
if (values.dir === undefined || values.names === undefined) throw new Error('--dir and --names are required');

const now = (): number => performance.timeOrigin + performance.now();
const send = (reply: HostReply): void => {
  process.stdout.write(`${JSON.stringify(reply)}\n`);
};

// mDNS stays off (loopback only); the DHT and relay are not what this bench measures.
const mesh: MeshNodeOptions = {
  mdns: false,
  dht: false,
  relay: false,
  gossipTuning: {
    ...(values.nosign ? { signaturePolicy: 'StrictNoSign' as const } : {}),
    ...(values.sign ? { signaturePolicy: 'StrictSign' as const } : {}),
    ...(values.degree ? { meshDegree: Number(values.degree) } : {}),
    ...(values['heartbeat-ms'] ? { heartbeatMs: Number(values['heartbeat-ms']) } : {}),
    ...(values.idontwant ? { idontwant: true } : {}),
  },
};
// Unset flags leave the replicator's defaults (orchestrator/config.ts MESH_DEFAULTS).
const pacing = {
  // startPeer's own default is the tests' 20 ms: the bench measures the product default.
  batchMs: values['batch-ms'] ? Number(values['batch-ms']) : MESH_DEFAULTS.batchMs,
  ...(values['gap-ms'] ? { publishGapMs: Number(values['gap-ms']) } : {}),
};

const peers = new Map<string, LogPeer>();
// Receive times per receiving peer, indexed by seq - 1 of the publisher's chain.
const received = new Map<string, number[]>();
let publisherOrigin: string | undefined;
// CPU used by this process from the 'origin' command (just before publishing) to 'collect'.
let cpuAtStart = process.cpuUsage();

for (const name of values.names.split(',')) {
  const peer = await startPeer(values.dir, name, { ...pacing, syncIntervalMs: 0, mesh });
  peers.set(name, peer);
  const times: number[] = [];
  received.set(name, times);
  peer.replicator.onStored((origin, records) => {
    if (origin !== publisherOrigin) return;
    const t = now();
    for (const r of records) times[r.seq - 1] = t;
  });
  if (values.raw) {
    receiveRaw(peer.node, (first, count) => {
      const t = now();
      for (let seq = first; seq < first + count; seq++) times[seq - 1] = t;
    });
  }
}
send({
  type: 'ready',
  peers: [...peers.values()].map((p) => ({
    name: p.name,
    origin: p.origin,
    addr: p.node.getMultiaddrs()[0]?.toString() ?? '',
  })),
});

let rawPublisher: RawPublisher | undefined;
let rawSent = 0;

/** Publishes for `seconds`; the send times are indexed by seq - 1 (earlier phases' seqs are holes). */
async function publish(name: string, rate: number, seconds: number): Promise<number[]> {
  const peer = peers.get(name);
  if (peer === undefined) throw new Error(`no peer ${name} here`);
  const sent: number[] = [];
  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  const ticks = Math.round((seconds * 1000) / tickMs);
  const start = performance.now();
  // One raw publisher for all phases (warm-up, then measured), so its seqs run on like a log's.
  if (values.raw)
    rawPublisher ??= new RawPublisher(peer.node, {
      batchMs: pacing.batchMs,
      maxBatch: MESH_DEFAULTS.maxBatch,
    });
  const raw = rawPublisher;
  let carry = 0;
  for (let t = 0; t < ticks; t++) {
    // Pace against the clock so a slow tick does not lower the offered rate.
    const wait = start + t * tickMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    carry += perTick;
    const due = Math.floor(carry);
    carry -= due;
    if (raw === undefined) {
      // One transaction per tick, as the orchestrator appends a turn's accepted tasks together.
      const at = now();
      for (const r of peer.log.appendAll(Array.from({ length: due }, () => taskInput())))
        sent[r.seq - 1] = at;
    } else {
      for (let i = 0; i < due; i++) {
        sent[rawSent++] = now();
        raw.add();
      }
    }
  }
  await (raw === undefined ? peer.replicator.flush() : raw.flush());
  return sent;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

async function handle(cmd: HostCommand): Promise<void> {
  switch (cmd.type) {
    case 'dial':
      for (const [from, addr] of cmd.links) await peers.get(from)?.node.dial(multiaddr(addr));
      send({ type: 'dialed' });
      return;
    case 'await-mesh':
      // Every peer sees its neighbours subscribed and has grafted at least one mesh peer.
      await until(
        () =>
          [...peers.values()].every(
            (p) => p.replicator.subscriberCount() >= 2 && p.replicator.meshPeerCount() >= 1,
          ),
        cmd.timeoutMs,
      );
      send({
        type: 'meshed',
        meshPeers: [...peers.values()].map((p) => p.replicator.meshPeerCount()),
      });
      return;
    case 'origin':
      publisherOrigin = cmd.origin;
      cpuAtStart = process.cpuUsage();
      send({ type: 'ok' });
      return;
    case 'publish':
      send({ type: 'published', sent: await publish(cmd.name, cmd.rate, cmd.seconds) });
      return;
    case 'collect': {
      const receivers = [...received.entries()].filter(
        ([name]) => peers.get(name)?.origin !== publisherOrigin,
      );
      const complete = (): boolean =>
        receivers.every(([, t]) => t.filter((x) => x !== undefined).length >= cmd.count);
      await until(complete, cmd.timeoutMs);
      const cpu = process.cpuUsage(cpuAtStart);
      send({
        type: 'collected',
        cpuMs: (cpu.user + cpu.system) / 1000,
        received: Object.fromEntries(receivers.map(([n, t]) => [n, [...t]])),
      });
      return;
    }
    case 'stop':
      await Promise.all([...peers.values()].map((p) => p.stop()));
      send({ type: 'stopped' });
      process.exit(0);
  }
}

for await (const line of console) {
  if (line.trim() === '') continue;
  await handle(JSON.parse(line) as HostCommand);
}
