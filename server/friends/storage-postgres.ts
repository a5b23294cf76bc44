import type pg from 'pg';
import { inTransaction } from '../infra/db.ts';
import { pairOf, SQL, type AcceptOutcome, type FriendLimits, type FriendsStore, type PersonRow, type RequestOutcome, type RequestRow } from './storage.ts';

// Friendships and blocks in PostgreSQL: the FriendsStore of storage.ts. Every change that a rule
// guards locks both people's user rows first, least id first (so two transactions never wait on
// each other): a crossing request waits for the first, then finds its row and accepts it; the
// limits are counted under the same locks.

type Client = pg.Pool | pg.PoolClient;

/** The shared SQL with PostgreSQL's numbered placeholders and integer counts. */
const pgSql = (sql: string) => sql.replace(/@me/g, '$1').replace(/COUNT\(\*\)/g, 'COUNT(*)::int');

const S = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, pgSql(sql)])) as { [K in keyof typeof SQL]: string };

async function count(client: Client, sql: string, userId: number): Promise<number> {
  return (await client.query<{ count: number }>(sql, [userId])).rows[0].count;
}

async function lockPair(client: Client, a: number, b: number): Promise<void> {
  await client.query('SELECT 1 FROM users WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [pairOf(a, b)]);
}

async function pairRow(client: Client, a: number, b: number) {
  const { rows } = await client.query<{ status: 'pending' | 'accepted'; requester_id: number }>(
    'SELECT status, requester_id FROM friendships WHERE user_low = $1 AND user_high = $2',
    pairOf(a, b)
  );
  return rows[0];
}

async function blocks(client: Client, blocker: number, blocked: number): Promise<boolean> {
  return (await client.query('SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', [blocker, blocked])).rowCount === 1;
}

const acceptPair = (client: Client, requesterId: number, otherId: number) =>
  client.query(`UPDATE friendships SET status = 'accepted', unseen_by = $1 WHERE user_low = $2 AND user_high = $3`, [requesterId, ...pairOf(requesterId, otherId)]);

type RawRequest = Omit<RequestRow, 'created_at'> & { created_at: Date };
const requests = (rows: RawRequest[]): RequestRow[] => rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() }));

export function createPostgresFriendsStore(pool: pg.Pool): FriendsStore {
  const person = async (sql: string, value: string | number): Promise<PersonRow | undefined> => (await pool.query<PersonRow>(sql, [value])).rows[0];
  const rows = async <T extends pg.QueryResultRow>(sql: string, me: number): Promise<T[]> => (await pool.query<T>(sql, [me])).rows;

  return {
    findUserByName: (username) => person('SELECT id, username FROM users WHERE lower(username) = lower($1)', username),
    findUserById: (id) => person('SELECT id, username FROM users WHERE id = $1', id),

    request: (fromId: number, toId: number, limits: FriendLimits) =>
      inTransaction(pool, async (client): Promise<RequestOutcome> => {
        await lockPair(client, fromId, toId);
        if (await blocks(client, fromId, toId)) return 'you-blocked';
        const row = await pairRow(client, fromId, toId);
        if (row?.status === 'accepted') return 'already-friends';
        if (row && row.requester_id === fromId) return 'already-requested';
        if ((await count(client, S.friendCount, fromId)) >= limits.maxFriends) return 'too-many-friends';
        if (row) {
          if ((await count(client, S.friendCount, toId)) >= limits.maxFriends) return 'too-many-friends';
          await acceptPair(client, toId, fromId);
          return 'accepted';
        }
        if ((await count(client, S.outgoingCount, fromId)) >= limits.maxOutgoing) return 'too-many-pending';
        const unheard = await blocks(client, toId, fromId);
        await client.query(`INSERT INTO friendships (user_low, user_high, status, requester_id, unseen_by) VALUES ($1, $2, 'pending', $3, $4)`, [
          ...pairOf(fromId, toId),
          fromId,
          unheard ? null : toId
        ]);
        return unheard ? 'unheard' : 'requested';
      }),

    accept: (me: number, otherId: number, maxFriends: number) =>
      inTransaction(pool, async (client): Promise<AcceptOutcome> => {
        await lockPair(client, me, otherId);
        const row = await pairRow(client, me, otherId);
        if (!row || row.status !== 'pending' || row.requester_id !== otherId || (await blocks(client, me, otherId))) return 'not-found';
        if ((await count(client, S.friendCount, me)) >= maxFriends || (await count(client, S.friendCount, otherId)) >= maxFriends) return 'too-many-friends';
        await acceptPair(client, otherId, me);
        return 'accepted';
      }),

    async deleteRequest(requesterId, recipientId) {
      const result = await pool.query(`DELETE FROM friendships WHERE user_low = $1 AND user_high = $2 AND requester_id = $3 AND status = 'pending'`, [
        ...pairOf(requesterId, recipientId),
        requesterId
      ]);
      return result.rowCount === 1;
    },

    async unfriend(a, b) {
      return (await pool.query(`DELETE FROM friendships WHERE user_low = $1 AND user_high = $2 AND status = 'accepted'`, pairOf(a, b))).rowCount === 1;
    },

    block: (blocker, blocked, maxBlocked) =>
      inTransaction(pool, async (client) => {
        await lockPair(client, blocker, blocked);
        const already = await blocks(client, blocker, blocked);
        if (!already && (await count(client, 'SELECT COUNT(*)::int AS count FROM blocks WHERE blocker_id = $1', blocker)) >= maxBlocked) return 'too-many';
        await client.query('INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [blocker, blocked]);
        await client.query('DELETE FROM friendships WHERE user_low = $1 AND user_high = $2', pairOf(blocker, blocked));
        return 'blocked';
      }),

    async unblock(blocker, blocked) {
      return (await pool.query('DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', [blocker, blocked])).rowCount === 1;
    },

    friends: (me) => rows(S.friends, me),
    incoming: async (me) => requests(await rows<RawRequest>(S.incoming, me)),
    outgoing: async (me) => requests(await rows<RawRequest>(S.outgoing, me)),
    blocked: (me) => rows(S.blocked, me),
    friendIds: async (me) => (await rows<{ id: number }>(S.friendIds, me)).map((r) => r.id),
    async blockersOf(userId) {
      const { rows } = await pool.query<{ blocker_id: number }>('SELECT blocker_id FROM blocks WHERE blocked_id = $1', [userId]);
      return rows.map((r) => r.blocker_id);
    },
    async blocksAmong(userIds) {
      if (userIds.length < 2) return [];
      const { rows } = await pool.query<{ blocker_id: number; blocked_id: number }>(
        'SELECT blocker_id, blocked_id FROM blocks WHERE blocker_id = ANY($1::int[]) AND blocked_id = ANY($1::int[])',
        [userIds]
      );
      return rows.map((r) => [r.blocker_id, r.blocked_id]);
    },
    async blocksInRoom(roomId, userIds) {
      if (userIds.length === 0) return [];
      const { rows } = await pool.query<{ blocker_id: number; blocked_id: number }>(
        `SELECT blocker_id, blocked_id FROM blocks
         WHERE (blocker_id = ANY($1::int[]) AND blocked_id IN (SELECT user_id FROM room_members WHERE room_id = $2))
            OR (blocked_id = ANY($1::int[]) AND blocker_id IN (SELECT user_id FROM room_members WHERE room_id = $2))`,
        [userIds, roomId]
      );
      return rows.map((r) => [r.blocker_id, r.blocked_id]);
    },
    areFriends: async (a, b) => (await pairRow(pool, a, b))?.status === 'accepted',
    unseenCount: (me) => count(pool, S.unseenCount, me),
    async markSeen(me) {
      await pool.query(S.markSeen, [me]);
    }
  };
}
