-- Account email addresses and the single-use links sent to them
-- (docs/architecture.md#email-and-password-resets).

-- Only verified addresses live here: one per account, and one account per address in any case.
CREATE TABLE IF NOT EXISTS user_emails (
  user_id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  verified_at TEXT NOT NULL DEFAULT (datetime('now')),
  FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);

-- A mailed link: only the SHA-256 of its token is kept. One live link per account and purpose:
-- a newer one replaces the older. `email` is the address the link was sent to (for 'verify', the
-- address it will verify). expires_at is in ms since the epoch.
CREATE TABLE IF NOT EXISTS email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
  email TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  UNIQUE (user_id, purpose),
  FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
