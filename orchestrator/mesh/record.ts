/**
 * One entry of the verified-digest log, its canonical bytes, hash and signature.
 *
 * - `body` is every field but `hash` and `signature`, serialized as JSON with a fixed key order
 *   (canonicalBody), so every implementation hashes and signs the same bytes.
 * - `signature` = Ed25519(origin key, canonical body). The origin is the orchestrator's libp2p
 *   peer id, which embeds its Ed25519 public key: no key directory is needed to verify.
 * - `hash` = sha256(canonical body || signature bytes). Because the hash covers the signature and
 *   the next record's body carries it as `prevHash`, checking the newest record's signature and
 *   every hash authenticates a whole run of records (the gossip validator relies on this; `log
 *   verify` still checks every signature).
 */
import { createHash } from 'node:crypto';
import type { PublicKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';

export const RECORD_VERSION = 1;
/** prevHash of an origin's first record (seq 1). */
export const GENESIS_HASH = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;
const ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export const LogRecordSchema = z.strictObject({
  v: z.literal(RECORD_VERSION),
  origin: z.string().min(1).max(128),
  seq: z.number().int().min(1),
  jobId: z.string().regex(ID),
  taskId: z.string().regex(ID),
  index: z.number().int().min(0),
  kind: z.string().min(1).max(128),
  digest: z.string().min(1).max(256),
  /** Ids of the workers whose agreeing results made the quorum, sorted. */
  workers: z.array(z.string().regex(ID)).max(256),
  /**
   * Reference to the proofs verified for the agreeing results (proof-refs.ts), one per worker;
   * null when the job required no proofs. Sized for `workers` at its maximum.
   */
  proof: z.string().min(1).max(20_000).nullable(),
  /** When the origin accepted the task (ms since the epoch, the origin's clock). */
  acceptedAt: z.number().int().min(0),
  prevHash: z.string().regex(HEX64),
  hash: z.string().regex(HEX64),
  signature: z.string().regex(/^[0-9a-f]{128}$/),
});

export type LogRecord = z.infer<typeof LogRecordSchema>;
export type RecordBody = Omit<LogRecord, 'hash' | 'signature'>;
/** What the log needs from an accepted task; the chain fields are filled in by the log. */
export type RecordInput = Pick<
  LogRecord,
  'jobId' | 'taskId' | 'index' | 'kind' | 'digest' | 'workers' | 'proof' | 'acceptedAt'
>;

const encoder = new TextEncoder();

/** The exact bytes that are signed and hashed: JSON with keys in this fixed order. */
export function canonicalBody(r: RecordBody): Uint8Array {
  const ordered = {
    v: r.v,
    origin: r.origin,
    seq: r.seq,
    jobId: r.jobId,
    taskId: r.taskId,
    index: r.index,
    kind: r.kind,
    digest: r.digest,
    workers: r.workers,
    proof: r.proof,
    acceptedAt: r.acceptedAt,
    prevHash: r.prevHash,
  };
  return encoder.encode(JSON.stringify(ordered));
}

export function recordHash(body: Uint8Array, signature: Uint8Array): string {
  return createHash('sha256').update(body).update(signature).digest('hex');
}

/** Recomputes the hash; true when it matches the record's claim. Cheap (one sha256). */
export function hashMatches(r: LogRecord): boolean {
  return recordHash(canonicalBody(r), hexToBytes(r.signature)) === r.hash;
}

const originKeys = new Map<string, PublicKey>();

/** True when the origin's key signed the record's body. Throws nothing: a bad origin is `false`. */
export async function signatureValid(r: LogRecord): Promise<boolean> {
  let key = originKeys.get(r.origin);
  if (key === undefined) {
    try {
      key = peerIdFromString(r.origin).publicKey;
    } catch {
      return false;
    }
    if (key === undefined || key.type !== 'Ed25519') return false;
    if (originKeys.size > 10_000) originKeys.clear();
    originKeys.set(r.origin, key);
  }
  return key.verify(canonicalBody(r), hexToBytes(r.signature));
}
