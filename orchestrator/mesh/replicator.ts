/**
 * Keeps every origin's chain in step across the mesh.
 * - Publishes this orchestrator's new records on the log topic in batches (`maxBatch` records or
 *   `batchMs`, whichever first), one publish at a time with a pause between publishes: GossipSub
 *   has no backpressure, so bursts must be paced by the sender.
 * - The topic validator IS the ingest point: a batch is accepted (stored and forwarded) only if
 *   it is well formed, hashes and signature check out and it extends the chain held for its
 *   origin; it is rejected otherwise (which also lowers the sender's GossipSub score).
 * - A batch that starts past the held head triggers catch-up over log-sync; so do new
 *   connections (a late, restarted or partitioned peer) and a periodic anti-entropy round.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type GossipSub, type Message, TopicValidatorResult } from '@libp2p/gossipsub';
import type { IdentifyResult, Libp2p, PeerId } from '@libp2p/interface';
import { ErrorCode, isShardmeshError } from '../../protocol/errors.ts';
import { MESH_DEFAULTS } from '../config.ts';
import { decodeBatch, encodeBatch } from './batch.ts';
import type { DigestLog } from './digest-log.ts';
import { LogError } from './errors.ts';
import { type IngestOptions, LogIngest } from './ingest.ts';
import type { LogRecord } from './record.ts';
import { pubsubOf } from './services.ts';
import type { LogStore } from './store.ts';
import { fetchHeads, fetchRange, SYNC_PROTOCOL, serveSync } from './sync.ts';

/** Version 2: compressed batches (batch.ts); a version-1 peer could not read them. */
export const LOG_TOPIC = 'shardmesh/digest-log/2';

export interface ReplicatorOptions extends IngestOptions {
  topic?: string;
  /** Longest a record waits for its batch to fill (ms). */
  batchMs?: number;
  /** Most records in one published batch. */
  maxBatch?: number;
  /** Pause between two consecutive publishes (ms): the pacing that stands in for backpressure. */
  publishGapMs?: number;
  /** Anti-entropy period: ask one random peer for its heads (ms; 0 disables). */
  syncIntervalMs?: number;
  syncPageSize?: number;
  syncTimeoutMs?: number;
  /** Our own chain, published as it grows; absent for a node that only mirrors others. */
  own?: DigestLog;
  log?: (line: string) => void;
}

export type StoredListener = (origin: string, records: readonly LogRecord[]) => void;
/** A gossiped batch refused by the validator, with the typed reason and the forwarding peer. */
export type RejectedListener = (err: LogError, from: PeerId) => void;

export class LogReplicator {
  readonly ingest: LogIngest;
  readonly topic: string;
  readonly #node: Libp2p;
  readonly #pubsub: GossipSub;
  readonly #opts: Required<Omit<ReplicatorOptions, 'own' | 'verifyProof' | 'allSignatures' | 'topic'>>;
  readonly #own: DigestLog | undefined;
  readonly #listeners = new Set<StoredListener>();
  readonly #rejectListeners = new Set<RejectedListener>();
  readonly #controller = new AbortController();
  readonly #catchingUp = new Map<string, Promise<void>>();
  readonly #syncingWith = new Map<string, Promise<void>>();
  #pending: LogRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #publishing: Promise<void> | undefined;
  #cleanup: Array<() => void | Promise<void>> = [];

  constructor(node: Libp2p, store: LogStore, opts: ReplicatorOptions = {}) {
    const pubsub = pubsubOf(node);
    if (pubsub === undefined)
      throw new LogError(ErrorCode.Internal, 'the node has no GossipSub service (mesh.gossip)');
    this.#node = node;
    this.#pubsub = pubsub;
    this.#own = opts.own;
    this.topic = opts.topic ?? LOG_TOPIC;
    this.ingest = new LogIngest(store, { verifyProof: opts.verifyProof, allSignatures: opts.allSignatures });
    this.#opts = {
      batchMs: opts.batchMs ?? MESH_DEFAULTS.batchMs,
      maxBatch: opts.maxBatch ?? MESH_DEFAULTS.maxBatch,
      publishGapMs: opts.publishGapMs ?? MESH_DEFAULTS.publishGapMs,
      syncIntervalMs: opts.syncIntervalMs ?? MESH_DEFAULTS.syncIntervalMs,
      syncPageSize: opts.syncPageSize ?? MESH_DEFAULTS.syncPageSize,
      syncTimeoutMs: opts.syncTimeoutMs ?? MESH_DEFAULTS.syncTimeoutMs,
      log: opts.log ?? (() => {}),
    };
  }

  get self(): string {
    return this.#node.peerId.toString();
  }

  /** Peers known to subscribe to the log topic. */
  subscriberCount(): number {
    return this.#pubsub.getSubscribers(this.topic).length;
  }

  /** Peers in this node's GossipSub mesh for the log topic (formed on heartbeats). */
  meshPeerCount(): number {
    // getMeshPeers is on the implementation, not on the exported GossipSub interface.
    const impl = this.#pubsub as unknown as { getMeshPeers?: (topic: string) => string[] };
    return impl.getMeshPeers?.(this.topic).length ?? 0;
  }

  /** Called after records of another origin are stored (gossip or sync). */
  onStored(listener: StoredListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onRejected(listener: RejectedListener): () => void {
    this.#rejectListeners.add(listener);
    return () => this.#rejectListeners.delete(listener);
  }

  async start(): Promise<void> {
    const node = this.#node;
    this.#pubsub.topicValidators.set(this.topic, (peer, msg) => this.#validate(peer, msg));
    this.#pubsub.subscribe(this.topic);
    this.#cleanup.push(await serveSync(node, this.ingest.store));
    const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
      if (evt.detail.protocols.includes(SYNC_PROTOCOL)) this.#background(this.syncWith(evt.detail.peerId));
    };
    node.addEventListener('peer:identify', onIdentify);
    this.#cleanup.push(() => node.removeEventListener('peer:identify', onIdentify));
    if (this.#opts.syncIntervalMs > 0) {
      const timer = setInterval(() => this.#antiEntropy(), this.#opts.syncIntervalMs);
      this.#cleanup.push(() => clearInterval(timer));
    }
    if (this.#own !== undefined) this.#cleanup.push(this.#own.onAppend((r) => this.publish(r)));
  }

  async stop(): Promise<void> {
    await this.flush().catch(() => {});
    this.#controller.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#pubsub.unsubscribe(this.topic);
    this.#pubsub.topicValidators.delete(this.topic);
    for (const fn of this.#cleanup.splice(0).reverse()) await fn();
    await Promise.allSettled([...this.#catchingUp.values(), ...this.#syncingWith.values()]);
  }

  /** Queues one of our own records for the next batch. */
  publish(record: LogRecord): void {
    this.#pending.push(record);
    if (this.#pending.length >= this.#opts.maxBatch) {
      this.#kick();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#kick(), this.#opts.batchMs);
    }
  }

  /** Publishes everything queued so far; resolves when it has been handed to GossipSub. */
  async flush(): Promise<void> {
    this.#kick();
    while (this.#publishing !== undefined) await this.#publishing;
  }

  #kick(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#publishing !== undefined || this.#pending.length === 0) return;
    this.#publishing = this.#drain().finally(() => {
      this.#publishing = undefined;
      // Records queued while the last publish ran wait for their own timer, unless a batch is full.
      if (this.#pending.length >= this.#opts.maxBatch) this.#kick();
      else if (this.#pending.length > 0) this.#timer = setTimeout(() => this.#kick(), this.#opts.batchMs);
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0 && !this.#controller.signal.aborted) {
      const batch = this.#pending.splice(0, this.#opts.maxBatch);
      // Nobody subscribes (a lone orchestrator): encoding and compressing the batch would cost
      // ~5-10 us per record for nothing. A peer that subscribes later catches up over log-sync
      // (on identify, then every syncIntervalMs), as it does for anything it missed.
      if (this.subscriberCount() === 0) continue;
      try {
        await this.#pubsub.publish(this.topic, encodeBatch(batch));
      } catch (err) {
        // Peers that miss a batch catch up over log-sync; the records are safe in SQLite.
        this.#opts.log(`log publish failed: ${String(err)}`);
      }
      if (this.#pending.length > 0) await sleep(this.#opts.publishGapMs);
    }
  }

  async #validate(peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    try {
      const records = decodeBatch(msg.data);
      const origin = records[0]?.origin;
      if (origin === undefined || origin === this.self) return TopicValidatorResult.Ignore;
      const outcome = await this.ingest.ingest(records, { signal: this.#controller.signal, batch: msg.data });
      if (outcome.status === 'stored') this.#notify(origin, records.slice(-outcome.count));
      if (outcome.status === 'gap') {
        const hints = [msg.type === 'signed' ? msg.from : undefined, peer];
        this.#background(this.#fillGap(origin, records, outcome.upTo, hints));
      }
      return TopicValidatorResult.Accept;
    } catch (err) {
      if (err instanceof LogError && err.code !== ErrorCode.Internal) {
        this.#opts.log(`rejected log batch from ${peer}: ${err.code} ${err.message}`);
        for (const listener of [...this.#rejectListeners]) listener(err, peer);
        return TopicValidatorResult.Reject;
      }
      return TopicValidatorResult.Ignore;
    }
  }

  /** Catches up to just before a batch that arrived early, then stores the batch itself. */
  async #fillGap(
    origin: string,
    records: LogRecord[],
    upTo: number,
    hints: Array<PeerId | undefined>,
  ): Promise<void> {
    // A catch-up already running for this origin may stop short of `upTo`: retry a little.
    for (let attempt = 0; attempt < 3 && !this.#controller.signal.aborted; attempt++) {
      await this.catchUp(origin, upTo, hints);
      const outcome = await this.ingest.ingest(records, { signal: this.#controller.signal });
      if (outcome.status === 'stored') this.#notify(origin, records.slice(-outcome.count));
      if (outcome.status !== 'gap') return;
    }
  }

  /** Pulls `origin`'s records up to seq `upTo` (at least) from the hinted peers, then any peer. */
  catchUp(origin: string, upTo: number, hints: ReadonlyArray<PeerId | undefined> = []): Promise<void> {
    const running = this.#catchingUp.get(origin);
    if (running !== undefined) return running;
    const job = this.#catchUp(origin, upTo, hints).finally(() => this.#catchingUp.delete(origin));
    this.#catchingUp.set(origin, job);
    return job;
  }

  async #catchUp(origin: string, upTo: number, hints: ReadonlyArray<PeerId | undefined>): Promise<void> {
    const candidates = [...hints.filter((p): p is PeerId => p !== undefined), ...this.#syncPeers()];
    const tried = new Set<string>();
    for (const peer of candidates) {
      if (tried.has(peer.toString()) || peer.equals(this.#node.peerId)) continue;
      tried.add(peer.toString());
      if (await this.#pull(peer, origin, upTo)) return;
    }
  }

  /** Anti-entropy with one peer: fetch its heads, pull every origin where it is ahead. */
  syncWith(peer: PeerId): Promise<void> {
    const key = peer.toString();
    const running = this.#syncingWith.get(key);
    if (running !== undefined) return running;
    const job = (async () => {
      const signal = AbortSignal.any([
        this.#controller.signal,
        AbortSignal.timeout(this.#opts.syncTimeoutMs),
      ]);
      const heads = await fetchHeads(this.#node, peer, { signal });
      for (const head of heads) {
        if (head.origin === this.self) continue;
        const held = this.ingest.store.head(head.origin)?.seq ?? 0;
        if (head.seq > held) await this.#pull(peer, head.origin, head.seq);
      }
    })().finally(() => this.#syncingWith.delete(key));
    this.#syncingWith.set(key, job);
    return job;
  }

  /** Pages `origin` from `peer` until we hold seq `upTo`; true when we got there. */
  async #pull(peer: PeerId, origin: string, upTo: number): Promise<boolean> {
    const page = this.#opts.syncPageSize;
    try {
      for (;;) {
        const held = this.ingest.store.head(origin)?.seq ?? 0;
        if (held >= upTo) return true;
        const signal = AbortSignal.any([
          this.#controller.signal,
          AbortSignal.timeout(this.#opts.syncTimeoutMs),
        ]);
        const records = await fetchRange(this.#node, peer, origin, held + 1, page, { signal });
        if (records.length === 0 || records.some((r) => r.origin !== origin)) return false;
        const outcome = await this.ingest.ingest(records, { signal });
        if (outcome.status !== 'stored') return false;
        this.#notify(origin, records.slice(-outcome.count));
      }
    } catch (err) {
      this.#opts.log(
        `log sync of ${origin} from ${peer} failed: ${isShardmeshError(err) ? err.code : String(err)}`,
      );
      return false;
    }
  }

  #antiEntropy(): void {
    const peers = this.#syncPeers();
    const peer = peers[Math.floor(Math.random() * peers.length)];
    if (peer !== undefined) this.#background(this.syncWith(peer));
  }

  /** Connected peers subscribed to the log topic (they all serve log-sync). */
  #syncPeers(): PeerId[] {
    const connected = new Set(this.#node.getPeers().map((p) => p.toString()));
    return this.#pubsub.getSubscribers(this.topic).filter((p) => connected.has(p.toString()));
  }

  #notify(origin: string, records: readonly LogRecord[]): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(origin, records);
      } catch (err) {
        this.#opts.log(`log listener failed: ${String(err)}`);
      }
    }
  }

  #background(job: Promise<unknown>): void {
    job.catch((err: unknown) => {
      if (!this.#controller.signal.aborted) this.#opts.log(`log sync failed: ${String(err)}`);
    });
  }
}
