import type pg from 'pg';
import type { UserRow, UserStore } from './storage.ts';

// Accounts in PostgreSQL: the UserStore of storage.ts.

const USER_COLUMNS = 'id, username, password_hash, token_version';

export function createPostgresUserStore(pool: pg.Pool): UserStore {
  const one = async (sql: string, params: unknown[]) => (await pool.query<UserRow>(sql, params)).rows[0];
  return {
    async createUser(username, passwordHash) {
      // The unique index is on lower(username): a name taken in another case conflicts too.
      return (await one(`INSERT INTO users (username, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`, [username, passwordHash])) ?? null;
    },
    findUserByUsername: (username) => one(`SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = lower($1)`, [username]),
    findUserById: (id) => one(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]),
    async bumpTokenVersion(id) {
      await pool.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [id]);
    },
    setPassword: (id, passwordHash) =>
      one(`UPDATE users SET password_hash = $1, token_version = token_version + 1 WHERE id = $2 RETURNING ${USER_COLUMNS}`, [passwordHash, id])
  };
}
