/**
 * Wire format of a Monte Carlo (pi) task payload, all u32 little-endian:
 *
 *   u32 seed | u32 invocations | u32 samplesPerInvocation
 *
 * Output: u64 hits | u64 samples, little-endian (16 bytes). pi ~= 4 * hits / samples.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';

export interface MontecarloInput {
  readonly seed: number;
  readonly invocations: number;
  readonly samplesPerInvocation: number;
}

export interface MontecarloOutput {
  /** Points inside the quarter circle; exact integer (< 2^53). */
  readonly hits: number;
  readonly samples: number;
}

export const MONTECARLO_PAYLOAD_BYTES = 12;
/** 2^20 invocations x 2^12 samples: at most 2^32 samples, seconds on a GPU, minutes on the CPU path. */
export const MONTECARLO_MAX_INVOCATIONS = 1 << 20;
export const MONTECARLO_MAX_SAMPLES = 1 << 12;

export function encodeMontecarloPayload(input: MontecarloInput): Uint8Array {
  check(input);
  const bytes = new Uint8Array(MONTECARLO_PAYLOAD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, input.seed, true);
  view.setUint32(4, input.invocations, true);
  view.setUint32(8, input.samplesPerInvocation, true);
  return bytes;
}

export function decodeMontecarloPayload(bytes: Uint8Array): MontecarloInput {
  if (bytes.length !== MONTECARLO_PAYLOAD_BYTES) {
    throw new WorkerTaskError(
      ErrorCode.PreprocessFailed,
      `montecarlo payload is ${bytes.length} bytes, expected ${MONTECARLO_PAYLOAD_BYTES}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const input = {
    seed: view.getUint32(0, true),
    invocations: view.getUint32(4, true),
    samplesPerInvocation: view.getUint32(8, true),
  };
  check(input);
  return input;
}

export function montecarloOutputBytes(out: MontecarloOutput): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(out.hits), true);
  view.setBigUint64(8, BigInt(out.samples), true);
  return bytes;
}

function check(input: MontecarloInput): void {
  if (!Number.isInteger(input.seed) || input.seed < 0 || input.seed > 0xffffffff) {
    throw new WorkerTaskError(ErrorCode.PreprocessFailed, `montecarlo seed ${input.seed} is not a u32`);
  }
  for (const [name, v, max] of [
    ['invocations', input.invocations, MONTECARLO_MAX_INVOCATIONS],
    ['samplesPerInvocation', input.samplesPerInvocation, MONTECARLO_MAX_SAMPLES],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new WorkerTaskError(
        ErrorCode.PreprocessFailed,
        `montecarlo ${name}=${v} out of range 1..${max}`,
        {
          field: name,
        },
      );
    }
  }
}
