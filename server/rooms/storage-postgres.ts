import type pg from 'pg';
import { inTransaction } from '../infra/db.ts';
import type {
  AccountRemoval,
  DeleteOutcome,
  FoundRoomRow,
  JoinOutcome,
  LeaveOutcome,
  NewDirectRoom,
  NewRoom,
  RemoveOutcome,
  RoomDeletion,
  RoomMemberRow,
  RoomRow,
  RoomStore,
  SettingsOutcome,
  UserRoomRow
} from './storage.ts';

// Rooms and memberships in PostgreSQL: the RoomStore of storage.ts. The rules hold across
// processes on different machines through row locks taken before the check
// (docs/architecture.md#joining-is-race-free): `FOR UPDATE` on the user's row serialises their
// joins and creations (rooms per user), on the room's row its joins and its deletion (members per
// room). Locks are always taken user first, then room, so two transactions cannot wait on each other.

type Client = pg.Pool | pg.PoolClient;
type Timed<T, K extends keyof T> = Omit<T, K> & Record<K, Date>;

const iso = (time: Date) => time.toISOString();
const room = <T extends RoomRow>(row: Timed<T, 'created_at'>) => ({ ...row, created_at: iso(row.created_at) }) as T;

async function findRoom(client: Client, where: 'id' | 'invite_code', value: string, lock = false): Promise<RoomRow | undefined> {
  const { rows } = await client.query<Timed<RoomRow, 'created_at'>>(`SELECT * FROM rooms WHERE ${where} = $1${lock ? ' FOR UPDATE' : ''}`, [value]);
  return rows[0] && room(rows[0]);
}

async function isMember(client: Client, roomId: string, userId: number): Promise<boolean> {
  return (await client.query('SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, userId])).rowCount === 1;
}

async function count(client: Client, sql: string, param: string | number): Promise<number> {
  return (await client.query<{ count: number }>(sql, [param])).rows[0].count;
}
const memberCount = (client: Client, roomId: string) => count(client, 'SELECT COUNT(*)::int AS count FROM room_members WHERE room_id = $1', roomId);
// Direct-message rooms are bounded by the friends limit instead.
const userRoomCount = (client: Client, userId: number) =>
  count(client, 'SELECT COUNT(*)::int AS count FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = $1 AND r.direct_key IS NULL', userId);
const lockUser = (client: Client, userId: number) => client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);

async function deleteRows(client: Client, roomId: string): Promise<RoomDeletion> {
  const members = await client.query<{ user_id: number }>('SELECT user_id FROM room_members WHERE room_id = $1', [roomId]);
  // The room's upload rows go with it; the uploads feature reads the same table.
  const uploads = await client.query<{ filename: string }>('DELETE FROM uploads WHERE room_id = $1 RETURNING filename', [roomId]);
  await client.query('DELETE FROM rooms WHERE id = $1', [roomId]);
  return { status: 'deleted', memberIds: members.rows.map((m) => m.user_id), filenames: uploads.rows.map((u) => u.filename) };
}

export function createPostgresRoomStore(pool: pg.Pool): RoomStore {
  return {
    createRoom: (newRoom: NewRoom, maxRooms: number) =>
      inTransaction(pool, async (client) => {
        await lockUser(client, newRoom.ownerId);
        if ((await userRoomCount(client, newRoom.ownerId)) >= maxRooms) return 'too-many-rooms';
        await client.query('INSERT INTO rooms (id, name, owner_id, password_hash, invite_code, max_members, findable) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          newRoom.id,
          newRoom.name,
          newRoom.ownerId,
          newRoom.passwordHash,
          newRoom.inviteCode,
          newRoom.maxMembers,
          newRoom.findable
        ]);
        await client.query('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2)', [newRoom.id, newRoom.ownerId]);
        return 'created';
      }),

    findRoomById: (roomId) => findRoom(pool, 'id', roomId),
    findRoomByInviteCode: (inviteCode) => findRoom(pool, 'invite_code', inviteCode),
    isRoomMember: (roomId, userId) => isMember(pool, roomId, userId),
    getRoomMemberCount: (roomId) => memberCount(pool, roomId),

    async getRoomMembers(roomId) {
      const { rows } = await pool.query<Timed<RoomMemberRow, 'joined_at'>>(
        `SELECT m.user_id, u.username, m.joined_at FROM room_members m JOIN users u ON u.id = m.user_id
         WHERE m.room_id = $1 ORDER BY m.joined_at, u.username`,
        [roomId]
      );
      return rows.map((m) => ({ ...m, joined_at: iso(m.joined_at) }));
    },

    async getUserRooms(userId) {
      const { rows } = await pool.query<Timed<UserRoomRow, 'created_at'>>(
        `SELECT r.*, (SELECT COUNT(*)::int FROM room_members c WHERE c.room_id = r.id) AS member_count,
           p.id AS peer_id, p.username AS peer_name
         FROM rooms r
         LEFT JOIN room_members o ON r.direct_key IS NOT NULL AND o.room_id = r.id AND o.user_id <> $1
         LEFT JOIN users p ON p.id = o.user_id
         JOIN room_members m ON m.room_id = r.id WHERE m.user_id = $1 ORDER BY m.joined_at DESC, r.name`,
        [userId]
      );
      return rows.map((r) => room<UserRoomRow>(r));
    },

    async getUserRoomIds(userId) {
      const { rows } = await pool.query<{ room_id: string }>('SELECT room_id FROM room_members WHERE user_id = $1', [userId]);
      return rows.map((row) => row.room_id);
    },

    addMember: (roomId, userId, maxRooms, findableOnly = false) =>
      inTransaction(pool, async (client): Promise<JoinOutcome> => {
        await lockUser(client, userId);
        const locked = await findRoom(client, 'id', roomId, true);
        if (!locked || (findableOnly && !locked.findable)) return 'gone';
        if (await isMember(client, roomId, userId)) return 'already-member';
        if ((await memberCount(client, roomId)) >= locked.max_members) return 'full';
        if ((await userRoomCount(client, userId)) >= maxRooms) return 'too-many-rooms';
        await client.query('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2)', [roomId, userId]);
        return 'joined';
      }),

    setFindable: (roomId, ownerId, findable) =>
      inTransaction(pool, async (client): Promise<SettingsOutcome> => {
        const locked = await findRoom(client, 'id', roomId, true);
        if (!locked) return 'gone';
        if (locked.owner_id !== ownerId) return (await isMember(client, roomId, ownerId)) ? 'not-owner' : 'not-member';
        await client.query('UPDATE rooms SET findable = $1 WHERE id = $2', [findable, roomId]);
        return 'updated';
      }),

    async searchFindable(text, userId, limit, offset) {
      // strpos, not LIKE: the text's % and _ are plain characters.
      const { rows } = await pool.query<FoundRoomRow>(
        `SELECT r.id, r.name, r.max_members,
           (SELECT COUNT(*)::int FROM room_members c WHERE c.room_id = r.id) AS member_count,
           r.password_hash IS NOT NULL AS has_password,
           EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = $1) AS is_member
         FROM rooms r WHERE r.findable AND strpos(lower(r.name), lower($2)) > 0
         ORDER BY strpos(lower(r.name), lower($2)) = 1 DESC, lower(r.name), r.id LIMIT $3 OFFSET $4`,
        [userId, text, limit, offset]
      );
      return rows;
    },

    // The user's row first, then their rooms' (in id order), as joins and creations lock: a join or
    // creation by the account waits, and then finds it gone.
    removeAccount: (userId) =>
      inTransaction(pool, async (client): Promise<AccountRemoval | null> => {
        if ((await lockUser(client, userId)).rowCount !== 1) return null;
        const removal: AccountRemoval = { left: [], deleted: [], uploads: [] };
        const owned = await client.query<{ id: string }>('SELECT id FROM rooms WHERE owner_id = $1 ORDER BY id FOR UPDATE', [userId]);
        // A direct-message room is the two of them: it goes with either account.
        const direct = await client.query<{ id: string }>(
          'SELECT r.id FROM rooms r JOIN room_members m ON m.room_id = r.id WHERE m.user_id = $1 AND r.direct_key IS NOT NULL ORDER BY r.id FOR UPDATE OF r',
          [userId]
        );
        const directIds = new Set(direct.rows.map((r) => r.id));
        for (const id of directIds) removal.deleted.push({ roomId: id, deletion: await deleteRows(client, id) });
        for (const { id } of owned.rows) {
          if (directIds.has(id)) continue;
          const heir = await client.query<{ user_id: number }>(
            'SELECT user_id FROM room_members WHERE room_id = $1 AND user_id <> $2 ORDER BY joined_at, user_id LIMIT 1',
            [id, userId]
          );
          if (heir.rows[0]) {
            await client.query('UPDATE rooms SET owner_id = $1 WHERE id = $2', [heir.rows[0].user_id, id]);
            removal.left.push({ roomId: id, passedTo: heir.rows[0].user_id });
          } else {
            removal.deleted.push({ roomId: id, deletion: await deleteRows(client, id) });
          }
        }
        const ownedIds = new Set(owned.rows.map((r) => r.id));
        const memberOf = await client.query<{ room_id: string }>('SELECT room_id FROM room_members WHERE user_id = $1', [userId]);
        for (const { room_id } of memberOf.rows) if (!ownedIds.has(room_id) && !directIds.has(room_id)) removal.left.push({ roomId: room_id });
        const uploads = await client.query<{ filename: string }>('DELETE FROM uploads WHERE user_id = $1 RETURNING filename', [userId]);
        removal.uploads = uploads.rows.map((u) => u.filename);
        // Memberships (and whatever else hangs on the account) go with the row: ON DELETE CASCADE.
        await client.query('DELETE FROM users WHERE id = $1', [userId]);
        return removal;
      }),

    leaveRoom: (roomId, userId) =>
      inTransaction(pool, async (client): Promise<LeaveOutcome> => {
        const locked = await findRoom(client, 'id', roomId, true);
        if (!locked) return { status: 'gone' };
        if (!(await isMember(client, roomId, userId))) return { status: 'not-member' };
        if (locked.owner_id === userId) return deleteRows(client, roomId);
        await client.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
        return { status: 'left' };
      }),

    // The room's row lock orders this against joins and the room's deletion; the member row is
    // deleted and the code changed in one transaction.
    removeOtherMember: (roomId, ownerId, userId, inviteCode) =>
      inTransaction(pool, async (client): Promise<RemoveOutcome> => {
        const locked = await findRoom(client, 'id', roomId, true);
        if (!locked) return { status: 'gone' };
        if (locked.owner_id !== ownerId) return { status: (await isMember(client, roomId, ownerId)) ? 'not-owner' : 'not-member' };
        if (userId === ownerId) return { status: 'self' };
        const removed = await client.query<{ username: string }>(
          `DELETE FROM room_members m USING users u WHERE m.room_id = $1 AND m.user_id = $2 AND u.id = m.user_id RETURNING u.username`,
          [roomId, userId]
        );
        if (removed.rowCount !== 1) return { status: 'not-a-member' };
        await client.query('UPDATE rooms SET invite_code = $1 WHERE id = $2', [inviteCode, roomId]);
        return { status: 'removed', username: removed.rows[0].username };
      }),

    // The unique key settles a race: the second insert waits for the first to commit, then finds it.
    openDirectRoom: (newRoom: NewDirectRoom) =>
      inTransaction(pool, async (client) => {
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO rooms (id, name, owner_id, invite_code, max_members, direct_key) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (direct_key) DO NOTHING RETURNING id`,
          [newRoom.id, newRoom.name, newRoom.ownerId, newRoom.inviteCode, newRoom.maxMembers, newRoom.directKey]
        );
        if (inserted.rowCount === 1) {
          await client.query('INSERT INTO room_members (room_id, user_id) VALUES ($1, $2), ($1, $3)', [newRoom.id, newRoom.ownerId, newRoom.otherId]);
          return { roomId: newRoom.id, created: true };
        }
        const { rows } = await client.query<{ id: string }>('SELECT id FROM rooms WHERE direct_key = $1', [newRoom.directKey]);
        return { roomId: rows[0].id, created: false };
      }),

    deleteRoom: (roomId, userId) =>
      inTransaction(pool, async (client): Promise<DeleteOutcome> => {
        const locked = await findRoom(client, 'id', roomId, true);
        if (!locked) return { status: 'gone' };
        if (locked.owner_id !== userId) return { status: (await isMember(client, roomId, userId)) ? 'not-owner' : 'not-member' };
        return deleteRows(client, roomId);
      })
  };
}
