import { describe, expect, it } from 'vitest';
import {
  FRIEND_REQUESTS_PER_HOUR,
  MAX_FRIENDS,
  MAX_OUTGOING_FRIEND_REQUESTS,
  SEND_INTERVAL_SECONDS,
  USER_MAX_ROOMS,
  type FriendsOverview,
  type RoomDetails,
  type RoomSummary
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import {
  HttpClient,
  connectSocket,
  createRoom,
  eventually,
  joinRoom,
  joinRoomOverRest,
  nextEvent,
  quietPeriod,
  record,
  registerUser,
  request,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';

// Friends, blocks and direct messages (docs/architecture.md#friends-and-direct-messages), as the
// people involved observe them over REST and their sockets.

const ctx = useTestApp();

const user = () => registerUser(ctx.app.baseUrl);
const users = (n: number) => Promise.all(Array.from({ length: n }, () => user()));
const socketOf = (u: TestUser) => connectSocket(ctx.app.baseUrl, u.cookie, { origin: ctx.app.baseUrl });

async function overview(u: TestUser): Promise<FriendsOverview> {
  const res = await u.client.get('/api/friends');
  expect(res.status).toBe(200);
  return res.json as FriendsOverview;
}
const ask = (from: TestUser, to: TestUser | string) => from.client.post('/api/friends/requests', { username: typeof to === 'string' ? to : to.username });
const accept = (u: TestUser, from: TestUser) => u.client.post(`/api/friends/requests/${from.id}/accept`);
const block = (u: TestUser, other: TestUser) => u.client.post('/api/friends/blocks', { username: other.username });
const openDirect = (u: TestUser, friend: TestUser) => u.client.post(`/api/friends/${friend.id}/direct`);

async function befriend(a: TestUser, b: TestUser): Promise<void> {
  expect((await ask(a, b)).json).toEqual({ status: 'requested' });
  expect((await accept(b, a)).status).toBe(200);
}

async function directRoom(a: TestUser, b: TestUser): Promise<string> {
  const res = await openDirect(a, b);
  expect(res.status).toBe(200);
  return res.json.roomId as string;
}

const pairRows = (a: TestUser, b: TestUser) =>
  ctx.app.sql<{ status: string }>('SELECT status FROM friendships WHERE user_low = ? AND user_high = ?', Math.min(a.id, b.id), Math.max(a.id, b.id));

/** Sends a text and answers the acknowledgement; waits out the one-message-a-second limit first. */
async function say(socket: ClientSocket, roomId: string, content: string) {
  await new Promise((r) => setTimeout(r, SEND_INTERVAL_SECONDS * 1000 + 50));
  return request(socket, 'message:send', { roomId, type: 'text', content });
}

/** Inserts people straight into the database: for the limits, which take many. */
async function insertUsers(prefix: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const name = `${prefix}${i}`;
    await ctx.app.sql('INSERT INTO users (username, password_hash) VALUES (?, ?)', name, 'x');
    ids.push((await ctx.app.sql<{ id: number }>('SELECT id FROM users WHERE username = ?', name))[0].id);
  }
  return ids;
}

describe('requests', () => {
  it('a request reaches the other person live with a badge; accepting makes them friends on both sides', async () => {
    const [ann, bob] = await users(2);
    const [annSocket, bobSocket] = await Promise.all([socketOf(ann), socketOf(bob)]);
    const bobHears = nextEvent(bobSocket, 'friends:changed', (e) => e.reason === 'request');
    expect((await ask(ann, bob)).json).toEqual({ status: 'requested' });
    expect(await bobHears).toEqual({ reason: 'request', unseen: 1 });

    const bobSees = await overview(bob);
    expect(bobSees.unseen).toBe(1);
    expect(bobSees.incoming).toMatchObject([{ userId: ann.id, username: ann.username, unseen: true }]);
    expect((await overview(ann)).outgoing).toMatchObject([{ userId: bob.id, username: bob.username }]);

    // Seen: the badge goes to zero on all of Bob's tabs.
    const cleared = nextEvent(bobSocket, 'friends:changed', (e) => e.unseen === 0);
    expect((await bob.client.post('/api/friends/seen')).status).toBe(200);
    await cleared;
    expect((await overview(bob)).unseen).toBe(0);

    // The answer reaches Ann live and counts in her badge.
    const annHears = nextEvent(annSocket, 'friends:changed', (e) => e.reason === 'accepted');
    expect((await accept(bob, ann)).status).toBe(200);
    expect(await annHears).toEqual({ reason: 'accepted', unseen: 1 });

    const annSees = await overview(ann);
    expect(annSees.friends).toEqual([{ userId: bob.id, username: bob.username, online: true, roomId: null }]);
    expect(annSees.outgoing).toEqual([]);
    expect((await overview(bob)).friends).toMatchObject([{ userId: ann.id, online: true }]);
    expect((await overview(bob)).incoming).toEqual([]);
  });

  it('asking again, or asking a friend, changes nothing', async () => {
    const [ann, bob] = await users(2);
    await ask(ann, bob);
    expect((await ask(ann, bob)).json).toEqual({ status: 'requested' });
    expect(await pairRows(ann, bob)).toEqual([{ status: 'pending' }]);
    await accept(bob, ann);
    expect((await ask(ann, bob)).json).toEqual({ status: 'accepted' });
    expect((await ask(bob, ann)).json).toEqual({ status: 'accepted' });
    expect(await pairRows(ann, bob)).toEqual([{ status: 'accepted' }]);
  });

  it('decline removes the request for both; only the recipient can decline and only the sender cancel', async () => {
    const [ann, bob, cat] = await users(3);
    await ask(ann, bob);
    expect((await ann.client.post(`/api/friends/requests/${bob.id}/decline`)).status).toBe(404);
    expect((await accept(ann, bob)).status).toBe(404);
    expect((await cat.client.post(`/api/friends/requests/${ann.id}/decline`)).status).toBe(404);
    expect((await bob.client.post(`/api/friends/requests/${ann.id}/decline`)).status).toBe(200);
    expect((await overview(ann)).outgoing).toEqual([]);
    expect((await overview(bob)).incoming).toEqual([]);
    expect((await bob.client.post(`/api/friends/requests/${ann.id}/decline`)).status).toBe(404);

    await ask(ann, cat);
    expect((await cat.client.delete(`/api/friends/requests/${ann.id}`)).status).toBe(404);
    const catSocket = await socketOf(cat);
    const catHears = nextEvent(catSocket, 'friends:changed', (e) => e.unseen === 0);
    expect((await ann.client.delete(`/api/friends/requests/${cat.id}`)).status).toBe(200);
    await catHears;
    expect((await overview(cat)).incoming).toEqual([]);
    expect(await pairRows(ann, cat)).toEqual([]);
  });

  it('removing a friend ends it on both sides, live', async () => {
    const [ann, bob] = await users(2);
    await befriend(ann, bob);
    const bobSocket = await socketOf(bob);
    const bobHears = nextEvent(bobSocket, 'friends:changed');
    expect((await ann.client.delete(`/api/friends/${bob.id}`)).status).toBe(200);
    await bobHears;
    expect((await overview(bob)).friends).toEqual([]);
    expect((await overview(ann)).friends).toEqual([]);
    expect((await ann.client.delete(`/api/friends/${bob.id}`)).status).toBe(404);
  });

  it('two people asking each other at the same moment become friends once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const [ann, bob] = await users(2);
      const answers = await Promise.all([ask(ann, bob), ask(bob, ann), ask(ann, bob), ask(bob, ann)]);
      for (const answer of answers) expect(answer.status).toBe(200);
      expect(answers.some((a) => a.json.status === 'accepted')).toBe(true);
      expect(await pairRows(ann, bob)).toEqual([{ status: 'accepted' }]);
      expect((await overview(ann)).friends.map((f) => f.userId)).toEqual([bob.id]);
      expect((await overview(bob)).friends.map((f) => f.userId)).toEqual([ann.id]);
    }
  });

  it('refuses bad input and changes nothing', async () => {
    const [ann, bob] = await users(2);
    expect((await ask(ann, 'nobody_here_at_all')).status).toBe(404);
    expect((await ask(ann, ann)).status).toBe(400);
    expect((await ann.client.post('/api/friends/requests', { username: 'a b' })).status).toBe(400);
    expect((await ann.client.post('/api/friends/requests', { username: [bob.username] })).status).toBe(400);
    expect((await ann.client.post('/api/friends/requests', { username: bob.username, extra: 1 })).status).toBe(400);
    expect((await ann.client.post('/api/friends/requests', 'x')).status).toBe(400);
    expect((await ann.client.post('/api/friends/requests/abc/accept')).status).toBe(404);
    expect((await ann.client.post('/api/friends/requests/0/accept')).status).toBe(404);
    expect((await ann.client.post('/api/friends/blocks', { userId: -1 })).status).toBe(400);
    expect((await ann.client.post('/api/friends/blocks', { userId: ann.id })).status).toBe(400);
    expect((await ann.client.post('/api/friends/blocks', { userId: 999_999_999 })).status).toBe(404);
    expect((await ann.client.delete(`/api/friends/blocks/${bob.id}`)).status).toBe(404);
    expect((await ann.client.post(`/api/friends/${bob.id}/direct`)).status).toBe(404);
    const anonymous = new HttpClient(ctx.app.baseUrl);
    expect((await anonymous.get('/api/friends')).status).toBe(401);
    expect((await anonymous.post('/api/friends/requests', { username: bob.username })).status).toBe(401);
    const count = await ctx.app.sql<{ n: number }>('SELECT COUNT(*) AS n FROM friendships WHERE user_low IN (?, ?)', ann.id, bob.id);
    expect(Number(count[0].n)).toBe(0);
    expect((await overview(bob)).incoming).toEqual([]);
  });
});

describe('limits', () => {
  it(`at most ${MAX_OUTGOING_FRIEND_REQUESTS} requests wait at once`, async () => {
    const ann = await user();
    const prefix = `p${ann.id}x`;
    await insertUsers(prefix, MAX_OUTGOING_FRIEND_REQUESTS + 1);
    for (let i = 0; i < MAX_OUTGOING_FRIEND_REQUESTS; i += 1) expect((await ask(ann, `${prefix}${i}`)).status).toBe(200);
    const refused = await ask(ann, `${prefix}${MAX_OUTGOING_FRIEND_REQUESTS}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatch(/cancel one/);
    expect((await overview(ann)).outgoing).toHaveLength(MAX_OUTGOING_FRIEND_REQUESTS);
  });

  it(`at most ${MAX_FRIENDS} friends, on either side of an acceptance`, async () => {
    const [ann, bob, cat] = await users(3);
    const ids = await insertUsers(`f${ann.id}x`, MAX_FRIENDS);
    for (const id of ids) {
      await ctx.app.sql(
        `INSERT INTO friendships (user_low, user_high, status, requester_id) VALUES (?, ?, 'accepted', ?)`,
        Math.min(ann.id, id),
        Math.max(ann.id, id),
        id
      );
    }
    expect((await ask(ann, bob)).status).toBe(409);
    await ask(cat, ann);
    expect((await accept(ann, cat)).status).toBe(409);
    expect(await pairRows(ann, cat)).toEqual([{ status: 'pending' }]);
    expect((await overview(ann)).friends).toHaveLength(MAX_FRIENDS);
  });

  it(`at most ${FRIEND_REQUESTS_PER_HOUR} requests an hour`, async () => {
    const [ann, bob] = await users(2);
    for (let i = 0; i < FRIEND_REQUESTS_PER_HOUR; i += 1) expect((await ask(ann, bob)).status).toBe(200);
    const refused = await ask(ann, bob);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('blocking', () => {
  it('is silent: the blocked person’s request gets the usual answer and never reaches the blocker', async () => {
    const [ann, bob] = await users(2);
    expect((await block(bob, ann)).status).toBe(200);
    const bobSocket = await socketOf(bob);
    const heard = record(bobSocket, 'friends:changed');
    expect(await ask(ann, bob)).toMatchObject({ status: 200, json: { status: 'requested' } });
    await quietPeriod();
    expect(heard).toEqual([]);
    const bobSees = await overview(bob);
    expect(bobSees.incoming).toEqual([]);
    expect(bobSees.unseen).toBe(0);
    expect(bobSees.blocked).toEqual([{ userId: ann.id, username: ann.username }]);
    // To Ann it looks like any request waiting for an answer.
    expect((await overview(ann)).outgoing).toMatchObject([{ userId: bob.id }]);
    expect((await accept(bob, ann)).status).toBe(404);
    // The blocker is told plainly that they blocked.
    expect((await ask(bob, ann)).status).toBe(409);
  });

  it('ends a friendship and pending requests, closes their direct messages and hides presence', async () => {
    const [ann, bob, cat] = await users(3);
    await befriend(ann, bob);
    await ask(ann, cat);
    const roomId = await directRoom(ann, bob);
    const [annSocket, bobSocket] = await Promise.all([socketOf(ann), socketOf(bob)]);
    await Promise.all([joinRoom(annSocket, roomId), joinRoom(bobSocket, roomId)]);
    expect((await say(annSocket, roomId, 'hi bob')).ok).toBe(true);

    expect((await bob.client.post('/api/friends/blocks', { userId: ann.id })).status).toBe(200);
    expect((await cat.client.post('/api/friends/blocks', { username: ann.username })).status).toBe(200);
    expect(await pairRows(ann, bob)).toEqual([]);
    expect(await pairRows(ann, cat)).toEqual([]);
    expect((await overview(ann)).friends).toEqual([]);
    expect((await overview(ann)).outgoing).toEqual([]);

    for (const [socket, who] of [
      [annSocket, 'ann'],
      [bobSocket, 'bob']
    ] as const) {
      const refused = await say(socket, roomId, `from ${who}`);
      expect(refused).toMatchObject({ ok: false, error: { code: 'DIRECT_CLOSED' } });
    }
    expect((await openDirect(ann, bob)).status).toBe(404);
    // Ann no longer learns when Bob comes and goes.
    const dots = record(annSocket, 'friend:presence');
    const bobAgain = await socketOf(bob);
    bobAgain.disconnect();
    await quietPeriod();
    expect(dots).toEqual([]);
    // Unblocked, they are strangers: nothing comes back by itself.
    expect((await bob.client.delete(`/api/friends/blocks/${ann.id}`)).status).toBe(200);
    expect((await overview(bob)).blocked).toEqual([]);
    expect((await overview(bob)).friends).toEqual([]);
  });

  it('hides the blocked person’s messages in the blocker’s history, and only there', async () => {
    const [ann, bob, cat] = await users(3);
    const room = await createRoom(ann, [bob, cat]);
    const [annSocket, bobSocket, catSocket] = await Promise.all([socketOf(ann), socketOf(bob), socketOf(cat)]);
    await Promise.all([joinRoom(annSocket, room.id), joinRoom(bobSocket, room.id), joinRoom(catSocket, room.id)]);
    expect((await say(annSocket, room.id, 'from ann')).ok).toBe(true);
    expect((await say(bobSocket, room.id, 'from bob')).ok).toBe(true);
    await block(cat, ann);

    const catSees = await joinRoom(await socketOf(cat), room.id);
    expect(catSees.messages.map((m) => m.content)).toEqual(['from bob']);
    const bobSees = await joinRoom(await socketOf(bob), room.id);
    expect(bobSees.messages.map((m) => m.content)).toEqual(['from ann', 'from bob']);
    const older = await request(catSocket, 'room:history-older', { roomId: room.id, beforeId: bobSees.messages[1].id });
    expect(older.ok && older.data.messages).toEqual([]);

    // Live too: Cat's sockets, in the room or elsewhere, are not sent what Ann says now.
    const catHears = record(catSocket, 'message:new');
    const catActivity = record(await socketOf(cat), 'room:activity');
    const bobGets = nextEvent(bobSocket, 'message:new', (m) => m.content === 'ann again');
    expect((await say(annSocket, room.id, 'ann again')).ok).toBe(true);
    await bobGets;
    await quietPeriod();
    expect(catHears).toEqual([]);
    expect(catActivity).toEqual([]);
    const catGets = nextEvent(catSocket, 'message:new', (m) => m.content === 'bob again');
    expect((await say(bobSocket, room.id, 'bob again')).ok).toBe(true);
    await catGets;
    // The other socket would have heard Ann: it hears Bob.
    await eventually(() => catActivity.length === 1, 5000, 'activity of Bob');
    expect(catActivity[0].last?.userId).toBe(bob.id);
  });
});

describe('blocking hides presence', () => {
  it('the blocked person never sees the blocker online in a room they share; others do', async () => {
    const [ann, bob, cat, dan] = await users(4);
    const room = await createRoom(ann, [bob, cat]);
    await block(cat, ann);
    const [annSocket, bobSocket] = await Promise.all([socketOf(ann), socketOf(bob)]);
    await Promise.all([joinRoom(annSocket, room.id), joinRoom(bobSocket, room.id)]);
    const annDots = record(annSocket, 'room:presence');
    const bobSeesCat = nextEvent(bobSocket, 'room:presence', (e) => e.userId === cat.id && e.online);

    const catSocket = await socketOf(cat);
    // Cat's own list shows Ann online: the block hides Cat from Ann, not the other way round.
    const catList = nextEvent(catSocket, 'room:members');
    await joinRoom(catSocket, room.id);
    expect((await catList).members.find((m) => m.userId === ann.id)?.online).toBe(true);
    await bobSeesCat;

    // A membership change sends everyone the list again: Ann's shows Cat offline, Bob's online.
    const annListAfter = nextEvent(annSocket, 'room:members', (e) => e.members.some((m) => m.userId === dan.id));
    const bobListAfter = nextEvent(bobSocket, 'room:members', (e) => e.members.some((m) => m.userId === dan.id));
    await joinRoomOverRest(dan, room);
    expect((await annListAfter).members.find((m) => m.userId === cat.id)?.online).toBe(false);
    expect((await bobListAfter).members.find((m) => m.userId === cat.id)?.online).toBe(true);
    expect(annDots.filter((e) => e.userId === cat.id)).toEqual([]);

    // Ann joining again gets the room's list with Cat offline; Bob gets Cat online.
    const annAgain = await socketOf(ann);
    const annJoinList = nextEvent(annAgain, 'room:members');
    await joinRoom(annAgain, room.id);
    expect((await annJoinList).members.find((m) => m.userId === cat.id)?.online).toBe(false);
    const bobAgain = await socketOf(bob);
    const bobJoinList = nextEvent(bobAgain, 'room:members');
    await joinRoom(bobAgain, room.id);
    expect((await bobJoinList).members.find((m) => m.userId === cat.id)?.online).toBe(true);

    // Cat leaving the room's page: Bob hears it, Ann does not.
    const bobSeesCatGo = nextEvent(bobSocket, 'room:presence', (e) => e.userId === cat.id && !e.online);
    catSocket.disconnect();
    await bobSeesCatGo;
    await quietPeriod();
    expect(annDots.filter((e) => e.userId === cat.id)).toEqual([]);
  });
});

describe('direct messages', () => {
  it('one room however often both open it at the same moment, listed with the friend’s name', async () => {
    const [ann, bob] = await users(2);
    await befriend(ann, bob);
    const opened = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? openDirect(ann, bob) : openDirect(bob, ann))));
    const ids = new Set(opened.map((r) => r.json.roomId as string));
    expect(opened.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(ids.size).toBe(1);
    const [roomId] = ids;
    const key = `${Math.min(ann.id, bob.id)}:${Math.max(ann.id, bob.id)}`;
    expect(await ctx.app.sql('SELECT id FROM rooms WHERE direct_key = ?', key)).toEqual([{ id: roomId }]);
    const members = await ctx.app.sql<{ user_id: number }>('SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id', roomId);
    expect(members.map((m) => m.user_id)).toEqual([ann.id, bob.id].sort((a, b) => a - b));

    const annRooms = (await ann.client.get('/api/rooms')).json as RoomSummary[];
    expect(annRooms).toMatchObject([{ id: roomId, direct: { userId: bob.id, username: bob.username } }]);
    expect((await overview(ann)).friends).toMatchObject([{ userId: bob.id, roomId }]);
  });

  it('carries messages between the two live, and nobody else can get in', async () => {
    const [ann, bob, cat] = await users(3);
    await befriend(ann, bob);
    const roomId = await directRoom(ann, bob);
    const [annSocket, bobSocket, catSocket] = await Promise.all([socketOf(ann), socketOf(bob), socketOf(cat)]);
    await Promise.all([joinRoom(annSocket, roomId), joinRoom(bobSocket, roomId)]);
    const bobGets = nextEvent(bobSocket, 'message:new');
    expect((await say(annSocket, roomId, 'psst')).ok).toBe(true);
    expect((await bobGets).content).toBe('psst');

    const details = (await ann.client.get(`/api/rooms/${roomId}`)).json as RoomDetails;
    expect(details.direct).toEqual({ userId: bob.id, username: bob.username });
    expect((await cat.client.post(`/api/rooms/${roomId}/join`, {})).status).toBe(404);
    expect((await cat.client.post('/api/rooms/join-by-code', { inviteCode: details.inviteCode })).status).toBe(404);
    expect((await cat.client.get(`/api/rooms/invite/${details.inviteCode}`)).status).toBe(404);
    expect((await request(catSocket, 'room:join', { roomId })).ok).toBe(false);
    expect((await say(catSocket, roomId, 'hello?')).ok).toBe(false);
    // The pair stays a pair: no leaving, deleting or removing.
    expect((await ann.client.post(`/api/rooms/${roomId}/leave`)).status).toBe(409);
    expect((await bob.client.delete(`/api/rooms/${roomId}`)).status).toBe(409);
    expect((await ann.client.delete(`/api/rooms/${roomId}/members/${bob.id}`)).status).toBe(409);
    const members = await ctx.app.sql('SELECT user_id FROM room_members WHERE room_id = ?', roomId);
    expect(members).toHaveLength(2);
  });

  it('closes for new messages when the friendship ends; the history stays readable', async () => {
    const [ann, bob] = await users(2);
    await befriend(ann, bob);
    const roomId = await directRoom(ann, bob);
    const annSocket = await socketOf(ann);
    await joinRoom(annSocket, roomId);
    expect((await say(annSocket, roomId, 'before')).ok).toBe(true);
    await bob.client.delete(`/api/friends/${ann.id}`);
    expect(await say(annSocket, roomId, 'after')).toMatchObject({ ok: false, error: { code: 'DIRECT_CLOSED' } });
    const history = await joinRoom(await socketOf(bob), roomId);
    expect(history.messages.map((m) => m.content)).toEqual(['before']);
    // Friends again: the same room opens again.
    await befriend(bob, ann);
    expect(await directRoom(bob, ann)).toBe(roomId);
    expect((await say(annSocket, roomId, 'again')).ok).toBe(true);
  });

  it('does not count against the rooms limit', async () => {
    const [ann, bob] = await users(2);
    await befriend(ann, bob);
    await directRoom(ann, bob);
    for (let i = 0; i < USER_MAX_ROOMS; i += 1) expect((await ann.client.post('/api/rooms', { name: `Room ${i}` })).status).toBe(201);
    expect((await ann.client.post('/api/rooms', { name: 'One too many' })).status).toBe(409);
  });
});

describe('presence', () => {
  it('tells friends live when someone comes online and goes offline', async () => {
    const [ann, bob] = await users(2);
    await befriend(ann, bob);
    const annSocket = await socketOf(ann);
    const comesOnline = nextEvent(annSocket, 'friend:presence', (e) => e.userId === bob.id && e.online);
    const bobSocket = await socketOf(bob);
    await comesOnline;
    expect((await overview(ann)).friends).toMatchObject([{ userId: bob.id, online: true }]);
    const goesOffline = nextEvent(annSocket, 'friend:presence', (e) => e.userId === bob.id && !e.online);
    bobSocket.disconnect();
    await goesOffline;
    expect((await overview(ann)).friends).toMatchObject([{ userId: bob.id, online: false }]);
  });
});
