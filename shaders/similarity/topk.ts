/**
 * Top-k selection over dot-product scores, shared by the CPU reference and the GPU host wrapper
 * (the GPU computes the N scores, the N * dim part; picking k of N is cheap on the host, and
 * sharing the code means the two paths can only differ through the scores).
 *
 * Order: higher score first; equal scores by lower index; NaN ranks below every number.
 * -0 and +0 compare equal (IEEE), so the index decides between them.
 */
import { u32Bytes } from '../bytes.ts';
import { f32Bytes } from '../f32.ts';
import type { SimilarityOutput } from './payload.ts';

/** True when (sa, ia) ranks strictly before (sb, ib). */
export function ranksBefore(sa: number, ia: number, sb: number, ib: number): boolean {
  const na = Number.isNaN(sa);
  const nb = Number.isNaN(sb);
  if (na !== nb) return nb;
  if (!na && sa !== sb) return sa > sb;
  return ia < ib;
}

/** The k best (index, score) pairs, best first. O(N log k) with a binary min-heap of the kept k. */
export function selectTopK(scores: Float32Array, k: number): SimilarityOutput {
  const heap: number[] = []; // indices; heap[0] is the worst kept entry
  const worse = (a: number, b: number): boolean =>
    ranksBefore(scores[b] as number, b, scores[a] as number, a);
  const swap = (i: number, j: number): void => {
    const t = heap[i] as number;
    heap[i] = heap[j] as number;
    heap[j] = t;
  };
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < heap.length && worse(heap[l] as number, heap[w] as number)) w = l;
      if (r < heap.length && worse(heap[r] as number, heap[w] as number)) w = r;
      if (w === i) return;
      swap(i, w);
      i = w;
    }
  };
  for (let idx = 0; idx < scores.length; idx++) {
    if (heap.length < k) {
      heap.push(idx);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i] as number, heap[parent] as number)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (
      ranksBefore(scores[idx] as number, idx, scores[heap[0] as number] as number, heap[0] as number)
    ) {
      heap[0] = idx;
      siftDown(0);
    }
  }
  heap.sort((a, b) => (ranksBefore(scores[a] as number, a, scores[b] as number, b) ? -1 : 1));
  return { indices: Uint32Array.from(heap), scores: Float32Array.from(heap, (i) => scores[i] as number) };
}

/** k x (u32 index, f32 score) little-endian, NaN scores canonical. */
export function similarityOutputBytes(out: SimilarityOutput): Uint8Array {
  const indices = u32Bytes(out.indices);
  const scores = f32Bytes(out.scores);
  const bytes = new Uint8Array(out.indices.length * 8);
  for (let i = 0; i < out.indices.length; i++) {
    bytes.set(indices.subarray(i * 4, i * 4 + 4), i * 8);
    bytes.set(scores.subarray(i * 4, i * 4 + 4), i * 8 + 4);
  }
  return bytes;
}
