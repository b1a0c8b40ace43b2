/**
 * Root of a result batch: the TypeScript twin of ResultBatch in circuits/result_batch.circom.
 * Leaves are (taskIdField, leafDigest) pairs, 8 per Poseidon(16) node; the root is Poseidon(16)
 * over the nodes, zero-padded to 16 inputs. Batches shorter than BATCH_SIZE are padded with (0, 0)
 * leaves (a real task id field is a sha256 output, never 0 in practice).
 *
 * A leaf digest is a tagged SHA-256 of the output (batchLeafDigest). It never travels: the worker
 * computes it to prove, the orchestrator recomputes it from the output bytes it received, so a
 * valid proof shows that the prover knew every one of them. The tag keeps it distinct from the
 * plain SHA-256 of the output, which result frames and the digest log do carry.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { bytesToBigIntBE, MASK_253 } from './field.ts';
import { BATCH_SIZE } from './params.ts';
import { getPoseidon } from './poseidon.ts';

export interface BatchLeaf {
  taskId: bigint;
  leafDigest: bigint;
}

const LEAVES_PER_NODE = 8;
const NODE_INPUTS = 2 * LEAVES_PER_NODE;
const LEAF_TAG = new TextEncoder().encode('shardmesh/result_batch/leaf/v1\0');
const PAD: BatchLeaf = { taskId: 0n, leafDigest: 0n };

/** SHA-256(tag || output), top 3 bits cleared (a field element): the private leaf value of a batch. */
export function batchLeafDigest(output: Uint8Array): bigint {
  const hash = sha256.create();
  hash.update(LEAF_TAG);
  hash.update(output);
  return bytesToBigIntBE(hash.digest()) & MASK_253;
}

/** Pads a batch to BATCH_SIZE; throws on an empty or oversized batch. */
export function padBatch(leaves: readonly BatchLeaf[]): BatchLeaf[] {
  if (leaves.length === 0 || leaves.length > BATCH_SIZE) {
    throw new ProofError(
      ErrorCode.ProofBadInput,
      `a batch holds 1..${BATCH_SIZE} tasks, got ${leaves.length}`,
      { field: 'items' },
    );
  }
  return [...leaves, ...new Array<BatchLeaf>(BATCH_SIZE - leaves.length).fill(PAD)];
}

export async function batchRoot(leaves: readonly BatchLeaf[]): Promise<bigint> {
  const padded = padBatch(leaves);
  const poseidon = await getPoseidon();
  const top = new Array<bigint>(NODE_INPUTS).fill(0n);
  for (let n = 0; n < BATCH_SIZE / LEAVES_PER_NODE; n++) {
    const inputs = padded
      .slice(n * LEAVES_PER_NODE, (n + 1) * LEAVES_PER_NODE)
      .flatMap((leaf) => [leaf.taskId, leaf.leafDigest]);
    top[n] = poseidon(inputs);
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
