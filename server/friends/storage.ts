import { sqliteTimeToIso, type SqliteDb } from '../infra/db.ts';

// Friendships and blocks (docs/architecture.md#friends-and-direct-messages): the interface the
// friends service uses, and its SQLite implementation; storage-postgres.ts is the other. A pair has
// one row keyed (least id, greatest id), so two requests crossing each other meet on one key, and
// every rule (limits, blocks) is checked inside the transaction that writes.

export interface PersonRow {
  id: number;
  username: string;
}

export interface FriendRow extends PersonRow {
  /** The pair's direct-message room, once opened. */
  room_id: string | null;
}

export interface RequestRow extends PersonRow {
  /** ISO 8601. */
  created_at: string;
  unseen: boolean;
}

export interface FriendLimits {
  maxFriends: number;
  maxOutgoing: number;
}

/**
 * `requested`: a new request; `already-requested`: it was waiting already; `unheard`: stored, but
 * the other person blocked the sender and never sees it; `accepted`: the other person had asked
 * too, they are friends now.
 */
export type RequestOutcome = 'requested' | 'already-requested' | 'unheard' | 'accepted' | 'already-friends' | 'you-blocked' | 'too-many-friends' | 'too-many-pending';
export type AcceptOutcome = 'accepted' | 'not-found' | 'too-many-friends';

export interface FriendsStore {
  findUserByName(username: string): Promise<PersonRow | undefined>;
  findUserById(id: number): Promise<PersonRow | undefined>;
  request(fromId: number, toId: number, limits: FriendLimits): Promise<RequestOutcome>;
  /** `me` accepts the request `otherId` sent. */
  accept(me: number, otherId: number, maxFriends: number): Promise<AcceptOutcome>;
  /** Deletes the pending request `requesterId` sent to `recipientId`; false when there was none. */
  deleteRequest(requesterId: number, recipientId: number): Promise<boolean>;
  /** Ends a friendship; false when they were not friends. */
  unfriend(a: number, b: number): Promise<boolean>;
  /** Blocks and, in the same transaction, ends their friendship or requests either way. */
  block(blocker: number, blocked: number, maxBlocked: number): Promise<'blocked' | 'too-many'>;
  unblock(blocker: number, blocked: number): Promise<boolean>;
  friends(me: number): Promise<FriendRow[]>;
  /** Requests to `me`, but not from people `me` blocked. */
  incoming(me: number): Promise<RequestRow[]>;
  outgoing(me: number): Promise<RequestRow[]>;
  blocked(me: number): Promise<PersonRow[]>;
  friendIds(me: number): Promise<number[]>;
  /** Who blocked `userId`. */
  blockersOf(userId: number): Promise<number[]>;
  /** The blocks between these people, as [blocker, blocked]. */
  blocksAmong(userIds: number[]): Promise<[number, number][]>;
  /** The blocks between these people and the room's members, either way, as [blocker, blocked]. */
  blocksInRoom(roomId: string, userIds: number[]): Promise<[number, number][]>;
  areFriends(a: number, b: number): Promise<boolean>;
  unseenCount(me: number): Promise<number>;
  markSeen(me: number): Promise<void>;
}

/** The pair's key: least id first. */
export const pairOf = (a: number, b: number): [number, number] => (a < b ? [a, b] : [b, a]);

interface PairRow {
  status: 'pending' | 'accepted';
  requester_id: number;
}

// One SQL text per query for both engines where it can be: the user is `@me`, $1 in
// storage-postgres.ts.
export const SQL = {
  friendCount: `SELECT COUNT(*) AS count FROM friendships WHERE (user_low = @me OR user_high = @me) AND status = 'accepted'`,
  outgoingCount: `SELECT COUNT(*) AS count FROM friendships WHERE requester_id = @me AND (user_low = @me OR user_high = @me) AND status = 'pending'`,
  friends: `SELECT u.id, u.username, r.id AS room_id FROM friendships f
    JOIN users u ON u.id = CASE WHEN f.user_low = @me THEN f.user_high ELSE f.user_low END
    LEFT JOIN rooms r ON r.direct_key = f.user_low || ':' || f.user_high
    WHERE (f.user_low = @me OR f.user_high = @me) AND f.status = 'accepted' ORDER BY lower(u.username)`,
  incoming: `SELECT u.id, u.username, f.created_at, f.unseen_by IS NOT NULL AS unseen FROM friendships f
    JOIN users u ON u.id = f.requester_id
    WHERE (f.user_low = @me OR f.user_high = @me) AND f.requester_id <> @me AND f.status = 'pending'
      AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = @me AND b.blocked_id = f.requester_id)
    ORDER BY f.created_at DESC`,
  outgoing: `SELECT u.id, u.username, f.created_at, FALSE AS unseen FROM friendships f
    JOIN users u ON u.id = CASE WHEN f.user_low = @me THEN f.user_high ELSE f.user_low END
    WHERE f.requester_id = @me AND (f.user_low = @me OR f.user_high = @me) AND f.status = 'pending' ORDER BY f.created_at DESC`,
  blocked: `SELECT u.id, u.username FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = @me ORDER BY lower(u.username)`,
  friendIds: `SELECT CASE WHEN user_low = @me THEN user_high ELSE user_low END AS id FROM friendships
    WHERE (user_low = @me OR user_high = @me) AND status = 'accepted'`,
  unseenCount: `SELECT COUNT(*) AS count FROM friendships WHERE unseen_by = @me`,
  markSeen: `UPDATE friendships SET unseen_by = NULL WHERE unseen_by = @me`
} as const;

/** The named parameter of the shared queries. */
type Me = { me: number };

export function createSqliteFriendsStore(db: SqliteDb): FriendsStore {
  const q = {
    userByName: db.prepare<[string], PersonRow>('SELECT id, username FROM users WHERE username = ?'),
    userById: db.prepare<[number], PersonRow>('SELECT id, username FROM users WHERE id = ?'),
    pair: db.prepare<[number, number], PairRow>('SELECT status, requester_id FROM friendships WHERE user_low = ? AND user_high = ?'),
    insertRequest: db.prepare<[number, number, number, number | null], never>(
      `INSERT INTO friendships (user_low, user_high, status, requester_id, unseen_by) VALUES (?, ?, 'pending', ?, ?)`
    ),
    acceptPair: db.prepare<[number, number, number], never>(`UPDATE friendships SET status = 'accepted', unseen_by = ? WHERE user_low = ? AND user_high = ?`),
    deletePair: db.prepare<[number, number], never>('DELETE FROM friendships WHERE user_low = ? AND user_high = ?'),
    deleteRequest: db.prepare<[number, number, number], never>(
      `DELETE FROM friendships WHERE user_low = ? AND user_high = ? AND requester_id = ? AND status = 'pending'`
    ),
    deleteFriendship: db.prepare<[number, number], never>(`DELETE FROM friendships WHERE user_low = ? AND user_high = ? AND status = 'accepted'`),
    isBlocked: db.prepare<[number, number], { one: 1 }>('SELECT 1 AS one FROM blocks WHERE blocker_id = ? AND blocked_id = ?'),
    insertBlock: db.prepare<[number, number], never>('INSERT INTO blocks (blocker_id, blocked_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    deleteBlock: db.prepare<[number, number], never>('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?'),
    blockers: db.prepare<[number], { blocker_id: number }>('SELECT blocker_id FROM blocks WHERE blocked_id = ?'),
    blocksAmong: db.prepare<[string, string], { blocker_id: number; blocked_id: number }>(
      'SELECT blocker_id, blocked_id FROM blocks WHERE blocker_id IN (SELECT value FROM json_each(?)) AND blocked_id IN (SELECT value FROM json_each(?))'
    ),
    blocksInRoom: db.prepare<{ room: string; ids: string }, { blocker_id: number; blocked_id: number }>(
      `SELECT blocker_id, blocked_id FROM blocks
       WHERE (blocker_id IN (SELECT value FROM json_each(@ids)) AND blocked_id IN (SELECT user_id FROM room_members WHERE room_id = @room))
          OR (blocked_id IN (SELECT value FROM json_each(@ids)) AND blocker_id IN (SELECT user_id FROM room_members WHERE room_id = @room))`
    ),
    blockCount: db.prepare<[number], { count: number }>('SELECT COUNT(*) AS count FROM blocks WHERE blocker_id = ?'),
    friendCount: db.prepare<[Me], { count: number }>(SQL.friendCount),
    outgoingCount: db.prepare<[Me], { count: number }>(SQL.outgoingCount),
    friends: db.prepare<[Me], FriendRow>(SQL.friends),
    incoming: db.prepare<[Me], Omit<RequestRow, 'unseen'> & { unseen: number }>(SQL.incoming),
    outgoing: db.prepare<[Me], Omit<RequestRow, 'unseen'> & { unseen: number }>(SQL.outgoing),
    blocked: db.prepare<[Me], PersonRow>(SQL.blocked),
    friendIds: db.prepare<[Me], { id: number }>(SQL.friendIds),
    unseenCount: db.prepare<[Me], { count: number }>(SQL.unseenCount),
    markSeen: db.prepare<[Me], never>(SQL.markSeen)
  };
  const blocks = (blocker: number, blocked: number) => q.isBlocked.get(blocker, blocked) !== undefined;
  const friendCount = (userId: number) => q.friendCount.get({ me: userId })!.count;
  const requests = (rows: (Omit<RequestRow, 'unseen'> & { unseen: number })[]): RequestRow[] =>
    rows.map((r) => ({ ...r, created_at: sqliteTimeToIso(r.created_at), unseen: r.unseen === 1 }));

  // IMMEDIATE transactions take the write lock first: a crossing request waits and then sees this one.
  const request = db.transaction((fromId: number, toId: number, limits: FriendLimits): RequestOutcome => {
    if (blocks(fromId, toId)) return 'you-blocked';
    const [low, high] = pairOf(fromId, toId);
    const row = q.pair.get(low, high);
    if (row?.status === 'accepted') return 'already-friends';
    if (row && row.requester_id === fromId) return 'already-requested';
    if (friendCount(fromId) >= limits.maxFriends) return 'too-many-friends';
    if (row) {
      // They asked first: this request answers theirs.
      if (friendCount(toId) >= limits.maxFriends) return 'too-many-friends';
      q.acceptPair.run(toId, low, high);
      return 'accepted';
    }
    if (q.outgoingCount.get({ me: fromId })!.count >= limits.maxOutgoing) return 'too-many-pending';
    // Someone who blocked the sender keeps the request unseen and unlisted.
    const unheard = blocks(toId, fromId);
    q.insertRequest.run(low, high, fromId, unheard ? null : toId);
    return unheard ? 'unheard' : 'requested';
  });
  const accept = db.transaction((me: number, otherId: number, maxFriends: number): AcceptOutcome => {
    const [low, high] = pairOf(me, otherId);
    const row = q.pair.get(low, high);
    if (!row || row.status !== 'pending' || row.requester_id !== otherId || blocks(me, otherId)) return 'not-found';
    if (friendCount(me) >= maxFriends || friendCount(otherId) >= maxFriends) return 'too-many-friends';
    q.acceptPair.run(otherId, low, high);
    return 'accepted';
  });
  const block = db.transaction((blocker: number, blocked: number, maxBlocked: number) => {
    if (!blocks(blocker, blocked) && q.blockCount.get(blocker)!.count >= maxBlocked) return 'too-many' as const;
    q.insertBlock.run(blocker, blocked);
    q.deletePair.run(...pairOf(blocker, blocked));
    return 'blocked' as const;
  });

  return {
    findUserByName: async (username) => q.userByName.get(username),
    findUserById: async (id) => q.userById.get(id),
    request: async (fromId, toId, limits) => request.immediate(fromId, toId, limits),
    accept: async (me, otherId, maxFriends) => accept.immediate(me, otherId, maxFriends),
    deleteRequest: async (requesterId, recipientId) => q.deleteRequest.run(...pairOf(requesterId, recipientId), requesterId).changes === 1,
    unfriend: async (a, b) => q.deleteFriendship.run(...pairOf(a, b)).changes === 1,
    block: async (blocker, blocked, maxBlocked) => block.immediate(blocker, blocked, maxBlocked),
    unblock: async (blocker, blocked) => q.deleteBlock.run(blocker, blocked).changes === 1,
    friends: async (me) => q.friends.all({ me }),
    incoming: async (me) => requests(q.incoming.all({ me })),
    outgoing: async (me) => requests(q.outgoing.all({ me })),
    blocked: async (me) => q.blocked.all({ me }),
    friendIds: async (me) => q.friendIds.all({ me }).map((r) => r.id),
    blockersOf: async (userId) => q.blockers.all(userId).map((r) => r.blocker_id),
    async blocksAmong(userIds) {
      if (userIds.length < 2) return [];
      // A JSON array as the one parameter: any number of ids, one statement.
      const ids = JSON.stringify(userIds);
      return q.blocksAmong.all(ids, ids).map((r) => [r.blocker_id, r.blocked_id]);
    },
    async blocksInRoom(roomId, userIds) {
      if (userIds.length === 0) return [];
      return q.blocksInRoom.all({ room: roomId, ids: JSON.stringify(userIds) }).map((r) => [r.blocker_id, r.blocked_id]);
    },
    areFriends: async (a, b) => q.pair.get(...pairOf(a, b))?.status === 'accepted',
    unseenCount: async (me) => q.unseenCount.get({ me })!.count,
    markSeen: async (me) => {
      q.markSeen.run({ me });
    }
  };
}
