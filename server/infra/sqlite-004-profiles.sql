-- Profiles (docs/architecture.md#profiles): one row per user who set a picture or saved settings.
-- The picture's file is named in `avatar` (in UPLOADS_DIR/avatars or the bucket's avatars/);
-- `settings` is the JSON of the contract's settingsSchema. Goes with its user.
CREATE TABLE profiles (
  user_id INTEGER PRIMARY KEY,
  avatar TEXT,
  settings TEXT,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
