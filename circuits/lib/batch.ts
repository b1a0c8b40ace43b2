/**
 * Root of a result batch: the TypeScript twin of ResultBatch in circuits/result_batch.circom.
 * Leaves are (taskIdField, digest) pairs, 8 per Poseidon(16) node, nodes hashed into the root.
 * Batches shorter than BATCH_SIZE are padded with (0, Poseidon(0)) leaves: the prover pads with
 * inner = 0. A real task id field is a sha256 output, so it is never 0 in practice.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { BATCH_SIZE } from './params.ts';
import { getPoseidon } from './poseidon.ts';

export interface BatchLeaf {
  taskId: bigint;
  digest: bigint;
}

const LEAVES_PER_NODE = 8;

/** Pads a batch to BATCH_SIZE; throws on an empty or oversized batch. */
export async function padBatch(leaves: readonly BatchLeaf[]): Promise<BatchLeaf[]> {
  if (leaves.length === 0 || leaves.length > BATCH_SIZE) {
    throw new ProofError(
      ErrorCode.ProofBadInput,
      `a batch holds 1..${BATCH_SIZE} tasks, got ${leaves.length}`,
      {
        field: 'items',
      },
    );
  }
  const poseidon = await getPoseidon();
  const pad: BatchLeaf = { taskId: 0n, digest: poseidon([0n]) };
  return [...leaves, ...new Array<BatchLeaf>(BATCH_SIZE - leaves.length).fill(pad)];
}

export async function batchRoot(leaves: readonly BatchLeaf[]): Promise<bigint> {
  const padded = await padBatch(leaves);
  const poseidon = await getPoseidon();
  const nodes: bigint[] = [];
  for (let n = 0; n < BATCH_SIZE / LEAVES_PER_NODE; n++) {
    const inputs = padded
      .slice(n * LEAVES_PER_NODE, (n + 1) * LEAVES_PER_NODE)
      .flatMap((leaf) => [leaf.taskId, leaf.digest]);
    nodes.push(poseidon(inputs));
  }
  return poseidon(nodes);
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
 * the replicas it covers, in leaf order, and the Poseidon digest claimed for each (decimal). Every
 * result frame of the batch carries the same object; the orchestrator verifies it once.
 */
export interface BatchListing {
  replicas: string[];
  digests: string[];
}
