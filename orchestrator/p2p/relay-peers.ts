/**
 * Which browser pages another page can reach over WebRTC: the peers holding a circuit-relay
 * reservation at this node (worker/browser/peer-link.ts makes one). For each, the address a page
 * dials: `<this node's WebSocket address>/p2p-circuit/webrtc/p2p/<peer>`. The relay then carries
 * only the WebRTC signalling; the data goes browser to browser.
 *
 * Served read-only by `GET /v1/browser-peers` (orchestrator/http/worker-page.ts). It reveals peer
 * ids that chose to be reachable (a reservation is opt-in), never their IP addresses: those
 * only travel inside the signalling, to the peer that dials.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import { isWebSocketAddr } from '../../worker/browser/bootstrap.ts';

export interface RelayPeersOptions {
  /** At most this many peers, soonest-expiring reservations last. Default 32. */
  limit?: number;
}

interface ReservationView {
  expiry: Date;
}

interface RelayServiceView {
  reservations: { entries(): IterableIterator<[PeerId, ReservationView]> };
}

/** The node's relay server, or undefined when it runs without one (mesh `relay: false`). */
function relayOf(node: Libp2p): RelayServiceView | undefined {
  return (node.services as { relay?: RelayServiceView }).relay;
}

/** Dialable WebRTC-over-circuit addresses of the peers with a live reservation at `node`. */
export function relayedWebRtcAddrs(node: Libp2p, opts: RelayPeersOptions = {}): string[] {
  const relay = relayOf(node);
  if (relay === undefined) return [];
  const hops = node.getMultiaddrs().map(String).filter(isWebSocketAddr);
  if (hops.length === 0) return [];
  const now = Date.now();
  const live = [...relay.reservations.entries()]
    .filter(([, r]) => r.expiry.getTime() > now)
    .sort(([, a], [, b]) => b.expiry.getTime() - a.expiry.getTime())
    .slice(0, opts.limit ?? 32);
  // One hop address per peer (the first WebSocket address): enough to reach it, and short.
  const hop = hops[0] as string;
  return live.map(([peer]) => `${hop}/p2p-circuit/webrtc/p2p/${peer.toString()}`);
}
