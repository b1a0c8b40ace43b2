/** Content-addressed payloads and outputs: identical bytes are stored once, keyed by SHA-256. */
import type { Database } from 'bun:sqlite';

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return new Bun.CryptoHasher('sha256').update(bytes).digest('hex');
}

/** Store bytes (no-op when already present); returns their SHA-256. */
export function putBlob(db: Database, bytes: Uint8Array, sha256: string = sha256Hex(bytes)): string {
  db.query('INSERT INTO blobs (sha256, bytes, size) VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING').run(
    sha256,
    bytes,
    bytes.byteLength,
  );
  return sha256;
}

export function getBlob(db: Database, sha256: string): Uint8Array | undefined {
  const row = db
    .query<{ bytes: Uint8Array }, [string]>('SELECT bytes FROM blobs WHERE sha256 = ?1')
    .get(sha256);
  return row === null ? undefined : row.bytes;
}

export function hasBlob(db: Database, sha256: string): boolean {
  return (
    db.query<{ n: number }, [string]>('SELECT count(*) AS n FROM blobs WHERE sha256 = ?1').get(sha256)?.n ===
    1
  );
}
