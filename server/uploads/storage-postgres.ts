import type pg from 'pg';
import type { UploadRow, UploadStore } from './storage.ts';

// The upload index in PostgreSQL: the UploadStore of storage.ts.

export function createPostgresUploadStore(pool: pg.Pool): UploadStore {
  const run = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rowCount ?? 0;
  return {
    async recordUpload(filename, userId) {
      await run('INSERT INTO uploads (filename, user_id) VALUES ($1, $2)', [filename, userId]);
    },
    async findUpload(filename) {
      const { rows } = await pool.query<Omit<UploadRow, 'created_at'> & { created_at: Date }>('SELECT * FROM uploads WHERE filename = $1', [filename]);
      return rows[0] && { ...rows[0], created_at: rows[0].created_at.toISOString() };
    },
    async claimUpload(roomId, messageId, filename, userId) {
      const sql = 'UPDATE uploads SET room_id = $1, message_id = $2 WHERE filename = $3 AND user_id = $4 AND message_id IS NULL';
      return (await run(sql, [roomId, messageId, filename, userId])) === 1;
    },
    async releaseUpload(filename, messageId) {
      await run('UPDATE uploads SET room_id = NULL, message_id = NULL WHERE filename = $1 AND message_id = $2', [filename, messageId]);
    },
    async deleteUpload(filename) {
      await run('DELETE FROM uploads WHERE filename = $1', [filename]);
    },
    async deleteUploadsCreatedBefore(cutoff) {
      await run('DELETE FROM uploads WHERE created_at < $1', [cutoff]);
    }
  };
}
