/** One explicit example per frame error code, and the field paths FrameHeaderInvalid reports. */

import { describe, expect, test } from 'bun:test';
import { ErrorCode } from '../../protocol/errors.ts';
import { decodeFrame, encodeFrame } from '../../protocol/frame.ts';
import { sha256Hex } from '../../protocol/hex.ts';
import type { FrameHeaderInput } from '../../protocol/messages.ts';
import { frameErrorOf, rawFrame } from './arbitraries.ts';

const EMPTY_SHA = await sha256Hex(new Uint8Array(0));
const pull = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, type: 'pull', max: 1, payloadLength: 0, payloadSha256: EMPTY_SHA, ...extra });
const valid = await encodeFrame({ type: 'ack', replicaId: 'r1' }, new Uint8Array([1, 2, 3]));

function patched(at: number, value: number): Uint8Array {
  const copy = valid.slice();
  copy[at] = value;
  return copy;
}

async function decodeCode(bytes: Uint8Array) {
  return (await frameErrorOf(decodeFrame(bytes))).code;
}

describe('one example per error code', () => {
  test('FRAME_TOO_SHORT: fewer than 14 bytes', async () => {
    expect(await decodeCode(valid.subarray(0, 13))).toBe(ErrorCode.FrameTooShort);
  });
  test('FRAME_BAD_MAGIC: not "SHMF"', async () => {
    expect(await decodeCode(patched(0, 0x58))).toBe(ErrorCode.FrameBadMagic);
  });
  test('FRAME_UNSUPPORTED_VERSION: version 2', async () => {
    expect(await decodeCode(patched(4, 2))).toBe(ErrorCode.FrameUnsupportedVersion);
  });
  test('FRAME_UNSUPPORTED_FLAGS: a reserved flag set', async () => {
    expect(await decodeCode(patched(5, 1))).toBe(ErrorCode.FrameUnsupportedFlags);
  });
  test('FRAME_HEADER_TOO_LARGE: header length over 16 KiB', async () => {
    const bytes = valid.slice();
    new DataView(bytes.buffer).setUint32(6, 16 * 1024 + 1);
    expect(await decodeCode(bytes)).toBe(ErrorCode.FrameHeaderTooLarge);
  });
  test('FRAME_PAYLOAD_TOO_LARGE: payload length over 32 MiB', async () => {
    const bytes = valid.slice();
    new DataView(bytes.buffer).setUint32(10, 32 * 1024 * 1024 + 1);
    expect(await decodeCode(bytes)).toBe(ErrorCode.FramePayloadTooLarge);
  });
  test('FRAME_HEADER_INVALID: header is not JSON', async () => {
    const err = await frameErrorOf(decodeFrame(rawFrame('{"v":1,')));
    expect(err.code).toBe(ErrorCode.FrameHeaderInvalid);
    expect(err.details).toMatchObject({ field: '$' });
  });
  test('FRAME_LENGTH_MISMATCH: one byte more than the prefix announces', async () => {
    const longer = new Uint8Array(valid.length + 1);
    longer.set(valid);
    expect(await decodeCode(longer)).toBe(ErrorCode.FrameLengthMismatch);
  });
  test('FRAME_LENGTH_MISMATCH: header payloadLength disagrees with the prefix', async () => {
    const err = await frameErrorOf(decodeFrame(rawFrame(pull({ payloadLength: 1 }))));
    expect(err.code).toBe(ErrorCode.FrameLengthMismatch);
    expect(err.details).toMatchObject({ field: 'payloadLength' });
  });
  test('FRAME_DIGEST_MISMATCH: payload changed after encoding', async () => {
    expect(await decodeCode(patched(valid.length - 1, 0))).toBe(ErrorCode.FrameDigestMismatch);
  });
  test('errors serialize to the wire shape with their stable code', async () => {
    const err = await frameErrorOf(decodeFrame(patched(0, 0)));
    expect(err.name).toBe('FrameError');
    expect(err.toJSON()).toMatchObject({ code: 'FRAME_BAD_MAGIC' });
  });
});

describe('result frames bind their payload to the declared output', () => {
  const result = (outputLength: number, resultDigest: string): FrameHeaderInput => ({
    type: 'result',
    jobId: 'j',
    taskId: 't',
    replicaId: 'r',
    kind: 'matmul-f32',
    seed: 7,
    resultDigest,
    outputLength,
    elapsedMs: 1.5,
  });
  const output = new Uint8Array([5, 6, 7, 8]);

  test('digest only (empty payload) is fine with any outputLength', async () => {
    const frame = await decodeFrame(await encodeFrame(result(1 << 20, EMPTY_SHA.replace('e', 'f'))));
    expect(frame.header).toMatchObject({ type: 'result', outputLength: 1 << 20 });
  });
  test('a payload whose length is not outputLength: FRAME_LENGTH_MISMATCH at outputLength', async () => {
    const err = await frameErrorOf(encodeFrame(result(5, await sha256Hex(output)), output));
    expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameLengthMismatch, 'outputLength']);
  });
  test('a payload whose digest is not resultDigest: FRAME_DIGEST_MISMATCH at resultDigest', async () => {
    const err = await frameErrorOf(encodeFrame(result(4, EMPTY_SHA), output));
    expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameDigestMismatch, 'resultDigest']);
    // and the same when a hand-made frame arrives
    const header = {
      ...result(4, EMPTY_SHA),
      v: 1,
      payloadLength: 4,
      payloadSha256: await sha256Hex(output),
    };
    const decoded = await frameErrorOf(decodeFrame(rawFrame(JSON.stringify(header), output)));
    expect([decoded.code, decoded.details?.field]).toEqual([ErrorCode.FrameDigestMismatch, 'resultDigest']);
  });
});

describe('FRAME_HEADER_INVALID names the offending field', () => {
  const hello = {
    type: 'hello',
    workerId: 'peer:12D3KooW',
    capabilities: {
      kinds: ['matmul-f32'],
      cores: 2,
      maxConcurrent: 1,
      adapter: { vendor: 'google', architecture: 'swiftshader', description: '', isFallback: true },
    },
    userAgent: 'bun',
  };
  const task = {
    type: 'task',
    jobId: 'j1',
    taskId: 't1',
    replicaId: 'r1',
    kind: 'matmul-f32',
    seed: 0,
    attempt: 1,
    leaseExpiresAt: 1_700_000_000_000,
    params: {},
  };
  const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });
  const cyclic: Record<string, unknown> = {};
  const sparse: number[] = [1];
  sparse[2] = 3;
  cyclic.self = cyclic;

  const cases: [string, unknown, string][] = [
    ['missing type', { max: 1 }, 'type'],
    ['unknown type', { type: 'shutdown' }, 'type'],
    ['unknown field', { type: 'pull', max: 1, extra: true }, 'extra'],
    ['__proto__ as a field', JSON.parse('{"type":"pull","max":1,"__proto__":{}}'), '__proto__'],
    ['missing field', { type: 'pull' }, 'max'],
    ['pull max 0', { type: 'pull', max: 0 }, 'max'],
    ['pull max 65', { type: 'pull', max: 65 }, 'max'],
    ['bad id', { type: 'ack', replicaId: 'has space' }, 'replicaId'],
    ['id over 128 chars', { type: 'ack', replicaId: 'x'.repeat(129) }, 'replicaId'],
    ['nested type', { ...hello, capabilities: { ...hello.capabilities, cores: 0 } }, 'capabilities.cores'],
    [
      'nested deeper',
      {
        ...hello,
        capabilities: { ...hello.capabilities, adapter: { ...hello.capabilities.adapter, vendor: 1 } },
      },
      'capabilities.adapter.vendor',
    ],
    [
      'nested unknown field',
      { ...hello, capabilities: { ...hello.capabilities, gpu: 1 } },
      'capabilities.gpu',
    ],
    [
      'array item',
      { ...hello, capabilities: { ...hello.capabilities, kinds: ['ok', ''] } },
      'capabilities.kinds[1]',
    ],
    ['heartbeat item', { type: 'heartbeat', replicaIds: ['a', 'b', 'c d'] }, 'replicaIds[2]'],
    ['seed above u32', { ...task, seed: 2 ** 32 }, 'seed'],
    ['negative seed', { ...task, seed: -1 }, 'seed'],
    ['fractional seed', { ...task, seed: 1.5 }, 'seed'],
    ['attempt 0', { ...task, attempt: 0 }, 'attempt'],
    ['params not an object', { ...task, params: [] }, 'params'],
    ['params too deep', { ...task, params: { x: deep(70) } }, `params.x${'.a'.repeat(64)}`],
    ['params cyclic', { ...task, params: cyclic }, `params${'.self'.repeat(65)}`],
    [
      'failure error.code',
      { type: 'failure', jobId: 'j', taskId: 't', replicaId: 'r', error: { code: 1 } },
      'error.code',
    ],
    ['refusal bad replicaId', { type: 'refusal', replicaId: '', code: 'X', message: '' }, 'replicaId'],
  ];

  for (const [name, header, field] of cases) {
    test(`${name} -> ${field.length > 40 ? `${field.slice(0, 40)}...` : field}`, async () => {
      const err = await frameErrorOf(encodeFrame(header as FrameHeaderInput));
      expect(err.code).toBe(ErrorCode.FrameHeaderInvalid);
      expect(err.details?.field).toBe(field);
    });
  }

  test('values JSON cannot carry unchanged are refused on encode, not silently dropped', async () => {
    for (const [value, field] of [
      [{ n: Number.NaN }, 'params.n'],
      [{ b: 1n }, 'params.b'],
      [{ d: new Date(0) }, 'params.d'],
      [{ u: undefined }, 'params.u'],
      [{ f: () => 1 }, 'params.f'],
      [{ a: sparse }, 'params.a[1]'],
    ] as const) {
      const err = await frameErrorOf(encodeFrame({ ...task, params: value } as unknown as FrameHeaderInput));
      expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameHeaderInvalid, field]);
    }
  });

  test('header bytes that are not UTF-8, or start with a BOM, are refused at $', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(pull())]);
    for (const bytes of [new Uint8Array([0x7b, 0xff, 0x7d]), bom]) {
      const err = await frameErrorOf(decodeFrame(rawFrame(bytes)));
      expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameHeaderInvalid, '$']);
    }
  });

  test('a header that is JSON but not an object is refused at $', async () => {
    for (const text of ['["pull"]', 'null', '"pull"', '42']) {
      const err = await frameErrorOf(decodeFrame(rawFrame(text)));
      expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameHeaderInvalid, '$']);
    }
  });

  test('header v other than 1 is refused at v', async () => {
    const err = await frameErrorOf(decodeFrame(rawFrame(pull({ v: 2 }))));
    expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameHeaderInvalid, 'v']);
  });

  test('a payloadSha256 that is not lowercase hex is refused at payloadSha256', async () => {
    const err = await frameErrorOf(decodeFrame(rawFrame(pull({ payloadSha256: EMPTY_SHA.toUpperCase() }))));
    expect([err.code, err.details?.field]).toEqual([ErrorCode.FrameHeaderInvalid, 'payloadSha256']);
  });
});
