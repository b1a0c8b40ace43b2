/**
 * The page worker's libp2p key, kept in IndexedDB so the worker id (its peer id) stays the same
 * across reloads and visits, and the orchestrator's reputation for this contributor carries over.
 * (IndexedDB rather than localStorage: the key is used in the dedicated worker, which has no
 * localStorage.)
 *
 * One identity, one tab: a Web Lock is held on it while the worker runs. A second tab of the same
 * origin does not get the lock and works under a fresh, unsaved key instead, so the orchestrator
 * never sees two sessions claiming one worker id.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

export interface WorkerIdentityOptions {
  /** IndexedDB database. Default 'shardmesh-worker'. */
  dbName?: string;
  /** Released when this aborts (the worker stops). */
  signal: AbortSignal;
  log?: (line: string) => void;
}

export interface WorkerIdentity {
  privateKey: PrivateKey;
  /** 'stored': read back; 'created': new and saved; 'ephemeral': not saved (another tab holds it, or no IndexedDB). */
  origin: 'stored' | 'created' | 'ephemeral';
}

const STORE = 'identity';
const KEY = 'libp2p-ed25519';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDb(name: string): Promise<IDBDatabase> {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE);
  return request(req);
}

/** Resolves once the lock is held (true) or known to be taken by another tab (false). */
function holdLock(name: string, signal: AbortSignal): Promise<boolean> {
  const locks = (navigator as { locks?: LockManager }).locks;
  if (locks === undefined) return Promise.resolve(true); // no Web Locks: nothing to coordinate with
  return new Promise((resolve) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        if (lock === null) return undefined;
        // Held until the worker stops: the callback's promise is the lock's lifetime.
        return new Promise<void>((release) =>
          signal.addEventListener('abort', () => release(), { once: true }),
        );
      })
      .catch(() => resolve(false));
  });
}

export async function loadWorkerIdentity(opts: WorkerIdentityOptions): Promise<WorkerIdentity> {
  const log = opts.log ?? (() => {});
  const dbName = opts.dbName ?? 'shardmesh-worker';
  const ephemeral = async (): Promise<WorkerIdentity> => ({
    privateKey: await generateKeyPair('Ed25519'),
    origin: 'ephemeral',
  });
  if (!(await holdLock(`${dbName}/identity`, opts.signal))) {
    log('another tab is contributing as this browser: this tab uses a temporary worker id');
    return ephemeral();
  }
  let db: IDBDatabase;
  try {
    db = await openDb(dbName);
  } catch (err) {
    log(
      `no IndexedDB (${err instanceof Error ? err.message : String(err)}): the worker id will not survive a reload`,
    );
    return ephemeral();
  }
  try {
    const stored = await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
    if (stored instanceof Uint8Array) {
      try {
        return { privateKey: privateKeyFromProtobuf(stored), origin: 'stored' };
      } catch {
        log('the stored worker key is unreadable: replacing it');
      }
    }
    const privateKey = await generateKeyPair('Ed25519');
    await request(
      db.transaction(STORE, 'readwrite').objectStore(STORE).put(privateKeyToProtobuf(privateKey), KEY),
    );
    return { privateKey, origin: 'created' };
  } finally {
    db.close();
  }
}
