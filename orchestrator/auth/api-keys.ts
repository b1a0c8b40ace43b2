/**
 * Researcher API keys. A key is shown once when created (`smk_<id>_<secret>`); only its SHA-256
 * is stored, so a copy of the database does not leak usable keys. Revoked keys stay listed.
 */
import type { Database } from 'bun:sqlite';
import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, RequestError } from '../../protocol/errors.ts';

export interface ApiKeyInfo {
  id: string;
  label: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

interface ApiKeyRow {
  id: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const TOKEN_PATTERN = /^smk_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;

export class ApiKeyStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a key and returns its token: the only time the token exists in clear. */
  create(label: string): { id: string; token: string } {
    const id = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 12);
    const token = `smk_${id}_${randomBytes(32).toString('base64url')}`;
    this.db
      .query('INSERT INTO api_keys (id, label, token_sha256, created_at) VALUES (?, ?, ?, ?)')
      .run(id, label, hashToken(token), this.now());
    return { id, token };
  }

  /** The key id for a valid, unrevoked token; undefined otherwise (never says which part was wrong). */
  verify(token: string): string | undefined {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const row = this.db
      .query<{ id: string }, [string]>(
        'SELECT id FROM api_keys WHERE token_sha256 = ? AND revoked_at IS NULL',
      )
      .get(hashToken(token));
    if (row === null) return undefined;
    this.db.query('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(this.now(), row.id);
    return row.id;
  }

  revoke(id: string): void {
    const changed = this.db
      .query('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(this.now(), id).changes;
    if (changed !== 1) throw new RequestError(ErrorCode.NotFound, `no active API key ${id}`, { field: 'id' });
  }

  list(): ApiKeyInfo[] {
    return this.db
      .query<ApiKeyRow, []>(
        'SELECT id, label, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at',
      )
      .all()
      .map((r) => ({
        id: r.id,
        label: r.label,
        createdAt: r.created_at,
        revokedAt: r.revoked_at,
        lastUsedAt: r.last_used_at,
      }));
  }
}
