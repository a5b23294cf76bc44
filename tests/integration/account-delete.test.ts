import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEND_INTERVAL_SECONDS, type MessageSend, type NewMessage, type RoomDetails, type RoomSummary } from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import {
  connectSocket,
  eventually,
  HttpClient,
  joinRoom,
  nextEvent,
  record,
  registerUser,
  request,
  TEST_PASSWORD,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';
import { png } from '../support/images.ts';
import { storedUploads } from '../support/uploads.ts';

// Deleting an account (docs/architecture.md#deleting-an-account): the password confirms it; the
// account's rooms pass on or go, its messages leave every room live, its files and sessions end,
// and its name is free for someone new.

const ctx = useTestApp();
const limited = useTestApp({ AUTH_RATE_LIMIT: '3' });

const user = (name?: string) => registerUser(ctx.app.baseUrl, name);
const users = (n: number) => Promise.all(Array.from({ length: n }, () => user()));
const ids = (...who: TestUser[]) => who.map((u) => u.id).sort((a, b) => a - b);

async function createRoom(owner: TestUser, name: string): Promise<RoomDetails> {
  const res = await owner.client.post('/api/rooms', { name });
  expect(res.status, res.text).toBe(201);
  return res.json as RoomDetails;
}
async function invite(room: RoomDetails, ...who: TestUser[]): Promise<void> {
  for (const member of who) expect((await member.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(200);
}
const deleteAccount = (who: TestUser | HttpClient, body: unknown) => ('client' in who ? who.client : who).post('/api/account/delete', body);
const ownerOf = async (roomId: string) => (await ctx.app.sql<{ owner_id: number }>('SELECT owner_id FROM rooms WHERE id = ?', roomId))[0]?.owner_id;
const memberIds = async (roomId: string) =>
  (await ctx.app.sql<{ user_id: number }>('SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id', roomId)).map((r) => r.user_id);

/** Sends a message, waiting out the one-a-second limit. */
async function send(socket: ClientSocket, payload: MessageSend): Promise<NewMessage> {
  for (;;) {
    const ack = await request(socket, 'message:send', payload);
    if (ack.ok) return ack.data;
    if (ack.error.code !== 'RATE_LIMITED') throw new Error(ack.error.message);
    await new Promise((r) => setTimeout(r, SEND_INTERVAL_SECONDS * 250));
  }
}

describe('POST /api/account/delete', () => {
  it('needs the current password: a wrong one, a bad body or no session changes nothing', async () => {
    const [alice, bob] = await users(2);
    const room = await createRoom(alice, 'Still here');
    await invite(room, bob);
    const wrong = await deleteAccount(alice, { password: 'not-my-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toBe('Wrong password');
    for (const body of [{}, { password: '' }, { password: 12 }, { password: TEST_PASSWORD, extra: 1 }, 'password']) {
      const res = await deleteAccount(alice, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await deleteAccount(new HttpClient(ctx.app.baseUrl), { password: TEST_PASSWORD })).status).toBe(401);
    expect((await alice.client.get('/api/auth/me')).status).toBe(200);
    expect(await ownerOf(room.id)).toBe(alice.id);
    expect(await memberIds(room.id)).toEqual(ids(alice, bob));
  });

  it('hands owned rooms to the longest-standing member, deletes rooms left empty, and leaves the rest', async () => {
    const [alice, bob, cat, dan] = await users(4);
    const shared = await createRoom(alice, 'Shared');
    await invite(shared, bob, cat);
    // Cat joined first (earlier joined_at), Bob later: Cat inherits.
    await ctx.app.sql("UPDATE room_members SET joined_at = '2020-01-01 00:00:00' WHERE room_id = ? AND user_id = ?", shared.id, cat.id);
    await ctx.app.sql("UPDATE room_members SET joined_at = '2021-01-01 00:00:00' WHERE room_id = ? AND user_id = ?", shared.id, bob.id);
    // Same moment: the lower user id inherits.
    const tied = await createRoom(alice, 'Tied');
    await invite(tied, dan, bob);
    await ctx.app.sql("UPDATE room_members SET joined_at = '2020-01-01 00:00:00' WHERE room_id = ? AND user_id <> ?", tied.id, alice.id);
    const alone = await createRoom(alice, 'Alone');
    const bobs = await createRoom(bob, 'Bobs');
    await invite(bobs, alice);

    const catSocket = await connectSocket(ctx.app.baseUrl, cat.cookie);
    const catsList = nextEvent(catSocket, 'rooms:changed');
    const bobSocket = await connectSocket(ctx.app.baseUrl, bob.cookie);
    await joinRoom(bobSocket, bobs.id);
    const left = nextEvent(bobSocket, 'room:member-left', (e) => e.roomId === bobs.id && e.userId === alice.id);
    const members = nextEvent(bobSocket, 'room:members', (e) => e.roomId === bobs.id && !e.members.some((m) => m.userId === alice.id));

    const res = await deleteAccount(alice, { password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(await ownerOf(shared.id)).toBe(cat.id);
    expect(await memberIds(shared.id)).toEqual(ids(bob, cat));
    expect(await ownerOf(tied.id)).toBe(Math.min(bob.id, dan.id));
    expect(await ownerOf(alone.id)).toBeUndefined();
    expect(await memberIds(bobs.id)).toEqual([bob.id]);
    expect((await left).reason).toBe('left');
    expect((await members).members.map((m) => m.userId)).toEqual([bob.id]);

    // The heir's room list hears of it, and the heir now has the owner's powers.
    await catsList;
    const listed = (await cat.client.get('/api/rooms')).json as RoomSummary[];
    expect(listed.find((r) => r.id === shared.id)?.isOwner).toBe(true);
    const details = (await cat.client.get(`/api/rooms/${shared.id}`)).json as RoomDetails;
    expect(details.isOwner).toBe(true);
    expect((await cat.client.delete(`/api/rooms/${shared.id}/members/${bob.id}`)).status).toBe(200);
    expect((await ctx.app.sql('SELECT 1 FROM users WHERE id = ?', alice.id)).length).toBe(0);
    bobSocket.disconnect();
    catSocket.disconnect();
  });

  it('takes the account’s messages out of every room live, including rooms it left', async () => {
    const [alice, bob] = await users(2);
    const stays = await createRoom(bob, 'Stays');
    const leaves = await createRoom(bob, 'Leaves');
    await invite(stays, alice);
    await invite(leaves, alice);
    const aliceSocket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    await joinRoom(aliceSocket, stays.id);
    await joinRoom(aliceSocket, leaves.id);
    const first = await send(aliceSocket, { roomId: stays.id, type: 'text', content: 'one' });
    const bobsOwn = await send(await connectSocket(ctx.app.baseUrl, bob.cookie), { roomId: stays.id, type: 'text', content: 'mine' });
    const second = await send(aliceSocket, { roomId: stays.id, type: 'text', content: 'two' });
    const elsewhere = await send(aliceSocket, { roomId: leaves.id, type: 'text', content: 'before I go' });
    expect((await alice.client.post(`/api/rooms/${leaves.id}/leave`)).status).toBe(200);

    const inStays = await connectSocket(ctx.app.baseUrl, bob.cookie);
    const inLeaves = await connectSocket(ctx.app.baseUrl, bob.cookie);
    await joinRoom(inStays, stays.id);
    expect((await joinRoom(inLeaves, leaves.id)).messages.map((m) => m.id)).toEqual([elsewhere.id]);
    const deletedInStays = record(inStays, 'message:deleted');
    const deletedInLeaves = record(inLeaves, 'message:deleted');
    const aliceGone = new Promise<void>((resolve) => aliceSocket.once('disconnect', () => resolve()));

    expect((await deleteAccount(alice, { password: TEST_PASSWORD })).status).toBe(200);
    await aliceGone;
    await eventually(() => deletedInStays.length === 2 && deletedInLeaves.length === 1, 5000, 'the deletions');
    expect(deletedInStays.map((d) => d.messageId).sort()).toEqual([first.id, second.id].sort());
    expect(deletedInLeaves).toEqual([{ roomId: leaves.id, messageId: elsewhere.id }]);

    // A fresh look at the rooms shows only what others wrote.
    const again = await connectSocket(ctx.app.baseUrl, bob.cookie);
    expect((await joinRoom(again, stays.id)).messages.map((m) => m.id)).toEqual([bobsOwn.id]);
    expect((await joinRoom(again, leaves.id)).messages).toEqual([]);
    for (const s of [inStays, inLeaves, again]) s.disconnect();
  });

  it('removes the account’s uploads from storage, sent or not', async () => {
    const [alice, bob] = await users(2);
    const room = await createRoom(bob, 'Pictures');
    await invite(room, alice);
    const uploadOne = async (who: TestUser) => {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(png())], { type: 'image/png' }), 'picture.png');
      const res = await who.client.post('/api/upload', form);
      expect(res.status).toBe(201);
      return res.json.url as string;
    };
    const sentUrl = await uploadOne(alice);
    const unsentUrl = await uploadOne(alice);
    const bobsUrl = await uploadOne(bob);
    const socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    await joinRoom(socket, room.id);
    await send(socket, { roomId: room.id, type: 'image', content: sentUrl });
    const stored = () => storedUploads(ctx.app).list();
    const file = (url: string) => `messages/${path.basename(url)}`;
    expect(await stored()).toEqual(expect.arrayContaining([file(sentUrl), file(unsentUrl), file(bobsUrl)]));

    expect((await deleteAccount(alice, { password: TEST_PASSWORD })).status).toBe(200);
    const left = await stored();
    expect(left).toContain(file(bobsUrl));
    expect(left).not.toContain(file(sentUrl));
    expect(left).not.toContain(file(unsentUrl));
    expect(await ctx.app.sql('SELECT filename FROM uploads WHERE user_id = ?', alice.id)).toEqual([]);
    expect((await fetch(`${ctx.app.baseUrl}${sentUrl}`, { headers: { cookie: bob.cookie } })).status).toBe(404);
  });

  it('takes the profile picture with it', async () => {
    const alice = await user();
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(png({ width: 4, height: 4 }))], { type: 'image/png' }), 'me.png');
    const set = await alice.client.post('/api/account/avatar', form);
    expect(set.status).toBe(201);
    const avatar = set.json.avatar as string;
    const file = `avatars/${path.basename(avatar)}`;
    expect(await storedUploads(ctx.app).list()).toContain(file);

    expect((await deleteAccount(alice, { password: TEST_PASSWORD })).status).toBe(200);
    expect(await storedUploads(ctx.app).list()).not.toContain(file);
    expect((await fetch(`${ctx.app.baseUrl}${avatar}`)).status).toBe(404);
  });

  it('ends its friendships, and its direct conversations close for the friend, whichever of the two owned them', async () => {
    const [alice, bob, cat] = await users(3);
    const befriend = async (a: TestUser, b: TestUser) => {
      expect((await a.client.post('/api/friends/requests', { username: b.username })).status).toBe(200);
      expect((await b.client.post(`/api/friends/requests/${a.id}/accept`)).status).toBe(200);
      const direct = await a.client.post(`/api/friends/${b.id}/direct`);
      expect(direct.status).toBe(200);
      return direct.json.roomId as string;
    };
    // Ids grow with registration: Alice owns her conversation with Bob, Bob owns his with Cat.
    const withAlice = await befriend(alice, bob);
    const withCat = await befriend(bob, cat);
    const aliceSocket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    await joinRoom(aliceSocket, withAlice);
    const closed = nextEvent(aliceSocket, 'room:closed', (e) => e.roomId === withAlice);

    expect((await deleteAccount(bob, { password: TEST_PASSWORD })).status).toBe(200);
    expect((await closed).reason).toBe('deleted');
    for (const [friend, roomId] of [[alice, withAlice], [cat, withCat]] as const) {
      const overview = (await friend.client.get('/api/friends')).json as { friends: { userId: number }[] };
      expect(overview.friends).toEqual([]);
      const rooms = (await friend.client.get('/api/rooms')).json as RoomSummary[];
      expect(rooms.map((r) => r.id)).not.toContain(roomId);
      expect((await friend.client.get(`/api/rooms/${roomId}`)).status).toBe(404);
    }
    expect(await ctx.app.sql('SELECT id FROM rooms WHERE id IN (?, ?)', withAlice, withCat)).toEqual([]);
    aliceSocket.disconnect();
  });

  it('ends every session: the cookie is cleared, other sessions and sockets stop working', async () => {
    const alice = await user();
    const otherTab = new HttpClient(ctx.app.baseUrl);
    expect((await otherTab.post('/api/auth/login', { username: alice.username, password: TEST_PASSWORD })).status).toBe(200);
    const socket = await connectSocket(ctx.app.baseUrl, otherTab.cookie);
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const oldCookie = alice.cookie;

    const res = await deleteAccount(alice, { password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^token=;/);
    await closed;
    expect((await otherTab.get('/api/auth/me')).status).toBe(401);
    const replay = new HttpClient(ctx.app.baseUrl);
    replay.cookie = oldCookie;
    expect((await replay.get('/api/auth/me')).status).toBe(401);
    expect((await replay.get('/api/rooms')).status).toBe(401);
    await expect(connectSocket(ctx.app.baseUrl, oldCookie)).rejects.toThrow();
    // Signing in with the old password finds no account.
    expect((await new HttpClient(ctx.app.baseUrl).post('/api/auth/login', { username: alice.username, password: TEST_PASSWORD })).status).toBe(401);
  });

  it('frees the username for someone new, who inherits nothing', async () => {
    const name = `gone_${process.pid % 10000}`;
    const [first, bob] = [await user(name), await user()];
    const room = await createRoom(bob, 'Was shared');
    await invite(room, first);
    const own = await createRoom(first, 'Own');
    await invite(own, bob);
    expect((await deleteAccount(first, { password: TEST_PASSWORD })).status).toBe(200);

    const second = await user(name.toUpperCase());
    expect(second.id).not.toBe(first.id);
    expect((await second.client.get('/api/rooms')).json as RoomSummary[]).toEqual([]);
    expect((await second.client.get(`/api/rooms/${room.id}`)).status).toBe(403);
    expect(await ownerOf(own.id)).toBe(bob.id);
    // The old session does not become the new account's.
    const replay = new HttpClient(ctx.app.baseUrl);
    replay.cookie = first.cookie;
    expect((await replay.get('/api/auth/me')).status).toBe(401);
  });
});

describe('password guesses', () => {
  it('are limited like sign-in', async () => {
    const alice = await registerUser(limited.app.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await deleteAccount(alice, { password: `guess-${i}` })).status);
    expect(statuses.slice(0, 3)).toEqual([403, 403, 403]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // Even the right password waits now; the account is untouched.
    expect((await deleteAccount(alice, { password: TEST_PASSWORD })).status).toBe(429);
    expect((await alice.client.get('/api/auth/me')).status).toBe(200);
  });
});
