/**
 * Wire format of a researcher-supplied WGSL task:
 *
 *   u32 headerBytes | header (UTF-8 JSON, see CustomHeader) | zero padding to a multiple of 4 |
 *   input 0 bytes | padding to 4 | input 1 bytes | padding to 4 | ...
 *
 * Inputs are bound as `var<storage, read>` buffers at their declared bindings in @group(0); the
 * output is one `var<storage, read_write>` buffer, zero-filled before the dispatch, returned as is.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';

export interface CustomBinding {
  readonly binding: number;
  readonly byteLength: number;
}

export interface CustomHeader {
  readonly wgsl: string;
  readonly entryPoint: string;
  /** Must equal the shader's literal @workgroup_size. */
  readonly workgroupSize: readonly number[];
  /** Workgroup counts (x, y?, z?) for dispatchWorkgroups. */
  readonly dispatch: readonly number[];
  readonly inputs: readonly CustomBinding[];
  readonly output: CustomBinding;
  /** Wall-clock limit for the dispatch; capped at CUSTOM_MAX_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

export interface CustomInput {
  readonly header: CustomHeader;
  /** One entry per header.inputs entry, same order. */
  readonly inputs: readonly Uint8Array[];
}

export const CUSTOM_LIMITS = {
  maxWgslBytes: 64 * 1024,
  maxHeaderBytes: 128 * 1024,
  maxInputs: 7, // WebGPU default: 8 storage buffers per stage, one is the output
  maxBufferBytes: 64 * 1024 * 1024,
  maxTotalInputBytes: 128 * 1024 * 1024,
  maxBinding: 15,
  maxWorkgroupsPerDim: 65535, // WebGPU default maxComputeWorkgroupsPerDimension
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 60_000,
} as const;

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

export function encodeCustomPayload(input: CustomInput): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(input.header));
  const total = 4 + pad4(header.length) + input.inputs.reduce((sum, b) => sum + pad4(b.length), 0);
  const bytes = new Uint8Array(total);
  new DataView(bytes.buffer).setUint32(0, header.length, true);
  bytes.set(header, 4);
  let offset = 4 + pad4(header.length);
  for (const data of input.inputs) {
    bytes.set(data, offset);
    offset += pad4(data.length);
  }
  return bytes;
}

export function decodeCustomPayload(bytes: Uint8Array): CustomInput {
  if (bytes.length < 4) fail('custom payload shorter than its header length');
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (headerBytes > CUSTOM_LIMITS.maxHeaderBytes || 4 + headerBytes > bytes.length) {
    fail(`custom header length ${headerBytes} is out of range`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + headerBytes)));
  } catch (err) {
    fail(`custom header is not UTF-8 JSON: ${String(err)}`);
  }
  const header = parseHeader(raw);
  const inputs: Uint8Array[] = [];
  let offset = 4 + pad4(headerBytes);
  for (const decl of header.inputs) {
    if (offset + decl.byteLength > bytes.length)
      fail(`input at binding ${decl.binding} runs past the payload`);
    inputs.push(bytes.subarray(offset, offset + decl.byteLength));
    offset += pad4(decl.byteLength);
  }
  if (offset !== bytes.length) fail(`custom payload is ${bytes.length} bytes, header implies ${offset}`);
  return { header, inputs };
}

function fail(message: string, field?: string): never {
  throw new WorkerTaskError(ErrorCode.PreprocessFailed, message, field === undefined ? undefined : { field });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function intIn(v: unknown, min: number, max: number, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${field} must be an integer in ${min}..${max}`, field);
  }
  return v;
}

function dims(v: unknown, max: number, field: string): number[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > 3) fail(`${field} must list 1 to 3 sizes`, field);
  return v.map((x, i) => intIn(x, 1, max, `${field}[${i}]`));
}

function binding(v: unknown, field: string): CustomBinding {
  if (!isObject(v)) fail(`${field} must be an object`, field);
  const byteLength = intIn(v.byteLength, 4, CUSTOM_LIMITS.maxBufferBytes, `${field}.byteLength`);
  if (byteLength % 4 !== 0) fail(`${field}.byteLength must be a multiple of 4`, `${field}.byteLength`);
  return { binding: intIn(v.binding, 0, CUSTOM_LIMITS.maxBinding, `${field}.binding`), byteLength };
}

function parseHeader(raw: unknown): CustomHeader {
  if (!isObject(raw)) fail('custom header must be a JSON object');
  if (typeof raw.wgsl !== 'string' || raw.wgsl.length === 0) fail('wgsl must be a non-empty string', 'wgsl');
  if (new TextEncoder().encode(raw.wgsl).length > CUSTOM_LIMITS.maxWgslBytes) {
    fail(`wgsl exceeds ${CUSTOM_LIMITS.maxWgslBytes} bytes`, 'wgsl');
  }
  if (typeof raw.entryPoint !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.entryPoint)) {
    fail('entryPoint must be a WGSL identifier', 'entryPoint');
  }
  if (!Array.isArray(raw.inputs) || raw.inputs.length > CUSTOM_LIMITS.maxInputs) {
    fail(`inputs must be an array of at most ${CUSTOM_LIMITS.maxInputs} bindings`, 'inputs');
  }
  const inputs = raw.inputs.map((b, i) => binding(b, `inputs[${i}]`));
  const output = binding(raw.output, 'output');
  const seen = new Set<number>();
  for (const b of [...inputs, output]) {
    if (seen.has(b.binding)) fail(`binding ${b.binding} is declared twice`, 'inputs');
    seen.add(b.binding);
  }
  if (inputs.reduce((s, b) => s + b.byteLength, 0) > CUSTOM_LIMITS.maxTotalInputBytes) {
    fail(`inputs exceed ${CUSTOM_LIMITS.maxTotalInputBytes} bytes in total`, 'inputs');
  }
  const timeoutMs =
    raw.timeoutMs === undefined
      ? undefined
      : intIn(raw.timeoutMs, 1, CUSTOM_LIMITS.maxTimeoutMs, 'timeoutMs');
  return {
    wgsl: raw.wgsl,
    entryPoint: raw.entryPoint,
    workgroupSize: dims(raw.workgroupSize, 1024, 'workgroupSize'),
    dispatch: dims(raw.dispatch, CUSTOM_LIMITS.maxWorkgroupsPerDim, 'dispatch'),
    inputs,
    output,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}
