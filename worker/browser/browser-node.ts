/**
 * The browser worker's libp2p node: WebSockets (the only transport a page can dial a Bun node
 * with), Noise with its default crypto (WebCrypto plus pure JS in browsers: the Bun cipher
 * workaround is not needed here), Yamux. Dial-only, with the dial policy of ./dial-policy.ts.
 * Must not import orchestrator/p2p/create-node.ts: that pulls in TCP and node:http.
 * No WebRTC or relay reservation here: this node runs in the page's dedicated Web Worker, where
 * Chromium has no RTCPeerConnection (checked on Chromium 156). Browser <-> browser links live in
 * a second node on the page's main thread: ./peer-link.ts.
 */
import { identify } from '@libp2p/identify';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { ping } from '@libp2p/ping';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import { type DialPolicyOptions, workerPageGater } from './dial-policy.ts';

/** `privateKey`: the worker's identity (identity.ts); its peer id is the worker id. */
export async function createBrowserNode(policy: DialPolicyOptions, privateKey: PrivateKey): Promise<Libp2p> {
  return createLibp2p({
    privateKey,
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: workerPageGater(policy),
    // Same reason as the Bun nodes: a ping lost under load must not kill a working session.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: { identify: identify(), ping: ping() },
  });
}
