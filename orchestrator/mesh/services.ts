/**
 * The libp2p services an orchestrator adds to join the mesh: GossipSub (the digest log), Kad-DHT
 * (provider records for discovery), mDNS (LAN discovery) and a circuit-relay server (browsers).
 * `createNode({ mesh: {...} })` merges these into the base node; this file holds the choices.
 */
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { type GossipSub, gossipsub } from '@libp2p/gossipsub';
import type { Libp2p, PeerInfo } from '@libp2p/interface';
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht';
import { mdns } from '@libp2p/mdns';
import type { Libp2pInit, ServiceFactoryMap } from 'libp2p';
import { MESH_DEFAULTS } from '../config.ts';

/** Kad-DHT protocol of Shardmesh: a private DHT, so nodes of the public IPFS DHT never join it. */
export const DHT_PROTOCOL = '/shardmesh/kad/1.0.0';
export const MDNS_SERVICE_TAG = 'shardmesh.local';

export interface MeshNodeOptions {
  /** GossipSub for the digest log (default true). */
  gossip?: boolean;
  /** Kad-DHT; `client` joins without serving records (workers). Default 'server'. */
  dht?: 'server' | 'client' | false;
  /** mDNS on the LAN (default true); a distinct serviceTag isolates test meshes. */
  mdns?: boolean | { serviceTag?: string; intervalMs?: number };
  /** Circuit-relay v2 server so browsers can reach each other through this node (default true). */
  relay?: boolean;
  /** GossipSub tuning for the log topic; every peer of one mesh must agree on `signaturePolicy`. */
  gossipTuning?: GossipTuning;
}

export interface GossipTuning {
  /**
   * 'StrictNoSign' (default, MESH_DEFAULTS) sends no envelope signature; 'StrictSign' signs every
   * message with the node key. Log batches carry their own Ed25519 record signatures, checked by
   * the topic validator, so an envelope signature would only name the forwarder. A signing peer
   * and a non-signing peer refuse each other's messages.
   */
  signaturePolicy?: 'StrictSign' | 'StrictNoSign';
  /** Target mesh degree D (default MESH_DEFAULTS.meshDegree); Dlo, Dhi and Dout are derived from it. */
  meshDegree?: number;
  /** GossipSub heartbeat (mesh maintenance and IHAVE gossip), ms; GossipSub default 1000. */
  heartbeatMs?: number;
  /**
   * GossipSub v1.2 IDONTWANT (default MESH_DEFAULTS.idontwant, off): when on, every received batch
   * (> 512 B, so all of them) sends one IDONTWANT control message to each mesh peer. Peers with
   * either setting interoperate (it is advisory).
   */
  idontwant?: boolean;
}

/** The GossipSub options of the log, from a tuning (exported for its test). */
export function gossipsubOptions(tuning: GossipTuning = {}): Parameters<typeof gossipsub>[0] & object {
  return {
    // A peer that subscribes later catches up over log-sync; publishing must not fail meanwhile.
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    maxInboundDataLength: 4 * 1024 * 1024,
    globalSignaturePolicy: tuning.signaturePolicy ?? MESH_DEFAULTS.signaturePolicy,
    ...degreeOptions(tuning.meshDegree ?? MESH_DEFAULTS.meshDegree),
    ...(tuning.heartbeatMs ? { heartbeatInterval: tuning.heartbeatMs } : {}),
    // Off: on loopback a mesh peer has usually forwarded its copy before our IDONTWANT lands, so
    // the extra control frame per message (Noise + Yamux + protobuf) cost more than the
    // duplicates it saved (p99 and CPU per record lower in 5 of 6 alternated rounds, docs/mesh.md).
    ...((tuning.idontwant ?? MESH_DEFAULTS.idontwant)
      ? {}
      : { idontwantMinDataSize: Number.MAX_SAFE_INTEGER }),
  };
}

/** GossipSub's degree bounds for a target D (Dout < Dlo and Dout <= D/2 are enforced by it). */
function degreeOptions(d: number): { D: number; Dlo: number; Dhi: number; Dout: number } {
  const Dlo = Math.max(1, Math.round((d * 2) / 3));
  return { D: d, Dlo, Dhi: 2 * d, Dout: Math.max(0, Math.min(2, Math.floor(d / 2), Dlo - 1)) };
}

type ServiceFactory = ServiceFactoryMap[string];

export function meshServices(opts: MeshNodeOptions): ServiceFactoryMap {
  const services: ServiceFactoryMap = {};
  if (opts.gossip !== false) {
    services.pubsub = gossipsub(gossipsubOptions(opts.gossipTuning)) as unknown as ServiceFactory;
  }
  const dht = opts.dht ?? 'server';
  if (dht !== false) {
    services.dht = kadDHT({
      protocol: DHT_PROTOCOL,
      clientMode: dht === 'client',
      // Loopback and LAN addresses must stay in the routing table (TOOLCHAIN.md).
      peerInfoMapper: passthroughMapper,
      // Small meshes: do not wait for a full routing table before the first query.
      allowQueryWithZeroPeers: true,
    }) as unknown as ServiceFactory;
  }
  if (opts.relay !== false) services.relay = circuitRelayServer() as unknown as ServiceFactory;
  return services;
}

export function meshPeerDiscovery(opts: MeshNodeOptions): NonNullable<Libp2pInit['peerDiscovery']> {
  // Off unless asked for: mDNS multicasts to the LAN (224.0.0.251), which a loopback-only test
  // machine or a locked-down host must not do by accident.
  if (opts.mdns === undefined || opts.mdns === false) return [];
  const init = typeof opts.mdns === 'object' ? opts.mdns : {};
  return [
    mdns({
      serviceTag: init.serviceTag ?? MDNS_SERVICE_TAG,
      interval: init.intervalMs ?? 10_000,
    }),
  ];
}

/**
 * libp2p 3 does not dial the peers discovery finds (TOOLCHAIN.md): dial each one once it is
 * discovered, unless already connected. Returns the detach function.
 */
export function dialDiscoveredPeers(node: Libp2p): () => void {
  const onDiscovery = (evt: CustomEvent<PeerInfo>): void => {
    const { id } = evt.detail;
    if (id.equals(node.peerId) || node.getConnections(id).length > 0) return;
    // libp2p has already stored the discovered addresses in the peer store.
    node.dial(id).catch(() => {
      // Unreachable or gone: discovery will offer it again.
    });
  };
  node.addEventListener('peer:discovery', onDiscovery);
  return () => node.removeEventListener('peer:discovery', onDiscovery);
}

/** The node's GossipSub service, or undefined when it runs without one. */
export function pubsubOf(node: Libp2p): GossipSub | undefined {
  return (node.services as { pubsub?: GossipSub }).pubsub;
}
