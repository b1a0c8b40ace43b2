/** Public surface of protocol/: what the orchestrator and every worker import. Web-standard APIs only. */

export {
  type BatchFrame,
  buildResultsFrames,
  buildTasksFrames,
  entryBytes,
  type ResultsBatch,
} from './batch.ts';
export * from './errors.ts';
export {
  type DecodeFrameOptions,
  decodeFrame,
  type EncodeFrameOptions,
  encodeFrame,
  type FramePrefix,
  peekFrameLength,
  readFramePrefix,
} from './frame.ts';
export { isSha256Hex, SHA256_HEX_PATTERN, sha256Hex, toHex } from './hex.ts';
export * from './limits.ts';
export * from './messages.ts';
export { isTaskKind, TASK_KINDS, TaskKind } from './task-kinds.ts';
export { ID_PATTERN, parseFrameHeader, validateFrameHeader } from './validate-header.ts';
