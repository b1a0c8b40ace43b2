/**
 * Hard limits of the frame codec. Decoders may lower the payload limit per connection, never raise
 * it: every size is checked against these before anything is allocated or hashed.
 */

/** Fixed binary prefix: magic (4) + version (1) + flags (1) + header length (4) + payload length (4). */
export const FRAME_PREFIX_BYTES = 14;

/** ASCII "SHMF", big-endian in bytes 0-3. */
export const FRAME_MAGIC = new Uint8Array([0x53, 0x48, 0x4d, 0x46]);

/** Binary format version (byte 4) and JSON header `v`; both are 1 for now. */
export const FRAME_VERSION = 1;

/** Largest JSON header accepted: 16 KiB. Headers carry ids and small params, never data. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Largest payload accepted: 32 MiB (one task input or output). */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

/** Largest whole frame: prefix plus both limits. */
export const MAX_FRAME_BYTES = FRAME_PREFIX_BYTES + MAX_HEADER_BYTES + MAX_PAYLOAD_BYTES;

/** Most replica ids in one heartbeat (the 16 KiB header limit usually binds first: chunk). */
export const MAX_HEARTBEAT_REPLICAS = 1024;

/** Most leases one `pull` may ask for. */
export const MAX_PULL = 64;

/** Deepest nesting accepted inside opaque JSON fields (`params`, `proof`). */
export const MAX_JSON_DEPTH = 64;

/**
 * Most entries in one batch frame (`tasks`: leases; `results`: acks, results and failures each).
 * The 16 KiB header limit usually binds first: senders split batches (protocol/batch.ts).
 */
export const MAX_BATCH_ENTRIES = 64;
