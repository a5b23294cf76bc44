import type { DB } from '../infra/db.ts';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  token_version: number;
  created_at: string;
}

export interface RoomRow {
  id: string;
  name: string;
  owner_id: number;
  password_hash: string | null;
  invite_code: string;
  max_members: number;
  created_at: string;
}

export interface RoomMemberRow {
  user_id: number;
  username: string;
  joined_at: string;
}

export interface UploadRow {
  filename: string;
  user_id: number;
  room_id: string | null;
  message_id: string | null;
  created_at: string;
}

export interface UserRoomRow extends RoomRow {
  member_count: number;
}

/** Every prepared statement the app runs, built once per database. */
export function createQueries(db: DB) {
  return {
    createUser: db.prepare<[string, string], never>('INSERT INTO users (username, password_hash) VALUES (?, ?)'),
    findUserByUsername: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
    findUserById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    bumpTokenVersion: db.prepare<[number], never>('UPDATE users SET token_version = token_version + 1 WHERE id = ?'),
    deleteUser: db.prepare<[number], never>('DELETE FROM users WHERE id = ?'),

    createRoom: db.prepare<[string, string, number, string | null, string, number], never>(
      'INSERT INTO rooms (id, name, owner_id, password_hash, invite_code, max_members) VALUES (?, ?, ?, ?, ?, ?)'
    ),
    findRoomById: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?'),
    findRoomByInviteCode: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE invite_code = ?'),
    deleteRoom: db.prepare<[string], never>('DELETE FROM rooms WHERE id = ?'),
    addRoomMember: db.prepare<[string, number], never>('INSERT OR IGNORE INTO room_members (room_id, user_id) VALUES (?, ?)'),
    removeRoomMember: db.prepare<[string, number], never>('DELETE FROM room_members WHERE room_id = ? AND user_id = ?'),
    isRoomMember: db.prepare<[string, number], { one: 1 }>('SELECT 1 AS one FROM room_members WHERE room_id = ? AND user_id = ?'),
    getRoomMembers: db.prepare<[string], RoomMemberRow>(
      `SELECT m.user_id, u.username, m.joined_at FROM room_members m JOIN users u ON u.id = m.user_id
       WHERE m.room_id = ? ORDER BY m.joined_at, u.username`
    ),
    getRoomMemberCount: db.prepare<[string], { count: number }>('SELECT COUNT(*) AS count FROM room_members WHERE room_id = ?'),
    getUserRooms: db.prepare<[number], UserRoomRow>(
      `SELECT r.*, (SELECT COUNT(*) FROM room_members c WHERE c.room_id = r.id) AS member_count
       FROM rooms r JOIN room_members m ON m.room_id = r.id WHERE m.user_id = ? ORDER BY m.joined_at DESC, r.name`
    ),
    getUserRoomCount: db.prepare<[number], { count: number }>('SELECT COUNT(*) AS count FROM room_members WHERE user_id = ?'),

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

export type Queries = ReturnType<typeof createQueries>;
