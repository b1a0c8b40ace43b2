/**
 * Builds the libp2p node used by orchestrators and headless workers: TCP and WebSockets, Noise,
 * Yamux, identify and ping, plus the mesh services when `mesh` is given (../mesh/services.ts).
 * WebSockets is what browser workers dial: listen on a `/ws` address (e.g.
 * `/ip4/127.0.0.1/tcp/4002/ws`) to accept them.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import {
  dialDiscoveredPeers,
  type MeshNodeOptions,
  meshPeerDiscovery,
  meshServices,
} from '../mesh/services.ts';
import { installHttpServerCloseWorkaround, shardmeshNoise } from './bun-workarounds.ts';

export interface NodeOptions {
  /** Multiaddrs to listen on; empty for a dial-only node (a worker). */
  listen?: readonly string[];
  /** Persistent identity; a fresh Ed25519 key when absent. */
  privateKey?: PrivateKey;
  /** Join the mesh: GossipSub, Kad-DHT, mDNS, circuit-relay server (orchestrator/mesh/services.ts). */
  mesh?: MeshNodeOptions;
}

export async function createNode(opts: NodeOptions = {}): Promise<Libp2p> {
  installHttpServerCloseWorkaround();
  const privateKey = opts.privateKey ?? (await generateKeyPair('Ed25519'));
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [...(opts.listen ?? [])] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [shardmeshNoise()],
    streamMuxers: [yamux()],
    // Under bursts the monitor's ping can time out and kill a busy connection, silently losing
    // frames (TOOLCHAIN.md). Leases and heartbeats already detect vanished workers.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: { identify: identify(), ping: ping(), ...(opts.mesh ? meshServices(opts.mesh) : {}) },
    peerDiscovery: opts.mesh ? meshPeerDiscovery(opts.mesh) : [],
  });
  if (opts.mesh) dialDiscoveredPeers(node);
  return node;
}
