/** The pure halves of the proof layer: id -> field mapping, packing, digests, batch roots, chain. */
import { describe, expect, test } from 'bun:test';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { batchLeafDigest, batchRoot, padBatch } from '../../circuits/lib/batch.ts';
import { commitOutput, digestFromHex, digestToHex, resultDigestOf } from '../../circuits/lib/digest.ts';
import { ProofError } from '../../circuits/lib/errors.ts';
import {
  FIELD_MODULUS,
  fieldFromId,
  nonceToField,
  packBytes,
  seedToField,
  taskIdToField,
  workerIdToField,
} from '../../circuits/lib/field.ts';
import { BATCH_SIZE, LONG_OUTPUT_PREFIX_BYTES, MAX_INLINE_BYTES } from '../../circuits/lib/params.ts';
import { getPoseidon } from '../../circuits/lib/poseidon.ts';
import { computePoseidonChain, encodePoseidonChainOutput } from '../../circuits/lib/poseidon-chain.ts';
import { ErrorCode } from '../../protocol/errors.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ProofError ? err.code : 'not a ProofError';
  }
  return undefined;
}

describe('ids to field elements', () => {
  test('below 2^253, deterministic, and separated by domain', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        const t = taskIdToField(id);
        expect(t).toBeLessThan(1n << 253n);
        expect(t).toBe(fieldFromId('task', id));
        expect(t).not.toBe(workerIdToField(id));
        expect(workerIdToField(id)).not.toBe(nonceToField(id));
      }),
      { numRuns: 200 },
    );
  });

  test('seeds: integers in [0, p) only', () => {
    expect(seedToField(7)).toBe(7n);
    expect(seedToField(FIELD_MODULUS - 1n)).toBe(FIELD_MODULUS - 1n);
    expect(codeOf(() => seedToField(-1))).toBe(ErrorCode.ProofBadInput);
    expect(codeOf(() => seedToField(1.5))).toBe(ErrorCode.ProofBadInput);
    expect(codeOf(() => seedToField(FIELD_MODULUS))).toBe(ErrorCode.ProofBadInput);
  });
});

describe('packing', () => {
  test('31 bytes per little-endian limb, injective on equal lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
        const la = packBytes(a, 7);
        for (const limb of la) expect(limb).toBeLessThan(1n << 248n);
        if (a.length === b.length && a.some((v, i) => v !== b[i])) expect(la).not.toEqual(packBytes(b, 7));
      }),
      { numRuns: 200 },
    );
    expect(packBytes(new Uint8Array([1, 2]), 2)).toEqual([0x0201n, 0n]);
    expect(codeOf(() => packBytes(new Uint8Array(63), 2))).toBe(ErrorCode.ProofBadInput);
  });
});

describe('result digests', () => {
  test('inline up to 2790 bytes, prefix + sha256 above; the length is bound', async () => {
    const at = await commitOutput(new Uint8Array(MAX_INLINE_BYTES).fill(9));
    expect(at.mode).toBe('inline');
    const long = new Uint8Array(MAX_INLINE_BYTES + 1).fill(9);
    const above = await commitOutput(long);
    expect(above.mode).toBe('prefix+sha256');
    expect(
      packBytes(new Uint8Array([...long.subarray(0, LONG_OUTPUT_PREFIX_BYTES), ...sha256(long)]), 90),
    ).toEqual(above.limbs);
    // Trailing zeros change the length, hence the digest.
    expect(await resultDigestOf(new Uint8Array([1]))).not.toBe(await resultDigestOf(new Uint8Array([1, 0])));
    // A change past the prefix of a long output still changes the digest (through its SHA-256).
    const changed = long.slice();
    changed[MAX_INLINE_BYTES] = 1;
    expect(await resultDigestOf(changed)).not.toBe(above.digest);
    const poseidon = await getPoseidon();
    expect(at.digest).toBe(poseidon([at.inner]));
  });

  test('hex form round-trips and refuses junk', async () => {
    const d = await resultDigestOf(new Uint8Array([1, 2, 3]));
    expect(digestFromHex(digestToHex(d))).toBe(d);
    expect(codeOf(() => digestFromHex('xyz'))).toBe(ErrorCode.ProofBadInput);
  });
});

describe('batch root', () => {
  test('pads to BATCH_SIZE, refuses empty and oversized batches, depends on order', async () => {
    const leaf = (i: number) => BigInt(1000 + i);
    expect(padBatch([leaf(0)]).length).toBe(BATCH_SIZE);
    expect(codeOf(() => padBatch([]))).toBe(ErrorCode.ProofBadInput);
    const full = Array.from({ length: BATCH_SIZE + 1 }, (_, i) => leaf(i));
    expect(codeOf(() => padBatch(full))).toBe(ErrorCode.ProofBadInput);
    const two = await batchRoot([leaf(0), leaf(1)]);
    expect(await batchRoot([leaf(1), leaf(0)])).not.toBe(two);
    expect(await batchRoot([leaf(0), 1n])).not.toBe(two);
  });

  test('leaves: a tagged SHA-256 of (task id, output), 253 bits, never the plain SHA-256', () => {
    const output = new Uint8Array([1, 2, 3]);
    const d = batchLeafDigest('t1', output);
    expect(d).toBe(batchLeafDigest('t1', new Uint8Array([1, 2, 3])));
    expect(d).not.toBe(batchLeafDigest('t1', new Uint8Array([1, 2, 4])));
    expect(d).not.toBe(batchLeafDigest('t2', output));
    // The id's length is framed: moving a byte between id and output changes the leaf.
    expect(batchLeafDigest('t', new Uint8Array([0x31, 1, 2, 3]))).not.toBe(batchLeafDigest('t1', output));
    expect(d < 1n << 253n).toBe(true);
    const plain = BigInt(`0x${Buffer.from(sha256(output)).toString('hex')}`);
    expect(d).not.toBe(plain & ((1n << 253n) - 1n));
  });
});

describe('poseidon-chain reference', () => {
  test('deterministic, depends on task and seed, 32-byte output', async () => {
    const a = await computePoseidonChain('task-1', 1);
    expect(await computePoseidonChain('task-1', 1)).toBe(a);
    expect(await computePoseidonChain('task-1', 2)).not.toBe(a);
    expect(await computePoseidonChain('task-2', 1)).not.toBe(a);
    const bytes = encodePoseidonChainOutput(a);
    expect(bytes.length).toBe(32);
    expect(BigInt(`0x${Buffer.from(bytes).toString('hex')}`)).toBe(a);
  });
});
