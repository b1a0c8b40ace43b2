/**
 * Errors across the engine thread's boundary. Structured clone drops an Error's class, so a
 * refusal's code and details would reach the worker as a bare Error: they travel as data and
 * come back as the same typed error (same class name, code, message and details).
 */
import {
  EngineError,
  type ErrorCode,
  FrameError,
  RequestError,
  ShardmeshError,
} from '../../protocol/errors.ts';
import type { WireError } from './protocol.ts';

export function toWire(err: unknown): WireError {
  if (err instanceof ShardmeshError) {
    return {
      name: err.name,
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: { ...err.details } }),
    };
  }
  return err instanceof Error
    ? { name: err.name, message: err.message }
    : { name: 'Error', message: String(err) };
}

const TYPED = { EngineError, RequestError, FrameError, ShardmeshError } as const;

export function fromWire(wire: WireError): Error {
  if (wire.code === undefined) {
    const err = new Error(wire.message);
    err.name = wire.name;
    return err;
  }
  const Typed = TYPED[wire.name as keyof typeof TYPED] ?? ShardmeshError;
  return new Typed(wire.code as ErrorCode, wire.message, wire.details);
}
