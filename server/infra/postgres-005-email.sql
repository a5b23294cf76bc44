-- Account email addresses and the single-use links sent to them
-- (docs/architecture.md#email-and-password-resets).

-- Only verified addresses live here: one per account, and one account per address in any case.
CREATE TABLE user_emails (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  verified_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX user_emails_email ON user_emails (lower(email));

-- A mailed link: only the SHA-256 of its token is kept. One live link per account and purpose:
-- a newer one replaces the older. `email` is the address the link was sent to (for 'verify', the
-- address it will verify). expires_at is in ms since the epoch.
CREATE TABLE email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
  email TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  UNIQUE (user_id, purpose)
);
