/** fast-check generators for valid frame headers and helpers shared by the protocol tests. */

import fc from 'fast-check';
import { FrameError } from '../../protocol/errors.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import { MAX_PULL } from '../../protocol/limits.ts';
import type { FrameHeaderInput, JsonObject } from '../../protocol/messages.ts';

export const idArb = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/);
const shortIdArb = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,24}$/);
const u32Arb = fc.integer({ min: 0, max: 0xffff_ffff });
const positiveArb = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const hexArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
/** Any UTF-16 string, lone surrogates included (JSON escapes them and gives them back). */
const textArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
);
export const jsonObjectArb: fc.Arbitrary<JsonObject> = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonObject[string]>,
  { maxKeys: 4, noNullPrototype: true },
);

const adapterArb = fc.option(
  fc.record({ vendor: textArb, architecture: textArb, description: textArb, isFallback: fc.boolean() }),
);

export const headerArbs = {
  hello: fc.record({
    type: fc.constant('hello' as const),
    workerId: idArb,
    capabilities: fc.record({
      kinds: fc.array(idArb, { maxLength: 5 }),
      cores: positiveArb,
      maxConcurrent: positiveArb,
      adapter: adapterArb,
    }),
    userAgent: textArb,
  }),
  welcome: fc.record({
    type: fc.constant('welcome' as const),
    orchestratorId: idArb,
    leaseMs: positiveArb,
    heartbeatMs: positiveArb,
    maxPayloadBytes: fc.integer({ min: 1, max: 32 * 1024 * 1024 }),
  }),
  task: fc.record(
    {
      type: fc.constant('task' as const),
      jobId: idArb,
      taskId: idArb,
      replicaId: idArb,
      kind: idArb,
      seed: u32Arb,
      attempt: positiveArb,
      leaseExpiresAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      params: jsonObjectArb,
      proof: fc.record({ circuit: idArb, nonce: idArb }),
    },
    {
      requiredKeys: [
        'type',
        'jobId',
        'taskId',
        'replicaId',
        'kind',
        'seed',
        'attempt',
        'leaseExpiresAt',
        'params',
      ],
    },
  ),
  ack: fc.record({ type: fc.constant('ack' as const), replicaId: idArb }),
  heartbeat: fc.record({
    type: fc.constant('heartbeat' as const),
    replicaIds: fc.array(shortIdArb, { maxLength: 100 }),
  }),
  result: fc.record(
    {
      type: fc.constant('result' as const),
      jobId: idArb,
      taskId: idArb,
      replicaId: idArb,
      kind: idArb,
      seed: u32Arb,
      resultDigest: hexArb,
      outputLength: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      elapsedMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
      proof: jsonObjectArb,
    },
    {
      requiredKeys: [
        'type',
        'jobId',
        'taskId',
        'replicaId',
        'kind',
        'seed',
        'resultDigest',
        'outputLength',
        'elapsedMs',
      ],
    },
  ),
  failure: fc.record({
    type: fc.constant('failure' as const),
    jobId: idArb,
    taskId: idArb,
    replicaId: idArb,
    error: fc.record({ code: textArb, message: textArb }),
  }),
  refusal: fc.record(
    { type: fc.constant('refusal' as const), replicaId: idArb, code: textArb, message: textArb },
    { requiredKeys: ['type', 'code', 'message'] },
  ),
  pull: fc.record({ type: fc.constant('pull' as const), max: fc.integer({ min: 1, max: MAX_PULL }) }),
  // Slices and entry digests are placeholders: bindPayload lays the payload out over the entries.
  tasks: fc.record({
    type: fc.constant('tasks' as const),
    tasks: fc.array(
      fc.record({
        jobId: shortIdArb,
        taskId: shortIdArb,
        replicaId: shortIdArb,
        kind: shortIdArb,
        seed: u32Arb,
        attempt: positiveArb,
        leaseExpiresAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        params: jsonObjectArb,
        offset: fc.constant(0),
        length: fc.constant(0),
        sha256: fc.constant(EMPTY_SHA256),
      }),
      { maxLength: 4 },
    ),
  }),
  results: fc.record({
    type: fc.constant('results' as const),
    acks: fc.array(shortIdArb, { maxLength: 4 }),
    results: fc.array(
      fc.record({
        jobId: shortIdArb,
        taskId: shortIdArb,
        replicaId: shortIdArb,
        kind: shortIdArb,
        seed: u32Arb,
        resultDigest: fc.constant(EMPTY_SHA256),
        outputLength: fc.constant(0),
        elapsedMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
        offset: fc.constant(0),
        length: fc.constant(0),
      }),
      { maxLength: 4 },
    ),
    failures: fc.array(
      fc.record({
        jobId: shortIdArb,
        taskId: shortIdArb,
        replicaId: shortIdArb,
        error: fc.record({ code: textArb, message: textArb }),
      }),
      { maxLength: 3 },
    ),
  }),
} satisfies { [T in FrameHeaderInput['type']]: fc.Arbitrary<Extract<FrameHeaderInput, { type: T }>> };

export const anyHeaderArb: fc.Arbitrary<FrameHeaderInput> = fc.oneof(...Object.values(headerArbs));

export const payloadArb = fc.uint8Array({ maxLength: 2048 });

/**
 * A valid (header, payload) pair. A result payload, when not empty, must be the output itself, so
 * half of the results carry their output (length and digest bound), half are digest-only.
 */
export async function bindPayload(
  header: FrameHeaderInput,
  payload: Uint8Array,
  withOutput: boolean,
): Promise<[FrameHeaderInput, Uint8Array]> {
  if (header.type === 'tasks' || header.type === 'results') return layOut(header, payload);
  if (header.type !== 'result') return [header, payload];
  if (!withOutput || payload.length === 0) return [header, new Uint8Array(0)];
  return [{ ...header, outputLength: payload.length, resultDigest: await sha256Hex(payload) }, payload];
}

/**
 * Splits `payload` over a batch's entries (in order, uneven cuts) and fills in their slices and
 * digests. With no sliced entries the payload must be empty.
 */
async function layOut(
  header: Extract<FrameHeaderInput, { type: 'tasks' | 'results' }>,
  payload: Uint8Array,
): Promise<[FrameHeaderInput, Uint8Array]> {
  const count = header.type === 'tasks' ? header.tasks.length : header.results.length;
  if (count === 0) return [header, new Uint8Array(0)];
  const cuts = Array.from({ length: count }, (_, i) =>
    i === count - 1 ? payload.length : Math.floor((payload.length * (i + 1) * (i + 1)) / (count * count)),
  );
  const slices = await Promise.all(
    cuts.map(async (end, i) => {
      const offset = i === 0 ? 0 : (cuts[i - 1] as number);
      const bytes = payload.subarray(offset, end);
      return { offset, length: bytes.length, digest: await sha256Hex(bytes) };
    }),
  );
  if (header.type === 'tasks') {
    const tasks = header.tasks.map((t, i) => {
      const { offset, length, digest } = slices[i] as (typeof slices)[number];
      return { ...t, offset, length, sha256: digest };
    });
    return [{ ...header, tasks }, payload];
  }
  const results = header.results.map((r, i) => {
    const { offset, length, digest } = slices[i] as (typeof slices)[number];
    return { ...r, offset, length, outputLength: length, resultDigest: digest };
  });
  return [{ ...header, results }, payload];
}

/** Awaits `work` and returns the FrameError it rejects with; fails the test on anything else. */
export async function frameErrorOf(work: Promise<unknown>): Promise<FrameError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof FrameError) return err;
    throw new Error(`expected a FrameError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a FrameError, but the call succeeded');
}

/** Writes a frame by hand (valid prefix and lengths), so tests can send headers encodeFrame refuses. */
export function rawFrame(headerText: string | Uint8Array, payload = new Uint8Array(0)): Uint8Array {
  const header = typeof headerText === 'string' ? new TextEncoder().encode(headerText) : headerText;
  const out = new Uint8Array(14 + header.length + payload.length);
  out.set([0x53, 0x48, 0x4d, 0x46, 1, 0], 0);
  const view = new DataView(out.buffer);
  view.setUint32(6, header.length);
  view.setUint32(10, payload.length);
  out.set(header, 14);
  out.set(payload, 14 + header.length);
  return out;
}
