import type pg from 'pg';
import type { EmailStore } from './storage.ts';

// Account email addresses and mailed links in PostgreSQL: the EmailStore of storage.ts.

interface LinkRow {
  user_id: number;
  email: string;
  expires_at: number;
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

export function createPostgresEmailStore(pool: pg.Pool): EmailStore {
  const value = async <T>(sql: string, params: unknown[]): Promise<T | undefined> => {
    const row = (await pool.query<{ value: T }>(sql, params)).rows[0];
    return row?.value;
  };
  return {
    emailOf: (userId) => value('SELECT email AS value FROM user_emails WHERE user_id = $1', [userId]),
    ownerOf: (email) => value('SELECT user_id AS value FROM user_emails WHERE lower(email) = lower($1)', [email]),
    pendingOf: (userId, now) => value("SELECT email AS value FROM email_tokens WHERE user_id = $1 AND purpose = 'verify' AND expires_at > $2", [userId, now]),
    async saveLink(tokenHash, purpose, { userId, email, expiresAt }) {
      await pool.query(
        `INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, purpose) DO UPDATE SET token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at`,
        [tokenHash, userId, purpose, email, expiresAt]
      );
    },
    async takeLink(tokenHash, purpose) {
      // BIGINT comes back as a string: read it as a number (ms fit a double exactly).
      const { rows } = await pool.query<LinkRow>(
        'DELETE FROM email_tokens WHERE token_hash = $1 AND purpose = $2 RETURNING user_id, email, expires_at::float8 AS expires_at',
        [tokenHash, purpose]
      );
      const row = rows[0];
      return row && { userId: row.user_id, email: row.email, expiresAt: Number(row.expires_at) };
    },
    async dropLink(userId, purpose) {
      await pool.query('DELETE FROM email_tokens WHERE user_id = $1 AND purpose = $2', [userId, purpose]);
    },
    async setEmail(userId, email) {
      try {
        await pool.query(
          'INSERT INTO user_emails (user_id, email) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, verified_at = now()',
          [userId, email]
        );
        return true;
      } catch (err) {
        if (err instanceof Error && 'code' in err && err.code === UNIQUE_VIOLATION) return false;
        throw err;
      }
    }
  };
}
