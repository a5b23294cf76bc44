import type { DB } from '../infra/db.ts';

// Rooms and memberships in SQLite (docs/architecture.md#sqlite-tables).

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

export interface UserRoomRow extends RoomRow {
  member_count: number;
}

export function createRoomStore(db: DB) {
  return {
    /** Wraps work in a transaction; `.immediate(...)` takes the write lock first (docs/architecture.md#joining-is-race-free). */
    transaction: db.transaction.bind(db),
    createRoom: db.prepare<[string, string, number, string | null, string, number], never>(
      'INSERT INTO rooms (id, name, owner_id, password_hash, invite_code, max_members) VALUES (?, ?, ?, ?, ?, ?)'
    ),
    findRoomById: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?'),
    findRoomByInviteCode: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE invite_code = ?'),
    deleteRoom: db.prepare<[string], never>('DELETE FROM rooms WHERE id = ?'),
    addRoomMember: db.prepare<[string, number], never>('INSERT OR IGNORE INTO room_members (room_id, user_id) VALUES (?, ?)'),
    removeRoomMember: db.prepare<[string, number], never>('DELETE FROM room_members WHERE room_id = ? AND user_id = ?'),
    /** A removed member's invite link stops working: the room gets a new code. */
    setInviteCode: db.prepare<[string, string], never>('UPDATE rooms SET invite_code = ? WHERE id = ?'),
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
    /** Just the ids, for every connect (the socket follows each room's activity). */
    getUserRoomIds: db.prepare<[number], { room_id: string }>('SELECT room_id FROM room_members WHERE user_id = ?'),
    getUserRoomCount: db.prepare<[number], { count: number }>('SELECT COUNT(*) AS count FROM room_members WHERE user_id = ?')
  };
}

export type RoomStore = ReturnType<typeof createRoomStore>;
