/**
 * Strict validation of frame headers. Hand-written combinators (no dependency, runs in every
 * runtime) that report the exact path of the first offending field in FrameError.details.field,
 * e.g. `capabilities.adapter.vendor` or `replicaIds[3]`; `$` stands for the header as a whole.
 * Unknown types and unknown fields are rejected, so a header decodes to exactly one known shape.
 */

import { ErrorCode, FrameError } from './errors.ts';
import { SHA256_HEX_PATTERN } from './hex.ts';
import {
  MAX_BATCH_ENTRIES,
  MAX_HEARTBEAT_REPLICAS,
  MAX_JSON_DEPTH,
  MAX_PAYLOAD_BYTES,
  MAX_PULL,
} from './limits.ts';
import type { FrameHeader, FrameType, HeaderOf, JsonObject, JsonValue } from './messages.ts';

/** Ids (worker, job, task, replica, orchestrator; libp2p peer ids fit) and task kind strings. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

const U32_MAX = 0xffff_ffff;
const ROOT = '$';

type Check<T> = (value: unknown, path: string) => T;
interface Optional<T> {
  readonly optional: Check<T>;
}
type Shape = Record<string, Check<unknown> | Optional<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] };
type Out<S extends Shape> = Simplify<
  {
    [K in keyof S as S[K] extends Optional<unknown> ? never : K]: S[K] extends Check<infer T> ? T : never;
  } & {
    [K in keyof S as S[K] extends Optional<unknown> ? K : never]?: S[K] extends Optional<infer T> ? T : never;
  }
>;

function fail(field: string, reason: string): never {
  throw new FrameError(ErrorCode.FrameHeaderInvalid, `invalid frame header at ${field}: ${reason}`, {
    field,
    reason,
  });
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const string: Check<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'expected a string'));
const boolean: Check<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'expected a boolean'));
const id: Check<string> = (v, p) =>
  typeof v === 'string' && ID_PATTERN.test(v) ? v : fail(p, `expected a string matching ${ID_PATTERN}`);
const sha256: Check<string> = (v, p) =>
  typeof v === 'string' && SHA256_HEX_PATTERN.test(v) ? v : fail(p, 'expected lowercase hex SHA-256');

function literal<T extends string | number>(expected: T): Check<T> {
  return (v, p) => (v === expected ? expected : fail(p, `expected ${JSON.stringify(expected)}`));
}

function int(min: number, max: number): Check<number> {
  return (v, p) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? (v as number)
      : fail(p, `expected an integer in ${min}..${max}`);
}

function finiteAtLeast(min: number): Check<number> {
  return (v, p) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fail(p, `expected a number >= ${min}`);
}

function arrayOf<T>(item: Check<T>, maxItems: number): Check<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) fail(p, 'expected an array');
    if (v.length > maxItems) fail(p, `expected at most ${maxItems} items`);
    return Array.from(v, (x, i) => item(x, `${p}[${i}]`));
  };
}

function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, p) => (v === null ? null : check(v, p));
}

/** Absent (or undefined, which JSON drops anyway) is allowed. */
function optional<T>(check: Check<T>): Optional<T> {
  return { optional: check };
}

function object<S extends Shape>(shape: S): Check<Out<S>> {
  return (v, p) => {
    if (!isPlainObject(v)) fail(p === '' ? ROOT : p, 'expected an object');
    for (const key of Object.keys(v)) if (!Object.hasOwn(shape, key)) fail(join(p, key), 'unknown field');
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const path = join(p, key);
      if (typeof field === 'function') {
        if (!Object.hasOwn(v, key)) fail(path, 'missing');
        out[key] = field(v[key], path);
      } else if (v[key] !== undefined) {
        out[key] = field.optional(v[key], path);
      }
    }
    return out as Out<S>;
  };
}

/** Opaque JSON (params, proof): only values JSON gives back unchanged, bounded depth. */
function jsonValue(v: unknown, p: string, depth: number): JsonValue {
  if (depth > MAX_JSON_DEPTH) fail(p, `nested deeper than ${MAX_JSON_DEPTH}`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : fail(p, 'expected a finite number');
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) jsonValue(v[i], `${p}[${i}]`, depth + 1);
    return v as JsonValue[];
  }
  if (isPlainObject(v)) {
    for (const [key, x] of Object.entries(v)) jsonValue(x, join(p, key), depth + 1);
    return v as JsonObject;
  }
  return fail(p, 'expected a JSON value');
}

const jsonObject: Check<JsonObject> = (v, p) =>
  isPlainObject(v) ? (jsonValue(v, p, 0) as JsonObject) : fail(p, 'expected a JSON object');

const u32 = int(0, U32_MAX);
const positive = int(1, Number.MAX_SAFE_INTEGER);
const nonNegative = int(0, Number.MAX_SAFE_INTEGER);

function header<T extends FrameType, S extends Shape>(type: T, shape: S) {
  return object({
    v: literal(1),
    type: literal(type),
    payloadLength: int(0, MAX_PAYLOAD_BYTES),
    payloadSha256: sha256,
    ...shape,
  });
}

const adapter = object({ vendor: string, architecture: string, description: string, isFallback: boolean });
const capabilities = object({
  kinds: arrayOf(id, 64),
  cores: positive,
  maxConcurrent: positive,
  adapter: nullable(adapter),
  limits: optional(object({ timeoutMs: positive, maxPayloadBytes: positive, maxOutputBytes: positive })),
});

const taskFields = {
  jobId: id,
  taskId: id,
  replicaId: id,
  kind: id,
  seed: u32,
  attempt: positive,
  leaseExpiresAt: nonNegative,
  params: jsonObject,
  proof: optional(object({ circuit: id, nonce: id })),
};
const resultFields = {
  jobId: id,
  taskId: id,
  replicaId: id,
  kind: id,
  seed: u32,
  resultDigest: sha256,
  outputLength: nonNegative,
  elapsedMs: finiteAtLeast(0),
};
const failureFields = {
  jobId: id,
  taskId: id,
  replicaId: id,
  error: object({ code: string, message: string }),
};
/** Place of an entry's bytes in a batch payload; protocol/batch.ts checks they tile it. */
const slice = { offset: int(0, MAX_PAYLOAD_BYTES), length: int(0, MAX_PAYLOAD_BYTES) };

const schemas = {
  hello: header('hello', { workerId: id, capabilities, userAgent: string, batchFrames: optional(boolean) }),
  welcome: header('welcome', {
    orchestratorId: id,
    leaseMs: positive,
    heartbeatMs: positive,
    maxPayloadBytes: int(1, MAX_PAYLOAD_BYTES),
    batchFrames: optional(boolean),
  }),
  task: header('task', taskFields),
  ack: header('ack', { replicaId: id }),
  heartbeat: header('heartbeat', { replicaIds: arrayOf(id, MAX_HEARTBEAT_REPLICAS) }),
  result: header('result', { ...resultFields, proof: optional(jsonObject) }),
  failure: header('failure', failureFields),
  refusal: header('refusal', { replicaId: optional(id), code: string, message: string }),
  pull: header('pull', { max: int(1, MAX_PULL) }),
  tasks: header('tasks', {
    tasks: arrayOf(object({ ...taskFields, ...slice, sha256 }), MAX_BATCH_ENTRIES),
  }),
  results: header('results', {
    acks: arrayOf(id, MAX_BATCH_ENTRIES),
    results: arrayOf(object({ ...resultFields, ...slice }), MAX_BATCH_ENTRIES),
    failures: arrayOf(object(failureFields), MAX_BATCH_ENTRIES),
  }),
} satisfies { [T in FrameType]: Check<HeaderOf<T>> };

// The other direction: every declared header type is producible by its schema (no field the
// schema lacks or types more loosely). `satisfies` above covers schema -> type.
type Produced<T extends FrameType> = ReturnType<(typeof schemas)[T]>;
type Exact = { [T in FrameType]: HeaderOf<T> extends Produced<T> ? true : false }[FrameType];
const exact: Exact = true;
void exact;

/** Validate a parsed header; returns a fresh object holding only the declared fields. */
export function validateFrameHeader(value: unknown): FrameHeader {
  if (!isPlainObject(value)) fail(ROOT, 'expected a JSON object');
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(schemas, type)) fail('type', 'unknown frame type');
  return schemas[type as FrameType](value, '') as FrameHeader;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 JSON bytes -> validated header. A BOM, bad UTF-8 or bad JSON is FrameHeaderInvalid at `$`. */
export function parseFrameHeader(bytes: Uint8Array): FrameHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch {
    fail(ROOT, 'not UTF-8 JSON');
  }
  return validateFrameHeader(parsed);
}
