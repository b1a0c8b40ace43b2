/**
 * The page's peer link: browser <-> browser over WebRTC, with the orchestrator's circuit-relay
 * server used only to carry the WebRTC signalling (SDP offer/answer, ICE candidates).
 *
 * Why a second node next to the worker's (browser-node.ts): the worker's node lives in the
 * page's dedicated Web Worker, and Chromium has no RTCPeerConnection in workers. So this node runs
 * on the page's main thread, with WebSockets (to reach the orchestrator), the circuit-relay
 * transport (a reservation at the orchestrator: `/p2p-circuit`) and WebRTC (`/webrtc`).
 *
 * Dial policy: the orchestrator's WebSocket addresses from the bootstrap (dial-policy.ts), and
 * circuit addresses whose relay hop is one of them. Nothing else: the WebRTC transport then talks
 * ICE on its own, with no STUN/TURN servers by default (iceServers: []), so the only candidates
 * are the machine's own (host) addresses; peers that cannot reach each other that way simply
 * stay unconnected and keep working through the orchestrator.
 *
 * The protocol spoken over the direct connection is `/shardmesh/peer-ping/1.0.0` (PEER_PING_PROTOCOL):
 * one length-prefixed message of 1..maxPingBytes bytes, echoed back, then the stream closes. It
 * proves both directions of a link and measures its round trip; it runs only on unlimited
 * (direct) connections, never through the relay.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import type { Connection, ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { lpStream } from '@libp2p/utils';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { ErrorCode, ShardmeshError, throwIfAborted } from '../../protocol/errors.ts';
import { fetchBootstrap } from './bootstrap.ts';
import { type DialPolicyOptions, mayDial } from './dial-policy.ts';
import { ASSET_PATHS, BROWSER_PEERS_PATH as PATHS_BROWSER_PEERS } from './messages.ts';

export const PEER_PING_PROTOCOL = '/shardmesh/peer-ping/1.0.0';
/** Where pages list each other, and this module's bundle: kept in ./messages.ts, which the
 * orchestrator imports without pulling libp2p's browser transports into its process. */
export const BROWSER_PEERS_PATH = PATHS_BROWSER_PEERS;
export const PEER_LINK_ASSET = ASSET_PATHS.peerLink;

export interface PeerLinkOptions {
  /** The page's dial policy (bootstrap addresses, page host, allowLocal). */
  policy: DialPolicyOptions;
  /** Orchestrator addresses (with /p2p/<id>) to hold a relay reservation at. Default policy.allowed. */
  relays?: readonly string[];
  /** ICE servers for WebRTC. Default none: host candidates only, no third party sees the link. */
  iceServers?: RTCIceServer[];
  /** Identity of this node; a fresh one when absent (the link is not the worker's identity). */
  privateKey?: PrivateKey;
  /** Largest peer-ping message accepted or sent. Default 1024 bytes. */
  maxPingBytes?: number;
  /** Per-stream limit for answering a peer-ping. Default 5 s. */
  pingTimeoutMs?: number;
  /** Limit for one dial, WebRTC signalling and ICE included (~0.4-0.9 s on loopback). Default 10 s. */
  dialTimeoutMs?: number;
  /** How long to wait for the relay reservation after dialing the orchestrator. Default 10 s. */
  reservationTimeoutMs?: number;
}

export const PEER_LINK_DEFAULTS = {
  maxPingBytes: 1024,
  pingTimeoutMs: 5_000,
  dialTimeoutMs: 10_000,
  reservationTimeoutMs: 10_000,
} as const;

/** A peer-link failure. `details.reason`: 'no-webrtc' | 'no-reservation' | 'dial' | 'ping' | 'echo'. */
export class PeerLinkError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown>, options?: ErrorOptions) {
    super(code, message, details, options);
    this.name = 'PeerLinkError';
  }
}

/** True when this JavaScript context can run WebRTC (a window; not Bun, not a Web Worker in Chromium). */
export const webRtcAvailable = (): boolean => typeof globalThis.RTCPeerConnection === 'function';

/** Circuit addresses only through an allowed relay; everything else as the page's policy says. */
export function peerLinkMayDial(ma: string, policy: DialPolicyOptions): boolean {
  const at = ma.indexOf('/p2p-circuit');
  return at > 0 ? mayDial(ma.slice(0, at), policy) : mayDial(ma, policy);
}

export interface PingResult {
  rttMs: number;
  bytes: number;
}

export class PeerLink {
  readonly node: Libp2p;
  private readonly settings: { maxPingBytes: number; pingTimeoutMs: number; reservationTimeoutMs: number };

  private constructor(node: Libp2p, opts: PeerLinkOptions) {
    this.node = node;
    this.settings = {
      maxPingBytes: opts.maxPingBytes ?? PEER_LINK_DEFAULTS.maxPingBytes,
      pingTimeoutMs: opts.pingTimeoutMs ?? PEER_LINK_DEFAULTS.pingTimeoutMs,
      reservationTimeoutMs: opts.reservationTimeoutMs ?? PEER_LINK_DEFAULTS.reservationTimeoutMs,
    };
  }

  /** Creates the node, reserves a relay slot and serves peer-ping. Throws when WebRTC is missing. */
  static async start(opts: PeerLinkOptions, { signal }: { signal?: AbortSignal } = {}): Promise<PeerLink> {
    if (!webRtcAvailable()) {
      throw new PeerLinkError(ErrorCode.Internal, 'peer link: this context has no RTCPeerConnection', {
        reason: 'no-webrtc',
      });
    }
    throwIfAborted(signal);
    const gater: ConnectionGater = {
      denyDialMultiaddr: (ma) => !peerLinkMayDial(ma.toString(), opts.policy),
    };
    const node = await createLibp2p({
      ...(opts.privateKey ? { privateKey: opts.privateKey } : {}),
      addresses: { listen: ['/p2p-circuit', '/webrtc'] },
      transports: [
        webSockets(),
        circuitRelayTransport(),
        webRTC({ rtcConfiguration: { iceServers: opts.iceServers ?? [] } }),
      ],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: gater,
      connectionMonitor: { abortConnectionOnPingFailure: false },
      // libp2p's per-address default (6 s) is shorter than a WebRTC handshake may take.
      connectionManager: {
        dialTimeout: opts.dialTimeoutMs ?? PEER_LINK_DEFAULTS.dialTimeoutMs,
        addressDialTimeout: opts.dialTimeoutMs ?? PEER_LINK_DEFAULTS.dialTimeoutMs,
      },
      services: { identify: identify() },
    });
    const link = new PeerLink(node, opts);
    try {
      await link.serve();
      const relays = (opts.relays ?? opts.policy.allowed).map((a) => multiaddr(a));
      // The reservation is made once identify shows the orchestrator speaks the relay hop
      // protocol; listenAddrs() then lists `<relay>/p2p-circuit/webrtc/p2p/<us>`.
      await node.dial(relays, signal ? { signal } : {});
      await link.waitForReservation(signal);
    } catch (err) {
      await node.stop();
      throw err;
    }
    return link;
  }

  /** Dialable WebRTC addresses of this page: through a relay, for the signalling only. */
  listenAddrs(): string[] {
    return this.node
      .getMultiaddrs()
      .map(String)
      .filter((a) => a.includes('/p2p-circuit/webrtc/'));
  }

  private async waitForReservation(signal: AbortSignal | undefined): Promise<void> {
    const deadline = performance.now() + this.settings.reservationTimeoutMs;
    while (this.listenAddrs().length === 0) {
      throwIfAborted(signal);
      if (performance.now() > deadline) {
        throw new PeerLinkError(ErrorCode.Internal, 'peer link: no relay reservation in time', {
          reason: 'no-reservation',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Opens a direct WebRTC connection to another page, given one of its listenAddrs(). The
   * circuit through the orchestrator carries the SDP exchange; the returned connection is the
   * direct one (unlimited; the relayed one is limited and closes after the upgrade).
   */
  async connect(addr: string, { signal }: { signal?: AbortSignal } = {}): Promise<Connection> {
    try {
      const connection = await this.node.dial(multiaddr(addr), signal ? { signal } : {});
      if (connection.limits !== undefined) throw new Error('the connection is still relayed');
      return connection;
    } catch (err) {
      throwIfAborted(signal);
      throw new PeerLinkError(
        ErrorCode.Internal,
        `peer link: cannot reach ${addr} over WebRTC`,
        { reason: 'dial', addr },
        {
          cause: err,
        },
      );
    }
  }

  /** Sends `payload` over peer-ping on `connection` and checks the echo. */
  async ping(
    connection: Connection,
    payload: Uint8Array,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<PingResult> {
    if (payload.length === 0 || payload.length > this.settings.maxPingBytes) {
      throw new PeerLinkError(ErrorCode.BadRequest, 'peer link: ping payload size out of range', {
        reason: 'ping',
        bytes: payload.length,
      });
    }
    const opSignal = signal ?? AbortSignal.timeout(this.settings.pingTimeoutMs);
    const started = performance.now();
    let echoed: Uint8Array;
    try {
      const stream = await connection.newStream(PEER_PING_PROTOCOL, { signal: opSignal });
      const lp = lpStream(stream, { maxDataLength: this.settings.maxPingBytes });
      await lp.write(payload, { signal: opSignal });
      echoed = (await lp.read({ signal: opSignal })).subarray();
      await stream.close({ signal: opSignal }).catch(() => {});
    } catch (err) {
      throwIfAborted(signal);
      throw new PeerLinkError(
        ErrorCode.Internal,
        'peer link: ping failed',
        { reason: 'ping' },
        { cause: err },
      );
    }
    if (echoed.length !== payload.length || echoed.some((b, i) => b !== payload[i])) {
      throw new PeerLinkError(ErrorCode.DigestMismatch, 'peer link: the echo differs from what was sent', {
        reason: 'echo',
      });
    }
    return { rttMs: performance.now() - started, bytes: payload.length };
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }

  private async serve(): Promise<void> {
    const { maxPingBytes, pingTimeoutMs } = this.settings;
    await this.node.handle(
      PEER_PING_PROTOCOL,
      async (stream) => {
        const signal = AbortSignal.timeout(pingTimeoutMs);
        try {
          const lp = lpStream(stream, { maxDataLength: maxPingBytes });
          await lp.write((await lp.read({ signal })).subarray(), { signal });
          await stream.close({ signal });
        } catch (err) {
          stream.abort(err instanceof Error ? err : new Error(String(err)));
        }
      },
      // Direct connections only: the relay carries signalling, never peer traffic.
      { maxInboundStreams: 4, runOnLimitedConnection: false },
    );
  }
}

/** The WebRTC addresses the orchestrator lists (`GET /v1/browser-peers`), this page's own left out. */
export async function fetchBrowserPeers(
  link: PeerLink,
  { url = BROWSER_PEERS_PATH, signal }: { url?: string; signal?: AbortSignal } = {},
): Promise<string[]> {
  const response = await fetch(url, { signal: signal ?? null, cache: 'no-store' });
  if (!response.ok) {
    throw new PeerLinkError(ErrorCode.BadRequest, `peer link: HTTP ${response.status} from ${url}`, {
      reason: 'peers',
    });
  }
  const body = (await response.json()) as { peers?: unknown };
  const peers = Array.isArray(body.peers) ? body.peers.filter((p): p is string => typeof p === 'string') : [];
  const self = `/p2p/${link.node.peerId.toString()}`;
  return peers.filter((p) => !p.endsWith(self));
}

/** A page's peer link from its orchestrator's bootstrap: the policy the worker dials with. */
export async function startPagePeerLink(
  opts: { bootstrapUrl: string; signal?: AbortSignal } & Omit<PeerLinkOptions, 'policy'>,
): Promise<PeerLink> {
  const { bootstrapUrl, signal, ...rest } = opts;
  const bootstrap = await fetchBootstrap(bootstrapUrl, signal ? { signal } : {});
  const policy = {
    allowed: bootstrap.multiaddrs,
    pageHostname: location.hostname,
    allowLocal: bootstrap.allowLocal,
  };
  return PeerLink.start({ ...rest, policy }, signal ? { signal } : {});
}
