/**
 * The libp2p floor for bench/mesh-processes.bench.ts --floor: GossipSub alone carrying opaque
 * messages of the log's size at the log's pacing, with an accept-all validator, so the bench can
 * say how much of a log peer's cost is the digest log and how much is libp2p itself.
 *
 * A message is `u32 first seq || u16 count || random bytes`, RECORD_WIRE_BYTES per record (the
 * log's deflated records are ~221 B each, and random bytes do not compress either), batched as the
 * replicator does: at most `maxBatch` records, at most `batchMs` after the first one.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub';
import type { Libp2p } from '@libp2p/interface';
import { pubsubOf } from '../../orchestrator/mesh/services.ts';

export const RAW_TOPIC = 'shardmesh/bench-raw-floor';
const RECORD_WIRE_BYTES = 221;
const HEADER_BYTES = 6;

function gossip(node: Libp2p) {
  const pubsub = pubsubOf(node);
  if (pubsub === undefined) throw new Error('the node has no GossipSub service');
  return pubsub;
}

/** Subscribes `node` to the floor topic; `onRecords(first, count)` for every message accepted. */
export function receiveRaw(node: Libp2p, onRecords: (first: number, count: number) => void): void {
  const pubsub = gossip(node);
  pubsub.topicValidators.set(RAW_TOPIC, async (_peer, msg) => {
    if (msg.data.byteLength < HEADER_BYTES) return TopicValidatorResult.Reject;
    const view = new DataView(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
    onRecords(view.getUint32(0), view.getUint16(4));
    return TopicValidatorResult.Accept;
  });
  pubsub.subscribe(RAW_TOPIC);
}

/** Queues records like LogReplicator.publish and publishes them in batches, one at a time. */
export class RawPublisher {
  #first = 1;
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #publishing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly node: Libp2p,
    private readonly opts: { batchMs: number; maxBatch: number },
  ) {}

  /** One more record (seq numbers start at 1, like a log's). */
  add(): void {
    this.#pending++;
    if (this.#pending >= this.opts.maxBatch) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.opts.batchMs);
  }

  /** Publishes what is queued; resolves when every publish so far was handed to GossipSub. */
  flush(): Promise<unknown> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending > 0) {
      const data = new Uint8Array(HEADER_BYTES + this.#pending * RECORD_WIRE_BYTES);
      crypto.getRandomValues(data.subarray(HEADER_BYTES));
      const view = new DataView(data.buffer);
      view.setUint32(0, this.#first);
      view.setUint16(4, this.#pending);
      this.#first += this.#pending;
      this.#pending = 0;
      const pubsub = gossip(this.node);
      this.#publishing = this.#publishing.then(() => pubsub.publish(RAW_TOPIC, data).catch(() => {}));
    }
    return this.#publishing;
  }
}
