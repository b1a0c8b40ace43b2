/**
 * Which addresses the browser worker may dial. libp2p's browser default refuses plain `ws://`
 * and private addresses, which is right on the public web: a page must not be able to make a
 * visitor's browser probe their LAN, and `ws://` is unencrypted at the transport layer. For local
 * development the orchestrator is on loopback over `ws://`, so the policy is relaxed, and only:
 * - when the orchestrator's bootstrap allows it (`allowLocal`),
 * - when the page itself came from a loopback or private host (a local orchestrator), and
 * - for exactly the addresses the bootstrap listed (nothing else on the LAN).
 * Public `wss://` addresses are allowed as by default.
 */
import type { ConnectionGater } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';

export interface DialPolicyOptions {
  /** The orchestrator's multiaddrs from the bootstrap; the only local/insecure dial targets. */
  allowed: readonly string[];
  /** `location.hostname` of the page. */
  pageHostname: string;
  /** The orchestrator's bootstrap permits local development dials. */
  allowLocal: boolean;
}

interface AddressFacts {
  host: string | undefined;
  secure: boolean;
}

function facts(ma: string): AddressFacts {
  const parts = ma.split('/');
  const hostAt = parts.findIndex((p) => ['ip4', 'ip6', 'dns', 'dns4', 'dns6', 'dnsaddr'].includes(p));
  const host = hostAt >= 0 ? parts[hostAt + 1] : undefined;
  return { host, secure: parts.includes('wss') || parts.includes('tls') };
}

function privateIp4(host: string): boolean {
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return false;
  const [a = 0, b = 0] = octets;
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

function privateIp6(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === '::1' || h === '::' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
}

/** True for loopback, private (RFC 1918 / ULA), link-local and `localhost` hosts. */
export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.includes(':')) return privateIp6(h);
  return privateIp4(h);
}

const withoutPeer = (ma: string): string => ma.replace(/\/p2p\/[^/]+$/, '');

/** Whether the worker may dial `ma` under these options. */
export function mayDial(ma: string, opts: DialPolicyOptions): boolean {
  const { host, secure } = facts(ma);
  const local = host !== undefined && isLocalHost(host);
  if (secure && !local) return true; // what libp2p's browser default allows
  if (!opts.allowLocal || !isLocalHost(opts.pageHostname)) return false;
  const target = withoutPeer(ma);
  return opts.allowed.some((a) => withoutPeer(a) === target);
}

/** The connection gater for the browser worker's libp2p node. */
export function workerPageGater(opts: DialPolicyOptions): ConnectionGater {
  return {
    denyDialMultiaddr: (ma: Multiaddr) => !mayDial(ma.toString(), opts),
  };
}
