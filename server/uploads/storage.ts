import type { DB } from '../infra/db.ts';

// Who uploaded each image, and which message claimed it (docs/architecture.md#sqlite-tables).
// The files themselves are in files.ts.

export interface UploadRow {
  filename: string;
  user_id: number;
  room_id: string | null;
  message_id: string | null;
  created_at: string;
}

export function createUploadStore(db: DB) {
  return {
    recordUpload: db.prepare<[string, number], never>('INSERT INTO uploads (filename, user_id) VALUES (?, ?)'),
    findUpload: db.prepare<[string], UploadRow>('SELECT * FROM uploads WHERE filename = ?'),
    /** Claims an unused upload of this user for a message; changes === 1 when it succeeded. */
    claimUpload: db.prepare<[string, string, string, number], never>(
      'UPDATE uploads SET room_id = ?, message_id = ? WHERE filename = ? AND user_id = ? AND message_id IS NULL'
    ),
    /** Gives an upload back when its message could not be stored, so the user can send it again. */
    releaseUpload: db.prepare<[string, string], never>(
      'UPDATE uploads SET room_id = NULL, message_id = NULL WHERE filename = ? AND message_id = ?'
    ),
    getRoomUploads: db.prepare<[string], UploadRow>('SELECT * FROM uploads WHERE room_id = ?'),
    deleteUpload: db.prepare<[string], never>('DELETE FROM uploads WHERE filename = ?'),
    /** Rows older than the cut-off (`YYYY-MM-DD HH:MM:SS`, UTC, as SQLite writes created_at). */
    deleteUploadsCreatedBefore: db.prepare<[string], never>('DELETE FROM uploads WHERE created_at < ?')
  };
}

export type UploadStore = ReturnType<typeof createUploadStore>;
