/**
 * The Bun side of browser <-> browser WebRTC, no browser needed: the peer link's dial policy,
 * its refusal to start where there is no RTCPeerConnection (Bun, like a page's Web Worker), and
 * `GET /v1/browser-peers` listing the peers that hold a reservation at a real relay node (a real
 * libp2p client reserving over WebSockets on loopback).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { Hono } from 'hono';
import { createLibp2p } from 'libp2p';
import { mountWorkerPage } from '../../orchestrator/http/worker-page.ts';
import { shardmeshNoise } from '../../orchestrator/p2p/bun-workarounds.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { relayedWebRtcAddrs } from '../../orchestrator/p2p/relay-peers.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  BROWSER_PEERS_PATH,
  PeerLink,
  PeerLinkError,
  peerLinkMayDial,
  webRtcAvailable,
} from '../../worker/browser/peer-link.ts';

const RELAY = '12D3KooWLDbZEjUGgYM9QC5SLBGh2XCBGyoyh7ndfkTd347Qv6dL';
const TARGET = '12D3KooWGVqnr5oV1fdMCtyFnq3GiyL7zBN8Wp8Xj4YvVjJeFKHD';
const RELAY_WS = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${RELAY}`;
const policy = { allowed: [RELAY_WS], pageHostname: '127.0.0.1', allowLocal: true };

describe('peer link dial policy', () => {
  test('circuits only through a listed relay', () => {
    expect(peerLinkMayDial(`${RELAY_WS}/p2p-circuit/webrtc/p2p/${TARGET}`, policy)).toBe(true);
    expect(peerLinkMayDial(`${RELAY_WS}/p2p-circuit/p2p/${TARGET}`, policy)).toBe(true);
    const otherRelay = `/ip4/127.0.0.1/tcp/9999/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${TARGET}`;
    expect(peerLinkMayDial(otherRelay, policy)).toBe(false);
    const lanRelay = `/ip4/192.168.1.20/tcp/4002/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${TARGET}`;
    expect(peerLinkMayDial(lanRelay, policy)).toBe(false);
    // A bare circuit with no relay hop names nothing the policy can check.
    expect(peerLinkMayDial(`/p2p-circuit/p2p/${TARGET}`, policy)).toBe(false);
  });

  test('non-circuit addresses follow the page policy', () => {
    expect(peerLinkMayDial(RELAY_WS, policy)).toBe(true);
    expect(peerLinkMayDial(`/ip4/127.0.0.1/tcp/4003/ws/p2p/${RELAY}`, policy)).toBe(false);
    expect(peerLinkMayDial(RELAY_WS, { ...policy, pageHostname: 'evil.example.com' })).toBe(false);
  });
});

test('without RTCPeerConnection the link refuses to start, with a typed error', async () => {
  expect(webRtcAvailable()).toBe(false); // Bun, like a dedicated Worker in Chromium
  const err = await PeerLink.start({ policy }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PeerLinkError);
  expect((err as PeerLinkError).code).toBe(ErrorCode.Internal);
  expect((err as PeerLinkError).details).toEqual({ reason: 'no-webrtc' });
});

describe('GET /v1/browser-peers', () => {
  let relay: Libp2p;
  let client: Libp2p;

  beforeAll(async () => {
    relay = await createNode({
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      mesh: { gossip: false, dht: false, mdns: false, relay: true },
    });
    client = await createLibp2p({
      addresses: { listen: ['/p2p-circuit'] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [shardmeshNoise()],
      streamMuxers: [yamux()],
      // Loopback ws:// is refused by libp2p's default gater; this test dials only its relay.
      connectionGater: { denyDialMultiaddr: () => false },
      services: { identify: identify() },
    });
  });

  afterAll(async () => {
    await client?.stop();
    await relay?.stop();
  });

  const peersFrom = async (app: Hono): Promise<string[]> => {
    const res = await app.request(BROWSER_PEERS_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return ((await res.json()) as { peers: string[] }).peers;
  };

  test('lists the WebRTC address of each peer holding a reservation, nothing before', async () => {
    const app = new Hono();
    mountWorkerPage(app, {
      multiaddrs: () => relay.getMultiaddrs().map(String),
      browserPeers: () => relayedWebRtcAddrs(relay),
      prebuild: false,
    });
    expect(await peersFrom(app)).toEqual([]);
    await client.dial(
      relay
        .getMultiaddrs()
        .map(String)
        .map((a) => multiaddr(a)),
    );
    const deadline = performance.now() + 10_000;
    while (client.getMultiaddrs().length === 0 && performance.now() < deadline) await Bun.sleep(25);
    const relayWs = relay.getMultiaddrs().map(String)[0] as string;
    expect(await peersFrom(app)).toEqual([`${relayWs}/p2p-circuit/webrtc/p2p/${client.peerId.toString()}`]);
    expect(relayedWebRtcAddrs(relay, { limit: 0 })).toEqual([]);
  });

  test('answers an empty list when no relay view is wired in', async () => {
    const app = new Hono();
    mountWorkerPage(app, { multiaddrs: () => [], prebuild: false });
    expect(await peersFrom(app)).toEqual([]);
  });
});
