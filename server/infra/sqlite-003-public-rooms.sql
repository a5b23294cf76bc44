-- Public rooms (docs/architecture.md#public-rooms): a findable room appears in the room search and
-- takes members without an invite. Rooms made before stay invite-only.
ALTER TABLE rooms ADD COLUMN findable INTEGER NOT NULL DEFAULT 0;
-- The search reads only findable rooms; invite-only rooms never enter this index.
CREATE INDEX rooms_findable ON rooms(name) WHERE findable = 1;
-- Rooms a deleted account owned are found by owner (docs/architecture.md#deleting-an-account).
CREATE INDEX rooms_owner ON rooms(owner_id);
-- And the uploads it made, by uploader.
CREATE INDEX uploads_user ON uploads(user_id);
