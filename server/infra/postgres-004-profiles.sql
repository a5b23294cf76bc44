-- The profiles table of sqlite-004-profiles.sql in PostgreSQL (docs/architecture.md#profiles).
CREATE TABLE profiles (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  avatar TEXT,
  settings TEXT,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
