-- 0002: researcher API keys. Only the SHA-256 of a token is stored; the token is shown once.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY CHECK (length(id) = 12 AND id NOT GLOB '*[^a-z0-9]*'),
  label TEXT NOT NULL CHECK (length(label) <= 200),
  token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER
);
