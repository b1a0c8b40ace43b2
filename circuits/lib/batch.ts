/**
 * Root of a result batch: the TypeScript twin of ResultBatch in circuits/result_batch.circom.
 * Leaves are batchLeafDigest(taskId, output), 16 per Poseidon(16) node; the root is Poseidon(16)
 * over the nodes, zero-padded to 16 inputs. Batches shorter than BATCH_SIZE are padded with 0
 * leaves (a real leaf is a SHA-256 output, 0 only with probability 2^-253).
 *
 * A leaf never travels: the worker computes it to prove, the orchestrator recomputes it from its
 * own record of the task id and the output bytes it received, so a valid proof shows that the
 * prover knew every one of them. The tag keeps it distinct from the plain SHA-256 of the output,
 * which result frames and the digest log do carry.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { bytesToBigIntBE, MASK_253 } from './field.ts';
import { BATCH_SIZE } from './params.ts';
import { getPoseidon } from './poseidon.ts';

const LEAVES_PER_NODE = 16;
const LEAF_TAG = new TextEncoder().encode('shardmesh/result_batch/leaf/v1\0');
const encoder = new TextEncoder();

/**
 * SHA-256(tag || u32 length of the task id || task id (UTF-8) || output), top 3 bits cleared (a
 * field element): the private leaf of one task in a batch.
 */
export function batchLeafDigest(taskId: string, output: Uint8Array): bigint {
  const id = encoder.encode(taskId);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, id.length);
  const hash = sha256.create();
  hash.update(LEAF_TAG).update(length).update(id).update(output);
  return bytesToBigIntBE(hash.digest()) & MASK_253;
}

/** Pads a batch to BATCH_SIZE; throws on an empty or oversized batch. */
export function padBatch(leaves: readonly bigint[]): bigint[] {
  if (leaves.length === 0 || leaves.length > BATCH_SIZE) {
    throw new ProofError(
      ErrorCode.ProofBadInput,
      `a batch holds 1..${BATCH_SIZE} tasks, got ${leaves.length}`,
      { field: 'items' },
    );
  }
  return [...leaves, ...new Array<bigint>(BATCH_SIZE - leaves.length).fill(0n)];
}

export async function batchRoot(leaves: readonly bigint[]): Promise<bigint> {
  const padded = padBatch(leaves);
  const poseidon = await getPoseidon();
  const top = new Array<bigint>(LEAVES_PER_NODE).fill(0n);
  for (let n = 0; n < BATCH_SIZE / LEAVES_PER_NODE; n++) {
    top[n] = poseidon(padded.slice(n * LEAVES_PER_NODE, (n + 1) * LEAVES_PER_NODE));
  }
  return poseidon(top);
}

/**
 * The nonce a batch proof binds: every replica nonce of the batch, in leaf order. Each replica
 * nonce is issued by the orchestrator with one lease, so the batch nonce names exactly this set
 * and order of leases; the orchestrator rebuilds it from its own records.
 */
export function batchNonce(replicaNonces: readonly string[]): string {
  return `batch:${replicaNonces.join(':')}`;
}

/**
 * What a batch proof carries besides the proof (the `batch` field of the result frame's `proof`):
 * the replicas it covers, in leaf order. Every result frame of the batch carries the same object;
 * the orchestrator verifies the proof once, when the outputs of all of them have arrived.
 */
export interface BatchListing {
  replicas: string[];
}
