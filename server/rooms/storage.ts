import { sqliteTimeToIso, type SqliteDb } from '../infra/db.ts';

// Rooms and memberships (docs/architecture.md#database-tables): the interface the rooms service
// uses, and its SQLite implementation; storage-postgres.ts is the other. Every change that a rule
// guards (16 members, 20 rooms a user) checks the rule inside the transaction that writes
// (docs/architecture.md#joining-is-race-free), so the rules live here as arguments.

export interface RoomRow {
  id: string;
  name: string;
  owner_id: number;
  password_hash: string | null;
  invite_code: string;
  max_members: number;
  /** Listed in the room search and joinable without an invite (docs/architecture.md#public-rooms). */
  findable: boolean;
  /** ISO 8601. */
  created_at: string;
  /** "minId:maxId" of a direct-message room's two people; null for group rooms. */
  direct_key: string | null;
}

export interface RoomMemberRow {
  user_id: number;
  username: string;
  /** ISO 8601. */
  joined_at: string;
}

export interface UserRoomRow extends RoomRow {
  member_count: number;
  /** The other person of a direct-message room (null for group rooms, or when they are gone). */
  peer_id: number | null;
  peer_name: string | null;
}

/** A direct-message room to open: created with both people as members unless it exists. */
export interface NewDirectRoom extends Omit<NewRoom, 'findable'> {
  directKey: string;
  otherId: number;
}

export interface NewRoom {
  id: string;
  name: string;
  ownerId: number;
  passwordHash: string | null;
  inviteCode: string;
  maxMembers: number;
  findable: boolean;
}

/** A findable room as the search finds it. */
export interface FoundRoomRow {
  id: string;
  name: string;
  member_count: number;
  max_members: number;
  has_password: boolean;
  is_member: boolean;
}

/**
 * What deleting an account did to its rooms (docs/architecture.md#deleting-an-account): rooms it
 * was in and that go on (`left`, owned ones included, now with `passedTo` as owner), rooms it owned
 * alone and that were deleted, and the upload files of the account that remain to remove.
 */
export interface AccountRemoval {
  left: { roomId: string; passedTo?: number }[];
  deleted: { roomId: string; deletion: RoomDeletion }[];
  uploads: string[];
}

export type SettingsOutcome = 'updated' | 'gone' | 'not-member' | 'not-owner';

export type JoinOutcome = 'joined' | 'already-member' | 'gone' | 'full' | 'too-many-rooms';

/** A room deleted with its members and upload rows; the files and Redis keys go after commit. */
export interface RoomDeletion {
  status: 'deleted';
  memberIds: number[];
  /** Images the room's messages claimed, to remove from storage. */
  filenames: string[];
}
export type LeaveOutcome = { status: 'left' | 'gone' | 'not-member' } | RoomDeletion;
export type DeleteOutcome = { status: 'gone' | 'not-member' | 'not-owner' } | RoomDeletion;
/** `self`: the owner named themselves; `not-a-member`: the one to remove is not in the room. */
export type RemoveOutcome = { status: 'removed'; username: string } | { status: 'gone' | 'not-member' | 'not-owner' | 'self' | 'not-a-member' };

export interface RoomStore {
  /** Creates the room with its owner as first member, unless the owner is in `maxRooms` rooms already. */
  createRoom(room: NewRoom, maxRooms: number): Promise<'created' | 'too-many-rooms'>;
  findRoomById(roomId: string): Promise<RoomRow | undefined>;
  findRoomByInviteCode(inviteCode: string): Promise<RoomRow | undefined>;
  isRoomMember(roomId: string, userId: number): Promise<boolean>;
  getRoomMemberCount(roomId: string): Promise<number>;
  /** In the order they joined. */
  getRoomMembers(roomId: string): Promise<RoomMemberRow[]>;
  /** Newest membership first. */
  getUserRooms(userId: number): Promise<UserRoomRow[]>;
  /** Just the ids of the user's rooms. */
  getUserRoomIds(userId: number): Promise<string[]>;
  /**
   * Adds a member while the room has a place and the user is in fewer than `maxRooms` rooms; with
   * `findableOnly`, a room that is not findable (any more) answers `gone`.
   */
  addMember(roomId: string, userId: number, maxRooms: number, findableOnly?: boolean): Promise<JoinOutcome>;
  /** The owner makes the room findable or invite-only. */
  setFindable(roomId: string, ownerId: number, findable: boolean): Promise<SettingsOutcome>;
  /**
   * Findable rooms whose name contains `text` (any case), those starting with it first, then by
   * name; `limit` rows from `offset`.
   */
  searchFindable(text: string, userId: number, limit: number, offset: number): Promise<FoundRoomRow[]>;
  /**
   * Deletes the account in one transaction with what it leaves behind: each room it owns passes to
   * the longest-standing other member (earliest joined, then lowest id) or is deleted when nobody
   * else is in it; its memberships and upload rows go. Null when the account is already gone.
   */
  removeAccount(userId: number): Promise<AccountRemoval | null>;
  /** Takes a member out; the owner leaving deletes the room. */
  leaveRoom(roomId: string, userId: number): Promise<LeaveOutcome>;
  /** Deletes the room if `userId` owns it. */
  deleteRoom(roomId: string, userId: number): Promise<DeleteOutcome>;
  /**
   * The owner `ownerId` takes `userId` out of the room, and the room gets `inviteCode` in the same
   * transaction: the link the member joined with stops working.
   */
  removeOtherMember(roomId: string, ownerId: number, userId: number, inviteCode: string): Promise<RemoveOutcome>;
  /**
   * The direct-message room of `room.directKey`, created with its two members if there is none:
   * one room however many open it at once (the key is unique). Not counted in the rooms limit.
   */
  openDirectRoom(room: NewDirectRoom): Promise<{ roomId: string; created: boolean }>;
}

function roomFromSqlite<T extends RoomRow>(row: T): T;
function roomFromSqlite<T extends RoomRow>(row: T | undefined): T | undefined;
function roomFromSqlite<T extends RoomRow>(row: T | undefined): T | undefined {
  // SQLite has no booleans: findable is stored as 0 or 1.
  return row && { ...row, findable: Boolean(row.findable), created_at: sqliteTimeToIso(row.created_at) };
}

/** Lower case as JavaScript folds it (SQLite's lower() folds only ASCII), for the room search. */
const SEARCH_FOLD = 'bbb_fold';

export function createSqliteRoomStore(db: SqliteDb): RoomStore {
  db.function(SEARCH_FOLD, { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));
  const q = {
    createRoom: db.prepare<[string, string, number, string | null, string, number, number], never>(
      'INSERT INTO rooms (id, name, owner_id, password_hash, invite_code, max_members, findable) VALUES (?, ?, ?, ?, ?, ?, ?)'
    ),
    setFindable: db.prepare<[number, string], never>('UPDATE rooms SET findable = ? WHERE id = ?'),
    search: db.prepare<[number, string, string, number, number], Omit<FoundRoomRow, 'has_password' | 'is_member'> & { has_password: number; is_member: number }>(
      `SELECT r.id, r.name, r.max_members,
         (SELECT COUNT(*) FROM room_members c WHERE c.room_id = r.id) AS member_count,
         r.password_hash IS NOT NULL AS has_password,
         EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = ?) AS is_member
       FROM rooms r WHERE r.findable = 1 AND instr(${SEARCH_FOLD}(r.name), ?) > 0
       ORDER BY instr(${SEARCH_FOLD}(r.name), ?) = 1 DESC, ${SEARCH_FOLD}(r.name), r.id LIMIT ? OFFSET ?`
    ),
    ownedRooms: db.prepare<[number], { id: string }>('SELECT id FROM rooms WHERE owner_id = ? ORDER BY id'),
    heir: db.prepare<[string, number], { user_id: number }>(
      'SELECT user_id FROM room_members WHERE room_id = ? AND user_id <> ? ORDER BY joined_at, user_id LIMIT 1'
    ),
    setOwner: db.prepare<[number, string], never>('UPDATE rooms SET owner_id = ? WHERE id = ?'),
    deleteUserUploads: db.prepare<[number], { filename: string }>('DELETE FROM uploads WHERE user_id = ? RETURNING filename'),
    deleteUser: db.prepare<[number], never>('DELETE FROM users WHERE id = ?'),
    userExists: db.prepare<[number], { one: 1 }>('SELECT 1 AS one FROM users WHERE id = ?'),
    roomById: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?'),
    roomByInviteCode: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE invite_code = ?'),
    deleteRoom: db.prepare<[string], never>('DELETE FROM rooms WHERE id = ?'),
    addMember: db.prepare<[string, number], never>('INSERT INTO room_members (room_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    removeMember: db.prepare<[string, number], never>('DELETE FROM room_members WHERE room_id = ? AND user_id = ?'),
    setInviteCode: db.prepare<[string, string], never>('UPDATE rooms SET invite_code = ? WHERE id = ?'),
    isMember: db.prepare<[string, number], { one: 1 }>('SELECT 1 AS one FROM room_members WHERE room_id = ? AND user_id = ?'),
    members: db.prepare<[string], RoomMemberRow>(
      `SELECT m.user_id, u.username, m.joined_at FROM room_members m JOIN users u ON u.id = m.user_id
       WHERE m.room_id = ? ORDER BY m.joined_at, u.username`
    ),
    memberCount: db.prepare<[string], { count: number }>('SELECT COUNT(*) AS count FROM room_members WHERE room_id = ?'),
    userRooms: db.prepare<[{ me: number }], UserRoomRow>(
      `SELECT r.*, (SELECT COUNT(*) FROM room_members c WHERE c.room_id = r.id) AS member_count,
         p.id AS peer_id, p.username AS peer_name
       FROM rooms r
       LEFT JOIN room_members o ON r.direct_key IS NOT NULL AND o.room_id = r.id AND o.user_id <> @me
       LEFT JOIN users p ON p.id = o.user_id JOIN room_members m ON m.room_id = r.id WHERE m.user_id = @me ORDER BY m.joined_at DESC, r.name`
    ),
    userRoomIds: db.prepare<[number], { room_id: string }>('SELECT room_id FROM room_members WHERE user_id = ?'),
    // Direct-message rooms are bounded by the friends limit instead.
    userRoomCount: db.prepare<[number], { count: number }>(
      'SELECT COUNT(*) AS count FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ? AND r.direct_key IS NULL'
    ),
    directRoom: db.prepare<[string], { id: string }>('SELECT id FROM rooms WHERE direct_key = ?'),
    createDirectRoom: db.prepare<[string, string, number, string, number, string], never>(
      'INSERT INTO rooms (id, name, owner_id, invite_code, max_members, direct_key) VALUES (?, ?, ?, ?, ?, ?)'
    ),
    // The room's upload rows go with it; the uploads feature reads the same table.
    deleteRoomUploads: db.prepare<[string], { filename: string }>('DELETE FROM uploads WHERE room_id = ? RETURNING filename')
  };
  const isMember = (roomId: string, userId: number) => q.isMember.get(roomId, userId) !== undefined;

  const deleteRows = (roomId: string): RoomDeletion => {
    const memberIds = q.members.all(roomId).map((m) => m.user_id);
    const filenames = q.deleteRoomUploads.all(roomId).map((u) => u.filename);
    q.deleteRoom.run(roomId);
    return { status: 'deleted', memberIds, filenames };
  };

  // IMMEDIATE transactions take the write lock first: another process cannot slip its insert
  // between this one's check and insert.
  const create = db.transaction((room: NewRoom, maxRooms: number) => {
    if (q.userRoomCount.get(room.ownerId)!.count >= maxRooms) return 'too-many-rooms' as const;
    q.createRoom.run(room.id, room.name, room.ownerId, room.passwordHash, room.inviteCode, room.maxMembers, room.findable ? 1 : 0);
    q.addMember.run(room.id, room.ownerId);
    return 'created' as const;
  });
  const join = db.transaction((roomId: string, userId: number, maxRooms: number, findableOnly: boolean): JoinOutcome => {
    const room = q.roomById.get(roomId);
    if (!room || (findableOnly && !room.findable)) return 'gone';
    if (isMember(roomId, userId)) return 'already-member';
    if (q.memberCount.get(roomId)!.count >= room.max_members) return 'full';
    if (q.userRoomCount.get(userId)!.count >= maxRooms) return 'too-many-rooms';
    q.addMember.run(roomId, userId);
    return 'joined';
  });
  const leave = db.transaction((roomId: string, userId: number): LeaveOutcome => {
    const room = q.roomById.get(roomId);
    if (!room) return { status: 'gone' };
    if (!isMember(roomId, userId)) return { status: 'not-member' };
    if (room.owner_id === userId) return deleteRows(roomId);
    q.removeMember.run(roomId, userId);
    return { status: 'left' };
  });
  const removeOther = db.transaction((roomId: string, ownerId: number, userId: number, inviteCode: string): RemoveOutcome => {
    const room = q.roomById.get(roomId);
    if (!room) return { status: 'gone' };
    if (room.owner_id !== ownerId) return { status: isMember(roomId, ownerId) ? 'not-owner' : 'not-member' };
    if (userId === ownerId) return { status: 'self' };
    const member = q.members.all(roomId).find((m) => m.user_id === userId);
    if (!member) return { status: 'not-a-member' };
    q.removeMember.run(roomId, userId);
    q.setInviteCode.run(inviteCode, roomId);
    return { status: 'removed', username: member.username };
  });
  const settings = db.transaction((roomId: string, ownerId: number, findable: boolean): SettingsOutcome => {
    const room = q.roomById.get(roomId);
    if (!room) return 'gone';
    if (room.owner_id !== ownerId) return isMember(roomId, ownerId) ? 'not-owner' : 'not-member';
    q.setFindable.run(findable ? 1 : 0, roomId);
    return 'updated';
  });
  const removeAccount = db.transaction((userId: number): AccountRemoval | null => {
    if (!q.userExists.get(userId)) return null;
    const removal: AccountRemoval = { left: [], deleted: [], uploads: [] };
    const owned = new Set<string>();
    for (const { id } of q.ownedRooms.all(userId)) {
      owned.add(id);
      // A direct-message room is the two of them: it goes with either account.
      if (q.roomById.get(id)?.direct_key) {
        removal.deleted.push({ roomId: id, deletion: deleteRows(id) });
        continue;
      }
      const heir = q.heir.get(id, userId);
      if (heir) {
        q.setOwner.run(heir.user_id, id);
        removal.left.push({ roomId: id, passedTo: heir.user_id });
      } else {
        removal.deleted.push({ roomId: id, deletion: deleteRows(id) });
      }
    }
    for (const { room_id } of q.userRoomIds.all(userId)) {
      if (owned.has(room_id)) continue;
      if (q.roomById.get(room_id)?.direct_key) removal.deleted.push({ roomId: room_id, deletion: deleteRows(room_id) });
      else removal.left.push({ roomId: room_id });
    }
    removal.uploads = q.deleteUserUploads.all(userId).map((u) => u.filename);
    // Memberships (and whatever else hangs on the account) go with the row: ON DELETE CASCADE.
    q.deleteUser.run(userId);
    return removal;
  });
  const openDirect = db.transaction((room: NewDirectRoom) => {
    const existing = q.directRoom.get(room.directKey);
    if (existing) return { roomId: existing.id, created: false };
    q.createDirectRoom.run(room.id, room.name, room.ownerId, room.inviteCode, room.maxMembers, room.directKey);
    q.addMember.run(room.id, room.ownerId);
    q.addMember.run(room.id, room.otherId);
    return { roomId: room.id, created: true };
  });
  const remove = db.transaction((roomId: string, userId: number): DeleteOutcome => {
    const room = q.roomById.get(roomId);
    if (!room) return { status: 'gone' };
    if (room.owner_id !== userId) return { status: isMember(roomId, userId) ? 'not-owner' : 'not-member' };
    return deleteRows(roomId);
  });

  return {
    createRoom: async (room, maxRooms) => create.immediate(room, maxRooms),
    findRoomById: async (roomId) => roomFromSqlite(q.roomById.get(roomId)),
    findRoomByInviteCode: async (inviteCode) => roomFromSqlite(q.roomByInviteCode.get(inviteCode)),
    isRoomMember: async (roomId, userId) => isMember(roomId, userId),
    getRoomMemberCount: async (roomId) => q.memberCount.get(roomId)!.count,
    getRoomMembers: async (roomId) => q.members.all(roomId).map((m) => ({ ...m, joined_at: sqliteTimeToIso(m.joined_at) })),
    getUserRooms: async (userId) => q.userRooms.all({ me: userId }).map((r) => roomFromSqlite(r)),
    getUserRoomIds: async (userId) => q.userRoomIds.all(userId).map((row) => row.room_id),
    addMember: async (roomId, userId, maxRooms, findableOnly = false) => join.immediate(roomId, userId, maxRooms, findableOnly),
    setFindable: async (roomId, ownerId, findable) => settings.immediate(roomId, ownerId, findable),
    searchFindable: async (text, userId, limit, offset) => {
      const folded = text.toLowerCase();
      return q.search.all(userId, folded, folded, limit, offset).map((r) => ({ ...r, has_password: r.has_password === 1, is_member: r.is_member === 1 }));
    },
    removeAccount: async (userId) => removeAccount.immediate(userId),
    leaveRoom: async (roomId, userId) => leave.immediate(roomId, userId),
    deleteRoom: async (roomId, userId) => remove.immediate(roomId, userId),
    removeOtherMember: async (roomId, ownerId, userId, inviteCode) => removeOther.immediate(roomId, ownerId, userId, inviteCode),
    openDirectRoom: async (room) => openDirect.immediate(room)
  };
}
