import { sqliteTimeToIso, type SqliteDb } from '../infra/db.ts';

// Who uploaded each image, and which message claimed it (docs/architecture.md#database-tables):
// the interface the uploads service uses, and its SQLite implementation; storage-postgres.ts is
// the other. The files themselves are in files.ts. A deleted room's rows go with the room
// (rooms/storage.ts).

export interface UploadRow {
  filename: string;
  user_id: number;
  room_id: string | null;
  message_id: string | null;
  /** ISO 8601. */
  created_at: string;
}

export interface UploadStore {
  recordUpload(filename: string, userId: number): Promise<void>;
  findUpload(filename: string): Promise<UploadRow | undefined>;
  /**
   * Claims an unused upload of this user for a message, in one conditional write: of two sends of
   * one file, exactly one gets true.
   */
  claimUpload(roomId: string, messageId: string, filename: string, userId: number): Promise<boolean>;
  /** Gives an upload back when its message could not be stored, so the user can send it again. */
  releaseUpload(filename: string, messageId: string): Promise<void>;
  deleteUpload(filename: string): Promise<void>;
  /** Forgets uploads recorded before the cut-off. */
  deleteUploadsCreatedBefore(cutoff: Date): Promise<void>;
}

/** SQLite's own time format, UTC, as its `datetime('now')` defaults write it. */
const sqliteTime = (time: Date) => time.toISOString().replace('T', ' ').slice(0, 19);

export function createSqliteUploadStore(db: SqliteDb): UploadStore {
  const q = {
    record: db.prepare<[string, number], never>('INSERT INTO uploads (filename, user_id) VALUES (?, ?)'),
    find: db.prepare<[string], UploadRow>('SELECT * FROM uploads WHERE filename = ?'),
    claim: db.prepare<[string, string, string, number], never>(
      'UPDATE uploads SET room_id = ?, message_id = ? WHERE filename = ? AND user_id = ? AND message_id IS NULL'
    ),
    release: db.prepare<[string, string], never>('UPDATE uploads SET room_id = NULL, message_id = NULL WHERE filename = ? AND message_id = ?'),
    remove: db.prepare<[string], never>('DELETE FROM uploads WHERE filename = ?'),
    removeBefore: db.prepare<[string], never>('DELETE FROM uploads WHERE created_at < ?')
  };
  return {
    recordUpload: async (filename, userId) => void q.record.run(filename, userId),
    async findUpload(filename) {
      const row = q.find.get(filename);
      return row && { ...row, created_at: sqliteTimeToIso(row.created_at) };
    },
    claimUpload: async (roomId, messageId, filename, userId) => q.claim.run(roomId, messageId, filename, userId).changes === 1,
    releaseUpload: async (filename, messageId) => void q.release.run(filename, messageId),
    deleteUpload: async (filename) => void q.remove.run(filename),
    deleteUploadsCreatedBefore: async (cutoff) => void q.removeBefore.run(sqliteTime(cutoff))
  };
}
