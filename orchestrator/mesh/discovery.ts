/**
 * How a headless worker finds orchestrators without being told an address:
 * - mDNS on the LAN: every mesh node answers; a discovered peer counts as an orchestrator once
 *   identify shows it serves the task protocol.
 * - Kad-DHT provider records: every orchestrator provides ORCHESTRATOR_CID; a worker that knows
 *   any one mesh peer (a bootstrap address) asks the DHT for the providers.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { AbortError } from '../../protocol/errors.ts';
import { TASK_PROTOCOL } from '../config.ts';
import { createNode } from '../p2p/create-node.ts';

/** The well-known key every orchestrator provides: sha256("shardmesh/orchestrator/v1"), raw CID. */
export const ORCHESTRATOR_CID: CID = CID.createV1(
  raw.code,
  await sha256.digest(new TextEncoder().encode('shardmesh/orchestrator/v1')),
);

export interface DiscoverOptions {
  /** Search with this node (it needs a DHT client and/or mDNS); a temporary one when absent. */
  node?: Libp2p;
  /** Mesh peers to ask the DHT through (multiaddrs with /p2p/). */
  bootstrap?: readonly string[];
  /** mDNS for the temporary node (default true); a serviceTag isolates test meshes. */
  mdns?: boolean | { serviceTag?: string; intervalMs?: number };
  /** Stop once this many orchestrators are known (default 8). */
  max?: number;
  /** Give up searching after this long and return what was found (default 5 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Dialable multiaddrs (with /p2p/<id>), one per orchestrator found, TCP preferred. */
export async function discoverOrchestrators(opts: DiscoverOptions = {}): Promise<string[]> {
  if (opts.signal?.aborted) throw new AbortError();
  const node =
    opts.node ??
    (await createNode({ mesh: { gossip: false, relay: false, dht: 'client', mdns: opts.mdns ?? false } }));
  const max = opts.max ?? 8;
  const found = new Map<string, string>();
  const done = new AbortController();
  const signal = AbortSignal.any([
    done.signal,
    AbortSignal.timeout(opts.timeoutMs ?? 5_000),
    ...(opts.signal ? [opts.signal] : []),
  ]);
  const add = (peer: PeerId, addrs: readonly string[]): void => {
    const best = pickAddress(peer, addrs);
    if (best === undefined || found.has(peer.toString())) return;
    found.set(peer.toString(), best);
    if (found.size >= max) done.abort();
  };
  const onIdentify = (
    evt: CustomEvent<{ peerId: PeerId; protocols: string[]; listenAddrs: unknown[] }>,
  ): void => {
    const { peerId, protocols, listenAddrs } = evt.detail;
    if (protocols.includes(TASK_PROTOCOL)) add(peerId, listenAddrs.map(String));
  };
  node.addEventListener('peer:identify', onIdentify);
  try {
    await Promise.allSettled((opts.bootstrap ?? []).map((a) => node.dial(multiaddr(a), { signal })));
    await lookupProviders(node, signal, add);
    // mDNS answers arrive on their own: wait for them until max or the deadline.
    if (!signal.aborted)
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    node.removeEventListener('peer:identify', onIdentify);
    if (opts.node === undefined) await node.stop();
  }
  if (opts.signal?.aborted) throw new AbortError();
  return [...found.values()];
}

/** Asks the DHT for ORCHESTRATOR_CID's providers, retrying while the routing table fills. */
async function lookupProviders(
  node: Libp2p,
  signal: AbortSignal,
  add: (peer: PeerId, addrs: readonly string[]) => void,
): Promise<void> {
  if ((node.services as { dht?: unknown }).dht === undefined) return;
  while (!signal.aborted) {
    try {
      for await (const provider of node.contentRouting.findProviders(ORCHESTRATOR_CID, { signal })) {
        add(provider.id, provider.multiaddrs.map(String));
      }
    } catch {
      // No peers yet, or the deadline: retry below until the signal fires.
    }
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function pickAddress(peer: PeerId, addrs: readonly string[]): string | undefined {
  const usable = addrs.filter((a) => a.includes('/tcp/') && !a.includes('/p2p-circuit'));
  const tcp = usable.find((a) => !a.includes('/ws')) ?? usable[0];
  if (tcp === undefined) return undefined;
  const suffix = `/p2p/${peer.toString()}`;
  return tcp.endsWith(suffix) ? tcp : `${tcp}${suffix}`;
}
