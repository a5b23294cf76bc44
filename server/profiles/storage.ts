import type { SqliteDb } from '../infra/db.ts';

// Profiles in the database (docs/architecture.md#profiles): the interface the profiles service
// uses, and its SQLite implementation; storage-postgres.ts is the other. The pictures' bytes are
// in the avatar files (the uploads folder or bucket, under `avatars`).

export interface ProfileRow {
  /** The picture's filename, or null. */
  avatar: string | null;
  /** The settings as stored JSON, or null when never saved. */
  settings: string | null;
}

export interface ProfileStore {
  getProfile(userId: number): Promise<ProfileRow | undefined>;
  /** The picture filename of each of these users who has one. */
  getAvatars(userIds: number[]): Promise<Map<number, string>>;
  /**
   * Sets (or with null, clears) the user's picture in one step and answers the filename it
   * replaced, so exactly one of two racing changes removes each old file.
   */
  swapAvatar(userId: number, avatar: string | null): Promise<string | null>;
  setSettings(userId: number, settings: string): Promise<void>;
}

export function createSqliteProfileStore(db: SqliteDb): ProfileStore {
  const q = {
    get: db.prepare<[number], ProfileRow>('SELECT avatar, settings FROM profiles WHERE user_id = ?'),
    oldAvatar: db.prepare<[number], { avatar: string | null }>('SELECT avatar FROM profiles WHERE user_id = ?'),
    setAvatar: db.prepare<[number, string | null], never>(
      `INSERT INTO profiles (user_id, avatar) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET avatar = excluded.avatar, updated_at = datetime('now')`
    ),
    setSettings: db.prepare<[number, string], never>(
      `INSERT INTO profiles (user_id, settings) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, updated_at = datetime('now')`
    )
  };
  const swap = db.transaction((userId: number, avatar: string | null) => {
    const old = q.oldAvatar.get(userId)?.avatar ?? null;
    q.setAvatar.run(userId, avatar);
    return old;
  });
  return {
    getProfile: async (userId) => q.get.get(userId),
    async getAvatars(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = db
        .prepare<number[], { user_id: number; avatar: string }>(
          `SELECT user_id, avatar FROM profiles WHERE avatar IS NOT NULL AND user_id IN (${userIds.map(() => '?').join(', ')})`
        )
        .all(...userIds);
      return new Map(rows.map((r) => [r.user_id, r.avatar]));
    },
    swapAvatar: async (userId, avatar) => swap.immediate(userId, avatar),
    setSettings: async (userId, settings) => void q.setSettings.run(userId, settings)
  };
}
