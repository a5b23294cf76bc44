import { describe, expect, it } from 'vitest';
import {
  ROOM_MAX_MEMBERS,
  ROOM_SEARCH_MAX_OFFSET,
  ROOM_SEARCH_PAGE_SIZE,
  ROOM_SEARCH_QUERY_MAX,
  ROOM_SEARCHES_PER_MINUTE,
  USER_MAX_ROOMS,
  type RoomDetails,
  type RoomSearchResult
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { connectSocket, joinRoom, nextEvent, registerUser, type TestUser } from '../support/client.ts';

// Public rooms (docs/architecture.md#public-rooms): findable rooms are found by name and joined
// without an invite, under the same member, room and password rules as invites.

const ctx = useTestApp();

const user = () => registerUser(ctx.app.baseUrl);
const users = (n: number) => Promise.all(Array.from({ length: n }, () => user()));

async function createRoom(owner: TestUser, body: { name: string; password?: string; findable?: boolean }): Promise<RoomDetails> {
  const res = await owner.client.post('/api/rooms', body);
  expect(res.status, res.text).toBe(201);
  return res.json as RoomDetails;
}

const search = (who: TestUser, q: string, offset?: number) =>
  who.client.get(`/api/rooms/search?q=${encodeURIComponent(q)}${offset === undefined ? '' : `&offset=${offset}`}`);
async function found(who: TestUser, q: string, offset?: number): Promise<RoomSearchResult> {
  const res = await search(who, q, offset);
  expect(res.status, res.text).toBe(200);
  return res.json as RoomSearchResult;
}
/** The one join without an invite: by room id, findable rooms only. */
const joinById = (who: TestUser, roomId: string, password?: string) =>
  who.client.post(`/api/rooms/${encodeURIComponent(roomId)}/join`, password === undefined ? {} : { password });
const setFindable = (who: TestUser, roomId: string, body: unknown) => who.client.request('PATCH', `/api/rooms/${encodeURIComponent(roomId)}`, body);
const memberIds = async (roomId: string) =>
  (await ctx.app.sql<{ user_id: number }>('SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id', roomId)).map((r) => r.user_id);

/** A name no other test in this file uses, so searches see only this test's rooms. */
let serial = 0;
const unique = (word: string) => `${word}${++serial}x${process.pid % 1000}`;

describe('searching rooms', () => {
  it('finds only findable rooms, by any part of the name in any case, starting matches first', async () => {
    const [owner, seeker] = await users(2);
    const word = unique('Wasp');
    const open = await createRoom(owner, { name: `Garden ${word}`, findable: true });
    const starts = await createRoom(owner, { name: `${word} club`, findable: true, password: 'hive-pass' });
    await createRoom(owner, { name: `Secret ${word}` });
    await createRoom(owner, { name: `Quiet ${word}`, findable: false });

    const result = await found(seeker, word.toLowerCase());
    expect(result).toEqual({
      rooms: [
        { id: starts.id, name: `${word} club`, memberCount: 1, maxMembers: ROOM_MAX_MEMBERS, hasPassword: true, isMember: false },
        { id: open.id, name: `Garden ${word}`, memberCount: 1, maxMembers: ROOM_MAX_MEMBERS, hasPassword: false, isMember: false }
      ],
      hasMore: false
    });
    // The owner sees the rooms they are in marked as theirs.
    expect((await found(owner, word.toUpperCase())).rooms.map((r) => r.isMember)).toEqual([true, true]);
    expect((await found(seeker, `${word}-nothing`)).rooms).toEqual([]);
  });

  it('treats % and _ as plain characters', async () => {
    const [owner, seeker] = await users(2);
    const word = unique('Pct');
    const room = await createRoom(owner, { name: `${word} 100% bees`, findable: true });
    await createRoom(owner, { name: `${word} 1000 bees`, findable: true });
    expect((await found(seeker, '0% b')).rooms.map((r) => r.id)).toEqual([room.id]);
    expect((await found(seeker, `${word}_`)).rooms).toEqual([]);
  });

  it('answers a page at a time: ROOM_SEARCH_PAGE_SIZE rooms, then the rest from an offset', async () => {
    const owners = await users(2);
    const word = unique('Comb');
    const total = ROOM_SEARCH_PAGE_SIZE + 5;
    for (let i = 0; i < total; i += 1) await createRoom(owners[i % 2], { name: `${word} ${String(i).padStart(2, '0')}`, findable: true });
    const first = await found(owners[0], word);
    expect(first.rooms).toHaveLength(ROOM_SEARCH_PAGE_SIZE);
    expect(first.hasMore).toBe(true);
    const second = await found(owners[0], word, ROOM_SEARCH_PAGE_SIZE);
    expect(second.hasMore).toBe(false);
    const names = [...first.rooms, ...second.rooms].map((r) => r.name);
    expect(names).toEqual(Array.from({ length: total }, (_, i) => `${word} ${String(i).padStart(2, '0')}`));
  });

  it('refuses bad queries with 400 and signed-out searches with 401', async () => {
    const seeker = await user();
    const bad = [
      '/api/rooms/search',
      '/api/rooms/search?q=',
      '/api/rooms/search?q=%20%20',
      `/api/rooms/search?q=${'a'.repeat(ROOM_SEARCH_QUERY_MAX + 1)}`,
      '/api/rooms/search?q=bee&offset=-1',
      '/api/rooms/search?q=bee&offset=ten',
      `/api/rooms/search?q=bee&offset=${ROOM_SEARCH_MAX_OFFSET + 1}`,
      '/api/rooms/search?q=bee&q=wasp',
      '/api/rooms/search?q=bee&sort=name'
    ];
    for (const url of bad) {
      const res = await seeker.client.get(url);
      expect(res.status, url).toBe(400);
      expect(typeof res.json.error).toBe('string');
    }
    const res = await fetch(`${ctx.app.baseUrl}/api/rooms/search?q=bee`);
    expect(res.status).toBe(401);
  });

  it(`allows ${ROOM_SEARCHES_PER_MINUTE} searches a minute per user`, async () => {
    const [busy, other] = await users(2);
    for (let i = 0; i < ROOM_SEARCHES_PER_MINUTE; i += 1) expect((await search(busy, 'bee')).status).toBe(200);
    const refused = await search(busy, 'bee');
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/Too many searches/);
    // Another user is not affected.
    expect((await search(other, 'bee')).status).toBe(200);
  });
});

describe('joining a findable room', () => {
  it('lets anyone signed in join without an invite; the room hears it live', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: unique('Open'), findable: true });
    const socket = await connectSocket(ctx.app.baseUrl, owner.cookie);
    await joinRoom(socket, room.id);
    const heard = nextEvent(socket, 'room:member-joined', (e) => e.userId === guest.id);
    const res = await joinById(guest, room.id);
    expect(res.status).toBe(200);
    expect((res.json as RoomDetails).members.map((m) => m.userId)).toEqual([owner.id, guest.id]);
    expect((await heard).username).toBe(guest.username);
    // Joining again is harmless, and the search now says they are a member.
    expect((await joinById(guest, room.id)).status).toBe(200);
    expect((await found(guest, room.name)).rooms[0].isMember).toBe(true);
    socket.disconnect();
  });

  it('refuses an invite-only room as if it did not exist, and changes nothing', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: unique('Closed') });
    expect(room.findable).toBe(false);
    const res = await joinById(guest, room.id);
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('Room not found');
    expect(await memberIds(room.id)).toEqual([owner.id]);
    expect((await joinById(guest, 'nosuchroomnosuchroom1')).status).toBe(404);
    expect((await joinById(guest, 'bad id!')).status).toBe(404);
    expect((await joinById(guest, room.id, 12 as unknown as string)).status).toBe(400);
  });

  it('still asks for the room password, with the room-password limits', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: unique('Locked'), findable: true, password: 'hive-pass' });
    const none = await joinById(guest, room.id);
    expect(none.status).toBe(403);
    expect(none.json.error).toBe('This room needs a password');
    const wrong = await joinById(guest, room.id, 'not-it');
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toBe('Wrong password');
    expect(await memberIds(room.id)).toEqual([owner.id]);
    for (let i = 0; i < 4; i += 1) await joinById(guest, room.id, `guess-${i}`);
    const limited = await joinById(guest, room.id, 'hive-pass');
    expect(limited.status).toBe(429);
    const other = await user();
    expect((await joinById(other, room.id, 'hive-pass')).status).toBe(200);
  });

  it(`admits exactly ${ROOM_MAX_MEMBERS} members when a crowd joins at once`, async () => {
    const owner = await user();
    const room = await createRoom(owner, { name: unique('Crowd'), findable: true });
    const crowd = await users(ROOM_MAX_MEMBERS + 4);
    const answers = await Promise.all(crowd.map((who) => joinById(who, room.id)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(ROOM_MAX_MEMBERS - 1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(5);
    for (const answer of refused) expect(answer.json.error).toBe('This room is full');
    expect(await memberIds(room.id)).toHaveLength(ROOM_MAX_MEMBERS);
    expect((await found(owner, room.name)).rooms[0].memberCount).toBe(ROOM_MAX_MEMBERS);
  }, 30_000);

  it('lets a removed member back by id only while the room is findable', async () => {
    const [owner, removed] = await users(2);
    const room = await createRoom(owner, { name: unique('Second chance') });
    expect((await removed.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(200);
    expect((await owner.client.delete(`/api/rooms/${room.id}/members/${removed.id}`)).status).toBe(200);
    expect((await joinById(removed, room.id)).status).toBe(404);
    expect((await setFindable(owner, room.id, { findable: true })).status).toBe(200);
    expect((await joinById(removed, room.id)).status).toBe(200);
    expect(await memberIds(room.id)).toEqual([owner.id, removed.id].sort((a, b) => a - b));
  });

  it(`keeps the limit of ${USER_MAX_ROOMS} rooms per user`, async () => {
    const [owner, busy] = await users(2);
    const room = await createRoom(owner, { name: unique('Extra'), findable: true });
    for (let i = 0; i < USER_MAX_ROOMS; i += 1) await createRoom(busy, { name: `Mine ${i}` });
    const res = await joinById(busy, room.id);
    expect(res.status).toBe(409);
    expect(await memberIds(room.id)).toEqual([owner.id]);
  });
});

describe('the owner switches findability', () => {
  it('makes an invite-only room findable and back; others cannot', async () => {
    const [owner, member, guest] = await users(3);
    const room = await createRoom(owner, { name: unique('Toggle') });
    expect((await joinById(member, room.id)).status).toBe(404);
    expect((await found(guest, room.name)).rooms).toEqual([]);

    const on = await setFindable(owner, room.id, { findable: true });
    expect(on.status).toBe(200);
    expect((on.json as RoomDetails).findable).toBe(true);
    expect((await found(guest, room.name)).rooms.map((r) => r.id)).toEqual([room.id]);
    expect((await joinById(member, room.id)).status).toBe(200);
    const listed = await member.client.get('/api/rooms');
    expect(listed.json.find((r: RoomDetails) => r.id === room.id)?.findable).toBe(true);

    // A member who is not the owner may not change it.
    const notOwner = await setFindable(member, room.id, { findable: false });
    expect(notOwner.status).toBe(403);
    expect((await setFindable(guest, room.id, { findable: false })).status).toBe(403);

    expect((await setFindable(owner, room.id, { findable: false })).status).toBe(200);
    expect((await found(guest, room.name)).rooms).toEqual([]);
    expect((await joinById(guest, room.id)).status).toBe(404);
    // Members stay members.
    expect(await memberIds(room.id)).toEqual([owner.id, member.id].sort((a, b) => a - b));
  });

  it('refuses bad settings with 400 and changes nothing', async () => {
    const owner = await user();
    const room = await createRoom(owner, { name: unique('Strict') });
    for (const body of [{}, { findable: 'yes' }, { findable: 1 }, { findable: true, name: 'x' }, []]) {
      const res = await setFindable(owner, room.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await owner.client.post('/api/rooms', { name: 'Bad', findable: 'true' })).status).toBe(400);
    expect((await setFindable(owner, 'nosuchroomnosuchroom1', { findable: true })).status).toBe(404);
    const [row] = await ctx.app.sql<{ findable: number | boolean }>('SELECT findable FROM rooms WHERE id = ?', room.id);
    expect(Boolean(row.findable)).toBe(false);
  });
});
