/**
 * Batch frames (`tasks`, `results`): the builders' frames decode back to their entries, split to
 * fit every limit, and each way a batch can be wrong is refused with its own code and field.
 * (Round trip over random batches and payload mutations run with every frame type in
 * roundtrip/mutations/fuzz.test.ts.)
 */
import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { buildResultsFrames, buildTasksFrames, entryBytes } from '../../protocol/batch.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { decodeFrame, encodeFrame } from '../../protocol/frame.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import { MAX_BATCH_ENTRIES, MAX_HEADER_BYTES } from '../../protocol/limits.ts';
import type { ResultsHeader, TasksHeader } from '../../protocol/messages.ts';
import { frameErrorOf, rawFrame } from './arbitraries.ts';

const task = (i: number, params = {}) => ({
  jobId: 'j',
  taskId: `t${i}`,
  replicaId: `r${i}`,
  kind: 'matmul-f32',
  seed: i,
  attempt: 1,
  leaseExpiresAt: 1_000 + i,
  params,
});

async function decodeAll(frames: { header: Parameters<typeof encodeFrame>[0]; payload: Uint8Array }[]) {
  return Promise.all(frames.map(async (f) => decodeFrame(await encodeFrame(f.header, f.payload))));
}

/** A valid two-task frame, with its header as JSON text to tamper with. */
async function tasksFrameText() {
  const [frame] = await buildTasksFrames([
    { task: task(0), payload: new Uint8Array([1, 2]) },
    { task: task(1), payload: new Uint8Array([3, 4, 5]) },
  ]);
  const payload = new Uint8Array(frame!.payload);
  const header = {
    ...frame!.header,
    v: 1,
    payloadLength: payload.length,
    payloadSha256: await sha256Hex(payload),
  } as TasksHeader;
  return { header, payload };
}

describe('batch builders', () => {
  test('tasks frames give back every task and its payload, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 150 }), async (payloads) => {
        const frames = await buildTasksFrames(payloads.map((payload, i) => ({ task: task(i), payload })));
        const decoded = await decodeAll(frames);
        const got = decoded.flatMap(({ header, payload }) =>
          (header as TasksHeader).tasks.map((t) => ({ id: t.replicaId, bytes: entryBytes(payload, t) })),
        );
        expect(got.map((g) => g.id)).toEqual(payloads.map((_, i) => `r${i}`));
        got.forEach((g, i) => {
          expect(g.bytes).toEqual(payloads[i]!);
        });
        for (const f of decoded)
          expect((f.header as TasksHeader).tasks.length).toBeLessThanOrEqual(MAX_BATCH_ENTRIES);
      }),
      { numRuns: 25 },
    );
  });

  test('big task headers are split to stay under the header limit', async () => {
    const params = { blob: 'x'.repeat(3000) };
    const frames = await buildTasksFrames(
      Array.from({ length: 20 }, (_, i) => ({ task: task(i, params), payload: new Uint8Array(1) })),
    );
    expect(frames.length).toBeGreaterThan(3);
    const decoded = await decodeAll(frames);
    expect(decoded.flatMap((f) => (f.header as TasksHeader).tasks)).toHaveLength(20);
  });

  test('results frames carry acks, results (outputs as slices) and failures; empty turns send nothing', async () => {
    expect(buildResultsFrames({ acks: [], results: [], failures: [] })).toEqual([]);
    const outputs = Array.from({ length: 100 }, (_, i) => new Uint8Array(i % 7).fill(i));
    const results = await Promise.all(
      outputs.map(async (output, i) => ({
        result: {
          jobId: 'j',
          taskId: `t${i}`,
          replicaId: `r${i}`,
          kind: 'k',
          seed: i,
          resultDigest: await sha256Hex(output),
          outputLength: output.length,
          elapsedMs: 1,
        },
        output,
      })),
    );
    const acks = Array.from({ length: 70 }, (_, i) => `a${i}`);
    const failures = [
      { jobId: 'j', taskId: 'tf', replicaId: 'rf', error: { code: 'KERNEL_FAILED', message: 'm' } },
    ];
    const decoded = await decodeAll(buildResultsFrames({ acks, results, failures }));
    const headers = decoded.map((f) => f.header as ResultsHeader);
    expect(headers.flatMap((h) => h.acks)).toEqual(acks);
    expect(headers.flatMap((h) => h.failures)).toEqual(failures);
    const got = decoded.flatMap(({ header, payload }) =>
      (header as ResultsHeader).results.map((r) => entryBytes(payload, r)),
    );
    expect(got).toEqual(outputs);
  });
});

describe('batch refusals', () => {
  test('an entry that does not start where the previous one ended: FRAME_LENGTH_MISMATCH at its offset', async () => {
    const { header, payload } = await tasksFrameText();
    header.tasks[1]!.offset = 1;
    const err = await frameErrorOf(decodeFrame(rawFrame(JSON.stringify(header), payload)));
    expect(err.code).toBe(ErrorCode.FrameLengthMismatch);
    expect(err.details?.field).toBe('tasks[1].offset');
  });

  test('entries that do not cover the payload: FRAME_LENGTH_MISMATCH at the list', async () => {
    const { header, payload } = await tasksFrameText();
    header.tasks[1]!.length = 2;
    const err = await frameErrorOf(decodeFrame(rawFrame(JSON.stringify(header), payload)));
    expect(err.code).toBe(ErrorCode.FrameLengthMismatch);
    expect(err.details?.field).toBe('tasks');
    // The encoder refuses the same header before hashing anything.
    const { v: _v, payloadLength: _l, payloadSha256: _s, ...input } = header;
    expect((await frameErrorOf(encodeFrame(input, payload))).code).toBe(ErrorCode.FrameLengthMismatch);
  });

  test("a task entry's bytes that differ from its sha256: FRAME_DIGEST_MISMATCH at that entry", async () => {
    const { header, payload } = await tasksFrameText();
    header.tasks[0]!.sha256 = header.tasks[1]!.sha256;
    const err = await frameErrorOf(decodeFrame(rawFrame(JSON.stringify(header), payload)));
    expect(err.code).toBe(ErrorCode.FrameDigestMismatch);
    expect(err.details?.field).toBe('tasks[0].sha256');
  });

  test('a result entry whose slice is not its output: length or digest mismatch at that entry', async () => {
    const output = new Uint8Array([9, 9]);
    const entry = {
      jobId: 'j',
      taskId: 't',
      replicaId: 'r',
      kind: 'k',
      seed: 0,
      resultDigest: await sha256Hex(new Uint8Array([9, 8])),
      outputLength: 2,
      elapsedMs: 0,
      offset: 0,
      length: 2,
    };
    const base = { v: 1, type: 'results', acks: [], failures: [], payloadLength: 2 };
    const payloadSha256 = await sha256Hex(output);
    const wrongDigest = { ...base, payloadSha256, results: [entry] };
    const err = await frameErrorOf(decodeFrame(rawFrame(JSON.stringify(wrongDigest), output)));
    expect([err.code, err.details?.field]).toEqual([
      ErrorCode.FrameDigestMismatch,
      'results[0].resultDigest',
    ]);
    const digestOnly = { ...base, payloadSha256, results: [{ ...entry, outputLength: 3 }] };
    const err2 = await frameErrorOf(decodeFrame(rawFrame(JSON.stringify(digestOnly), output)));
    expect([err2.code, err2.details?.field]).toEqual([ErrorCode.FrameLengthMismatch, 'results[0].length']);
  });

  test('more entries than MAX_BATCH_ENTRIES: FRAME_HEADER_INVALID at the list', async () => {
    const acks = Array.from({ length: MAX_BATCH_ENTRIES + 1 }, (_, i) => `a${i}`);
    const err = await frameErrorOf(encodeFrame({ type: 'results', acks, results: [], failures: [] }));
    expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameHeaderInvalid, 'acks']);
  });

  test('a header over the limit is refused from the prefix, before anything is parsed', async () => {
    const tooBig = new Uint8Array(MAX_HEADER_BYTES + 1).fill(0x20);
    const err = await frameErrorOf(decodeFrame(rawFrame(tooBig)));
    expect(err.code).toBe(ErrorCode.FrameHeaderTooLarge);
  });
});
