import type pg from 'pg';
import { inTransaction } from '../infra/db.ts';
import type { ProfileRow, ProfileStore } from './storage.ts';

// Profiles in PostgreSQL: the ProfileStore of storage.ts.

export function createPostgresProfileStore(pool: pg.Pool): ProfileStore {
  return {
    async getProfile(userId) {
      const { rows } = await pool.query<ProfileRow>('SELECT avatar, settings FROM profiles WHERE user_id = $1', [userId]);
      return rows[0];
    },
    async getAvatars(userIds) {
      if (userIds.length === 0) return new Map();
      const { rows } = await pool.query<{ user_id: number; avatar: string }>(
        'SELECT user_id, avatar FROM profiles WHERE avatar IS NOT NULL AND user_id = ANY($1::int[])',
        [userIds]
      );
      return new Map(rows.map((r) => [r.user_id, r.avatar]));
    },
    swapAvatar(userId, avatar) {
      return inTransaction(pool, async (client) => {
        // The row exists first, so the lock below holds even for a user's very first picture.
        await client.query('INSERT INTO profiles (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
        const { rows } = await client.query<{ avatar: string | null }>('SELECT avatar FROM profiles WHERE user_id = $1 FOR UPDATE', [userId]);
        await client.query('UPDATE profiles SET avatar = $2, updated_at = now() WHERE user_id = $1', [userId, avatar]);
        return rows[0]?.avatar ?? null;
      });
    },
    async setSettings(userId, settings) {
      await pool.query(
        `INSERT INTO profiles (user_id, settings) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
        [userId, settings]
      );
    }
  };
}
