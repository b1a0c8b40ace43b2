/** Which addresses the browser worker may dial (worker/browser/dial-policy.ts). */
import { describe, expect, test } from 'bun:test';
import { multiaddr } from '@multiformats/multiaddr';
import { isLocalHost, mayDial, workerPageGater } from '../../worker/browser/dial-policy.ts';

const PEER = '12D3KooWLDbZEjUGgYM9QC5SLBGh2XCBGyoyh7ndfkTd347Qv6dL';
const LOCAL_WS = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${PEER}`;
const local = { allowed: [LOCAL_WS], pageHostname: '127.0.0.1', allowLocal: true };

describe('dial policy', () => {
  test('public wss is allowed as by default, even with local dials off', () => {
    const opts = { ...local, allowLocal: false, pageHostname: 'mesh.example.org' };
    expect(mayDial(`/dns4/mesh.example.org/tcp/443/wss/p2p/${PEER}`, opts)).toBe(true);
    expect(mayDial(`/ip4/93.184.216.34/tcp/443/tls/ws/p2p/${PEER}`, opts)).toBe(true);
  });

  test('local ws: only the listed orchestrator, only from a local page, only when allowed', () => {
    expect(mayDial(LOCAL_WS, local)).toBe(true);
    expect(mayDial('/ip4/127.0.0.1/tcp/4002/ws', local)).toBe(true); // same address without the peer id
    expect(mayDial(`/ip4/127.0.0.1/tcp/9999/ws/p2p/${PEER}`, local)).toBe(false); // not listed
    expect(mayDial(`/ip4/192.168.1.20/tcp/4002/ws/p2p/${PEER}`, local)).toBe(false); // LAN probe
    expect(mayDial(LOCAL_WS, { ...local, pageHostname: 'evil.example.com' })).toBe(false);
    expect(mayDial(LOCAL_WS, { ...local, allowLocal: false })).toBe(false);
  });

  test('plain ws to a public host is refused (unencrypted transport on the open web)', () => {
    expect(mayDial(`/ip4/93.184.216.34/tcp/80/ws/p2p/${PEER}`, local)).toBe(false);
  });

  test('the gater answers libp2p with the same policy', () => {
    const gater = workerPageGater(local);
    expect(gater.denyDialMultiaddr?.(multiaddr(LOCAL_WS))).toBe(false);
    expect(gater.denyDialMultiaddr?.(multiaddr(`/ip4/10.0.0.8/tcp/4002/ws/p2p/${PEER}`))).toBe(true);
  });

  test('local hosts: loopback, RFC 1918, link-local, ULA, localhost', () => {
    for (const host of [
      '127.0.0.1',
      'localhost',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
    ]) {
      expect(isLocalHost(host)).toBe(true);
    }
    for (const host of ['::1', 'fd00::1', 'fe80::1', '169.254.1.1', 'app.localhost'])
      expect(isLocalHost(host)).toBe(true);
    for (const host of ['8.8.8.8', '172.32.0.1', 'example.org', '2001:db8::1', '192.169.0.1']) {
      expect(isLocalHost(host)).toBe(false);
    }
  });
});
