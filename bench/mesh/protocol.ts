/** JSON-line messages between bench/mesh-processes.bench.ts and its peer hosts (peer-host.ts). */

export type HostCommand =
  /** Dial: each link is [hosted peer name, multiaddr to dial]. */
  | { type: 'dial'; links: Array<[string, string]> }
  | { type: 'await-mesh'; timeoutMs: number }
  /** The publisher's origin, so receivers time only its records; (re)starts the CPU count. */
  | { type: 'origin'; origin: string }
  | { type: 'publish'; name: string; rate: number; seconds: number }
  /** Wait until every hosted receiver holds `count` records of the publisher (or the timeout). */
  | { type: 'collect'; count: number; timeoutMs: number }
  | { type: 'stop' };

export type HostReply =
  | { type: 'ready'; peers: Array<{ name: string; origin: string; addr: string }> }
  | { type: 'dialed' }
  | { type: 'meshed'; meshPeers: number[] }
  | { type: 'ok' }
  /** Send time (wall-clock ms) of each record this phase, indexed by seq - 1 (null: earlier phase). */
  | { type: 'published'; sent: Array<number | null> }
  /** CPU ms this process used while publishing and collecting; per receiving peer, receive time of each record (indexed by seq - 1; null when missing). */
  | { type: 'collected'; cpuMs: number; received: Record<string, Array<number | null>> }
  | { type: 'stopped' };
