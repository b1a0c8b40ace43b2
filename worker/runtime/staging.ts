/**
 * How a task payload reaches the CPU thread without being copied again on the way:
 * - 'shared': one copy into a SharedArrayBuffer that both threads read (Bun; browsers only when
 *   crossOriginIsolated). The frame's bytes can stay where they are: nothing is detached.
 * - 'copy': one copy into a fresh ArrayBuffer that is transferred (moved, not cloned).
 * - 'opfs': large payloads are written to the Origin Private File System with a synchronous
 *   access handle (dedicated workers only) and the CPU thread reads them from there, so a big
 *   input never sits in a postMessage queue nor twice in memory while it waits for a thread.
 */

export type StagedPayload =
  | { type: 'shared'; buffer: SharedArrayBuffer; byteLength: number }
  | { type: 'copy'; buffer: ArrayBuffer; byteLength: number }
  | { type: 'opfs'; dir: string; name: string; byteLength: number };

export interface Staged {
  readonly payload: StagedPayload;
  /** Buffers to move with postMessage. */
  readonly transfer: Transferable[];
  /** Deletes whatever staging left behind (OPFS files); safe to call twice. */
  release(): Promise<void>;
}

export interface PayloadStager {
  stage(id: string, bytes: Uint8Array, opts?: { signal?: AbortSignal }): Promise<Staged>;
}

const noop = async (): Promise<void> => {};

function sharedMemoryUsable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  // Browsers expose SharedArrayBuffer to postMessage only in cross-origin-isolated contexts.
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

/** Stages in memory: SharedArrayBuffer when usable, otherwise a transferred copy. */
export const memoryStager: PayloadStager = {
  async stage(_id, bytes) {
    if (sharedMemoryUsable()) {
      const buffer = new SharedArrayBuffer(bytes.byteLength);
      new Uint8Array(buffer).set(bytes);
      return {
        payload: { type: 'shared', buffer, byteLength: bytes.byteLength },
        transfer: [],
        release: noop,
      };
    }
    const buffer = bytes.slice().buffer as ArrayBuffer;
    return {
      payload: { type: 'copy', buffer, byteLength: bytes.byteLength },
      transfer: [buffer],
      release: noop,
    };
  },
};

export interface OpfsStagerOptions {
  /** Payloads of at least this many bytes go to OPFS; smaller ones stay in memory. */
  thresholdBytes: number;
  /** Directory under the OPFS root. Default 'shardmesh-staging'. */
  dir?: string;
  /** Told once when OPFS is unusable and staging falls back to memory. */
  log?: (line: string) => void;
}

export const OPFS_STAGING_DIR = 'shardmesh-staging';

/** OPFS for large payloads (dedicated workers only: createSyncAccessHandle), memory otherwise. */
export function opfsStager(opts: OpfsStagerOptions): PayloadStager {
  const dirName = opts.dir ?? OPFS_STAGING_DIR;
  let broken = false;
  return {
    async stage(id, bytes, stageOpts) {
      if (broken || bytes.byteLength < opts.thresholdBytes) return memoryStager.stage(id, bytes, stageOpts);
      const name = `${id}.in`;
      try {
        const dir = await stagingDir(dirName, true);
        const file = await dir.getFileHandle(name, { create: true });
        const handle = await file.createSyncAccessHandle();
        try {
          handle.truncate(0);
          handle.write(bytes, { at: 0 });
          handle.flush();
        } finally {
          handle.close();
        }
        let released = false;
        return {
          payload: { type: 'opfs', dir: dirName, name, byteLength: bytes.byteLength },
          transfer: [],
          release: async () => {
            if (released) return;
            released = true;
            await dir.removeEntry(name).catch(() => {});
          },
        };
      } catch (err) {
        broken = true;
        opts.log?.(`OPFS staging unavailable (${String(err)}); staging payloads in memory`);
        return memoryStager.stage(id, bytes, stageOpts);
      }
    },
  };
}

async function stagingDir(name: string, create: boolean): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(name, { create });
}

/** The CPU thread's side: the payload bytes, read from wherever they were staged. */
export async function readStaged(payload: StagedPayload): Promise<Uint8Array> {
  switch (payload.type) {
    case 'shared':
    case 'copy':
      return new Uint8Array(payload.buffer, 0, payload.byteLength);
    case 'opfs': {
      const dir = await stagingDir(payload.dir, false);
      const handle = await (await dir.getFileHandle(payload.name)).createSyncAccessHandle();
      try {
        const bytes = new Uint8Array(handle.getSize());
        const read = handle.read(bytes, { at: 0 });
        if (read !== payload.byteLength)
          throw new Error(`staged file has ${read} bytes, expected ${payload.byteLength}`);
        return bytes;
      } finally {
        handle.close();
      }
    }
  }
}
