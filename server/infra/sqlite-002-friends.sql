-- Friends, blocks and direct-message rooms (docs/architecture.md#friends-and-direct-messages).

-- A direct-message room carries "minId:maxId" of its two people; unique, so opening it twice at
-- once makes one room. NULL for group rooms (a unique index allows many NULLs).
ALTER TABLE rooms ADD COLUMN direct_key TEXT;
CREATE UNIQUE INDEX rooms_direct_key ON rooms(direct_key);

-- One row per pair, whoever asked first: user_low < user_high, so two requests crossing each
-- other meet on the same key and the second one accepts the first.
CREATE TABLE friendships (
  user_low INTEGER NOT NULL,
  user_high INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted')),
  requester_id INTEGER NOT NULL,
  -- Who has not yet seen the latest change (a request for them, or their request accepted).
  unseen_by INTEGER,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (user_low, user_high),
  CHECK (user_low < user_high),
  FOREIGN KEY (user_low) REFERENCES users(id) ON DELETE CASCADE,
  FOREIGN KEY (user_high) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX friendships_high ON friendships(user_high);
CREATE INDEX friendships_unseen ON friendships(unseen_by);

CREATE TABLE blocks (
  blocker_id INTEGER NOT NULL,
  blocked_id INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (blocker_id, blocked_id),
  FOREIGN KEY (blocker_id) REFERENCES users(id) ON DELETE CASCADE,
  FOREIGN KEY (blocked_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX blocks_blocked ON blocks(blocked_id);
