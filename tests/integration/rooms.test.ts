import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEventMap } from '../../server/infra/events.ts';
import {
  ROOM_MAX_MEMBERS,
  INVITE_LOOKUPS_PER_MINUTE,
  ROOM_NAME_MAX,
  USER_MAX_ROOMS,
  type PublicInvitePreview,
  type RoomDetails,
  type RoomInvitePreview,
  type RoomSummary
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { HttpClient, registerUser } from '../support/client.ts';

const ctx = useTestApp();



type User = Awaited<ReturnType<typeof registerUser>>;
const user = () => registerUser(ctx.app.baseUrl);
const users = (n: number) => Promise.all(Array.from({ length: n }, () => user()));

async function createRoom(owner: User, body: { name: string; password?: string; findable?: boolean } = { name: 'Bees' }): Promise<RoomDetails> {
  const res = await owner.client.post('/api/rooms', body);
  expect(res.status).toBe(201);
  return res.json as RoomDetails;
}

/** Joins with the invite code the owner shares, as friends do. */
const joinByCode = (who: User, room: { inviteCode: string }, password?: string) =>
  who.client.post('/api/rooms/join-by-code', password === undefined ? { inviteCode: room.inviteCode } : { inviteCode: room.inviteCode, password });

const memberIds = async (roomId: string) =>
  (await ctx.app.sql<{ user_id: number }>('SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id', roomId)).map((r) => r.user_id);
const roomExists = async (roomId: string) => (await ctx.app.sql('SELECT 1 FROM rooms WHERE id = ?', roomId)).length > 0;
const roomCount = async () => Number((await ctx.app.sql<{ n: number }>('SELECT COUNT(*) AS n FROM rooms'))[0].n);

/** Records every membership event the room service announces while a test runs. */
type Recorded = { [K in keyof ServerEventMap]: { name: K; payload: ServerEventMap[K][0] } }[keyof ServerEventMap];
let recorded: Recorded[] = [];
const stopRecording: (() => void)[] = [];
function recordEvents(): Recorded[] {
  recorded = [];
  const events = ctx.app.application.context.events;
  const joined = (payload: ServerEventMap['room:member-joined'][0]) => recorded.push({ name: 'room:member-joined', payload });
  const left = (payload: ServerEventMap['room:member-left'][0]) => recorded.push({ name: 'room:member-left', payload });
  const deleted = (payload: ServerEventMap['room:deleted'][0]) => recorded.push({ name: 'room:deleted', payload });
  events.on('room:member-joined', joined).on('room:member-left', left).on('room:deleted', deleted);
  stopRecording.push(() => events.off('room:member-joined', joined).off('room:member-left', left).off('room:deleted', deleted));
  return recorded;
}
afterEach(() => {
  for (const stop of stopRecording.splice(0)) stop();
});

describe('signed-out requests', () => {
  it('answers 401 on every endpoint and changes nothing', async () => {
    const owner = await user();
    const room = await createRoom(owner);
    const before = await roomCount();
    const anonymous = new HttpClient(ctx.app.baseUrl);
    const calls = [
      anonymous.get('/api/rooms'),
      anonymous.post('/api/rooms', { name: 'Sneaky' }),
      anonymous.get(`/api/rooms/${room.id}`),
      anonymous.delete(`/api/rooms/${room.id}`),
      anonymous.post(`/api/rooms/${room.id}/join`, {}),
      anonymous.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode }),
      anonymous.post(`/api/rooms/${room.id}/leave`),
      anonymous.get(`/api/rooms/invite/${room.inviteCode}`)
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: 'Not authenticated' });
    }
    expect(await roomCount()).toBe(before);
    expect(await memberIds(room.id)).toEqual([owner.id]);
  });
});

describe('POST /api/rooms', () => {
  it('creates a room with the creator as its only member and announces the join', async () => {
    const owner = await user();
    const events = recordEvents();
    const res = await owner.client.post('/api/rooms', { name: '  Hive mind  ' });
    expect(res.status).toBe(201);
    const room = res.json as RoomDetails;
    expect(room).toMatchObject({
      name: 'Hive mind',
      ownerId: owner.id,
      hasPassword: false,
      maxMembers: ROOM_MAX_MEMBERS,
      memberCount: 1,
      isOwner: true,
      members: [{ userId: owner.id, username: owner.username }]
    });
    expect(room.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(room.inviteCode).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(Number.isNaN(Date.parse(room.createdAt))).toBe(false);
    expect(events).toEqual([{ name: 'room:member-joined', payload: { roomId: room.id, userId: owner.id, username: owner.username } }]);
  });

  it('gives every room its own id and invite code', async () => {
    const owner = await user();
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => createRoom(owner, { name: `Room ${i}` })));
    expect(new Set(created.map((r) => r.id)).size).toBe(10);
    expect(new Set(created.map((r) => r.inviteCode)).size).toBe(10);
  });

  it('stores a password only as a bcrypt hash and never shows it', async () => {
    const owner = await user();
    const room = await createRoom(owner, { name: 'Secret garden', password: 'open sesame' });
    expect(room.hasPassword).toBe(true);
    const [stored] = await ctx.app.sql<{ password_hash: string }>('SELECT password_hash FROM rooms WHERE id = ?', room.id);
    expect(stored.password_hash).toMatch(/^\$2[aby]\$10\$/);
    for (const path of ['/api/rooms', `/api/rooms/${room.id}`, `/api/rooms/invite/${room.inviteCode}`]) {
      const res = await owner.client.get(path);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('password_hash');
      expect(res.text).not.toContain('open sesame');
      expect(res.text).not.toContain(stored.password_hash);
    }
  });

  it('treats an empty password as none', async () => {
    const owner = await user();
    const room = await createRoom(owner, { name: 'Open door', password: '' });
    expect(room.hasPassword).toBe(false);
  });

  const badBodies: [string, unknown][] = [
    ['an empty name', { name: '' }],
    ['a name of spaces', { name: '    ' }],
    ['a name that is too long', { name: 'x'.repeat(ROOM_NAME_MAX + 1) }],
    ['a missing name', {}],
    ['a numeric name', { name: 42 }],
    ['an array name', { name: ['Bees'] }],
    ['a numeric password', { name: 'Bees', password: 1234 }],
    ['a password that is too short', { name: 'Bees', password: 'abc' }],
    ['a password over 72 bytes', { name: 'Bees', password: 'é'.repeat(37) }],
    ['a name with a right-to-left override', { name: 'photo\u202Egnp.exe' }],
    ['a name of zero-width spaces', { name: '\u200B\u200B\u200B' }],
    ['a name with a NUL', { name: 'Bees\u0000' }],
    ['a name on two lines', { name: 'Bees\nWasps' }]
  ];
  for (const [what, body] of badBodies) {
    it(`answers 400 for ${what} and creates nothing`, async () => {
      const owner = await user();
      const before = await roomCount();
      const res = await owner.client.post('/api/rooms', body);
      expect(res.status).toBe(400);
      expect(typeof res.json.error).toBe('string');
      expect(await roomCount()).toBe(before);
    });
  }

  it('accepts a name of exactly the maximum length after trimming', async () => {
    const owner = await user();
    const room = await createRoom(owner, { name: ` ${'n'.repeat(ROOM_NAME_MAX)} ` });
    expect(room.name).toBe('n'.repeat(ROOM_NAME_MAX));
  });
});

describe('GET /api/rooms', () => {
  it('lists only my rooms with member counts and whether I own them', async () => {
    const [alice, bob, carol] = await users(3);
    const mine = await createRoom(alice, { name: 'Alice room' });
    const theirs = await createRoom(bob, { name: 'Bob room' });
    await createRoom(carol, { name: 'Carol room' });
    expect((await joinByCode(alice, theirs)).status).toBe(200);

    const res = await alice.client.get('/api/rooms');
    expect(res.status).toBe(200);
    const list = res.json as RoomSummary[];
    expect(list.map((r) => r.name).sort()).toEqual(['Alice room', 'Bob room']);
    expect(list.find((r) => r.id === mine.id)).toMatchObject({ isOwner: true, memberCount: 1, ownerId: alice.id });
    expect(list.find((r) => r.id === theirs.id)).toMatchObject({ isOwner: false, memberCount: 2, ownerId: bob.id });
    expect(list.every((r) => !('members' in r))).toBe(true);
  });

  it('is empty for a new user', async () => {
    const newcomer = await user();
    const res = await newcomer.client.get('/api/rooms');
    expect(res.status).toBe(200);
    expect(res.json).toEqual([]);
  });
});

describe('GET /api/rooms/:id', () => {
  it('shows members the room with its member list', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner);
    expect((await joinByCode(guest, room)).status).toBe(200);
    const res = await guest.client.get(`/api/rooms/${room.id}`);
    expect(res.status).toBe(200);
    const details = res.json as RoomDetails;
    expect(details).toMatchObject({ id: room.id, isOwner: false, memberCount: 2 });
    expect(details.members.map((m) => m.username).sort()).toEqual([owner.username, guest.username].sort());
  });

  it('answers 403 to someone who is not a member', async () => {
    const [owner, stranger] = await users(2);
    const room = await createRoom(owner);
    const res = await stranger.client.get(`/api/rooms/${room.id}`);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: 'You are not a member of this room' });
  });

  it('answers 404 for an unknown room and for an id of the wrong shape', async () => {
    const someone = await user();
    for (const id of ['nosuchroomnosuchroom1', 'bad%20id', 'x'.repeat(65)]) {
      const res = await someone.client.get(`/api/rooms/${id}`);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: 'Room not found' });
    }
  });
});

describe('DELETE /api/rooms/:id', () => {
  it('lets the owner delete the room and tells everyone who was in it', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner);
    expect((await joinByCode(guest, room)).status).toBe(200);
    const events = recordEvents();
    const res = await owner.client.delete(`/api/rooms/${room.id}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
    expect(await roomExists(room.id)).toBe(false);
    expect(await memberIds(room.id)).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0].name).toBe('room:deleted');
    expect(events[0].payload).toMatchObject({ roomId: room.id });
    expect([...(events[0].payload as ServerEventMap['room:deleted'][0]).memberIds].sort()).toEqual([owner.id, guest.id].sort());
    expect((await guest.client.get(`/api/rooms/${room.id}`)).status).toBe(404);
    expect((await guest.client.get('/api/rooms')).json).toEqual([]);
  });

  it('answers 403 to a member who is not the owner, and to a stranger', async () => {
    const [owner, guest, stranger] = await users(3);
    const room = await createRoom(owner);
    expect((await joinByCode(guest, room)).status).toBe(200);
    const events = recordEvents();
    const byGuest = await guest.client.delete(`/api/rooms/${room.id}`);
    expect(byGuest.status).toBe(403);
    expect(byGuest.json).toEqual({ error: 'Only the owner can delete this room' });
    const byStranger = await stranger.client.delete(`/api/rooms/${room.id}`);
    expect(byStranger.status).toBe(403);
    expect(await roomExists(room.id)).toBe(true);
    expect(await memberIds(room.id)).toHaveLength(2);
    expect(events).toEqual([]);
  });

  it('answers 404 for an unknown room', async () => {
    const someone = await user();
    const res = await someone.client.delete('/api/rooms/nosuchroomnosuchroom1');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'Room not found' });
  });
});

describe('joining with the invite code', () => {
  it('adds the user, answers the room and announces the join', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner);
    const events = recordEvents();
    const res = await joinByCode(guest, room);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: room.id, memberCount: 2, isOwner: false });
    expect((await memberIds(room.id)).sort()).toEqual([owner.id, guest.id].sort());
    expect(events).toEqual([{ name: 'room:member-joined', payload: { roomId: room.id, userId: guest.id, username: guest.username } }]);
  });

  it('treats joining again as a no-op that succeeds', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: 'Locked', password: 'hunter22' });
    expect((await joinByCode(guest, room, 'hunter22')).status).toBe(200);
    const events = recordEvents();
    const again = await joinByCode(guest, room);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: room.id, memberCount: 2 });
    const owners = await joinByCode(owner, room);
    expect(owners.status).toBe(200);
    expect(await memberIds(room.id)).toHaveLength(2);
    expect(events).toEqual([]);
  });

  it('asks for the password of a locked room and refuses a wrong one', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: 'Locked', password: 'hunter22' });
    const events = recordEvents();
    for (const password of [undefined, '']) {
      const missing = await joinByCode(guest, room, password);
      expect(missing.status).toBe(403);
      expect(missing.json).toEqual({ error: 'This room needs a password' });
    }
    const wrong = await joinByCode(guest, room, 'hunter2');
    expect(wrong.status).toBe(403);
    expect(wrong.json).toEqual({ error: 'Wrong password' });
    expect(await memberIds(room.id)).toEqual([owner.id]);
    expect(events).toEqual([]);

    const right = await joinByCode(guest, room, 'hunter22');
    expect(right.status).toBe(200);
    expect(await memberIds(room.id)).toHaveLength(2);
  });

  it('answers 400 for a bad body', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner);
    const bad = await guest.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode, password: { $ne: '' } });
    expect(bad.status).toBe(400);
    expect(await memberIds(room.id)).toEqual([owner.id]);
  });

  it(`turns away member ${ROOM_MAX_MEMBERS + 1} with "This room is full"`, async () => {
    const [owner, ...others] = await users(ROOM_MAX_MEMBERS + 1);
    const room = await createRoom(owner);
    const latecomer = others.pop()!;
    for (const member of others) expect((await joinByCode(member, room)).status).toBe(200);
    expect(await memberIds(room.id)).toHaveLength(ROOM_MAX_MEMBERS);

    const events = recordEvents();
    const res = await joinByCode(latecomer, room);
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: 'This room is full' });
    expect(await memberIds(room.id)).toHaveLength(ROOM_MAX_MEMBERS);
    expect(events).toEqual([]);

    // A seat that frees up can be taken.
    expect((await others[0].client.post(`/api/rooms/${room.id}/leave`)).status).toBe(200);
    expect((await joinByCode(latecomer, room)).status).toBe(200);
  });

  it('lets exactly the free seats be taken when 30 people race for them', async () => {
    const [owner, ...early] = await users(14);
    // A password makes every join wait on bcrypt, so the requests really do overlap in the server.
    const room = await createRoom(owner, { name: 'Last seats', password: 'race-pass' });
    for (const member of early) expect((await joinByCode(member, room, 'race-pass')).status).toBe(200);
    expect(await memberIds(room.id)).toHaveLength(14);
    const racers = await users(30);
    const events = recordEvents();

    const answers = await Promise.all(racers.map((r) => joinByCode(r, room, 'race-pass')));
    const winners = answers.filter((a) => a.status === 200);
    const losers = answers.filter((a) => a.status !== 200);
    expect(winners).toHaveLength(ROOM_MAX_MEMBERS - 14);
    expect(losers).toHaveLength(30 - (ROOM_MAX_MEMBERS - 14));
    for (const loser of losers) {
      expect(loser.status).toBe(409);
      expect(loser.json).toEqual({ error: 'This room is full' });
    }
    expect(await memberIds(room.id)).toHaveLength(ROOM_MAX_MEMBERS);
    expect(events.filter((e) => e.name === 'room:member-joined')).toHaveLength(ROOM_MAX_MEMBERS - 14);
    const detail = await owner.client.get(`/api/rooms/${room.id}`);
    expect(detail.json.memberCount).toBe(ROOM_MAX_MEMBERS);
  });
});

describe('POST /api/rooms/:id/join, without an invite', () => {
  const joinById = (who: User, roomId: string, body: unknown = {}) => who.client.post(`/api/rooms/${roomId}/join`, body);
  const memberCount = async (owner: User, roomId: string) => ((await owner.client.get(`/api/rooms/${roomId}`)).json as RoomDetails).memberCount;

  it('answers an invite-only room exactly as a room that does not exist, and changes nothing', async () => {
    const [owner, stranger] = await users(2);
    const missing = await joinById(stranger, 'nosuchroomnosuchroom1');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: 'Room not found' });
    for (const body of [{ name: 'Plain' }, { name: 'Locked', password: 'hunter22' }]) {
      const room = await createRoom(owner, body);
      expect(room.findable).toBe(false);
      const events = recordEvents();
      // Even the right password is no invite.
      for (const password of [undefined, 'hunter22', 'wrong-one']) {
        const refused = await joinById(stranger, room.id, password === undefined ? {} : { password });
        expect(refused.status).toBe(missing.status);
        expect(refused.json).toEqual(missing.json);
      }
      expect(await memberIds(room.id)).toEqual([owner.id]);
      expect(await memberCount(owner, room.id)).toBe(1);
      expect((await stranger.client.get('/api/rooms')).json).toEqual([]);
      expect(events).toEqual([]);
    }
  });

  it('lets a member the owner removed back neither by id nor with the old invite code, only with the new one', async () => {
    const [owner, friend, removed] = await users(3);
    const room = await createRoom(owner);
    expect((await joinByCode(friend, room)).status).toBe(200);
    expect((await joinByCode(removed, room)).status).toBe(200);
    // Being in the room once, they knew its id.
    expect((await owner.client.delete(`/api/rooms/${room.id}/members/${removed.id}`)).status).toBe(200);
    const rotated = (await owner.client.get(`/api/rooms/${room.id}`)).json as RoomDetails;
    expect(rotated.inviteCode).not.toBe(room.inviteCode);

    const events = recordEvents();
    const byId = await joinById(removed, room.id);
    expect(byId.status).toBe(404);
    expect(byId.json).toEqual({ error: 'Room not found' });
    const byOldCode = await joinByCode(removed, room);
    expect(byOldCode.status).toBe(404);
    expect(byOldCode.json).toEqual({ error: 'Room not found' });
    expect((await memberIds(room.id)).sort()).toEqual([owner.id, friend.id].sort());
    expect(await memberCount(owner, room.id)).toBe(2);
    expect(events).toEqual([]);

    // A fresh invite from the owner brings them back.
    expect((await joinByCode(removed, rotated)).status).toBe(200);
    expect(await memberCount(owner, room.id)).toBe(3);
  });

  it('admits anyone to a findable room by id', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: 'Open hive', findable: true });
    const events = recordEvents();
    const res = await joinById(guest, room.id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: room.id, memberCount: 2, isOwner: false, findable: true });
    expect((await memberIds(room.id)).sort()).toEqual([owner.id, guest.id].sort());
    expect(events).toEqual([{ name: 'room:member-joined', payload: { roomId: room.id, userId: guest.id, username: guest.username } }]);
  });

  it('lets a member of an invite-only room re-join by id as a no-op, without the password', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: 'Locked', password: 'hunter22' });
    expect((await joinByCode(guest, room, 'hunter22')).status).toBe(200);
    const events = recordEvents();
    for (const who of [guest, owner]) {
      const again = await joinById(who, room.id);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ id: room.id, memberCount: 2 });
    }
    expect(await memberIds(room.id)).toHaveLength(2);
    expect(events).toEqual([]);
  });

  it('answers 400 for a bad body and 404 for an id of the wrong shape', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: 'Open hive', findable: true });
    expect((await joinById(guest, room.id, { password: { $ne: '' } })).status).toBe(400);
    const badId = await joinById(guest, 'bad%20id');
    expect(badId.status).toBe(404);
    expect(badId.json).toEqual({ error: 'Room not found' });
    expect(await memberIds(room.id)).toEqual([owner.id]);
  });
});

describe(`the ${USER_MAX_ROOMS}-room limit`, () => {
  it(`refuses room ${USER_MAX_ROOMS + 1}, whether created or joined`, async () => {
    const [busy, other] = await users(2);
    for (let i = 0; i < USER_MAX_ROOMS; i++) await createRoom(busy, { name: `Room ${i}` });
    const elsewhere = await createRoom(other, { name: 'Elsewhere' });

    const created = await busy.client.post('/api/rooms', { name: 'One too many' });
    expect(created.status).toBe(409);
    expect(created.json).toEqual({ error: `You can be in at most ${USER_MAX_ROOMS} rooms` });
    const joined = await joinByCode(busy, elsewhere);
    expect(joined.status).toBe(409);
    expect(joined.json).toEqual({ error: `You can be in at most ${USER_MAX_ROOMS} rooms` });
    expect((await busy.client.get('/api/rooms')).json).toHaveLength(USER_MAX_ROOMS);
    expect(await memberIds(elsewhere.id)).toEqual([other.id]);
  });

  it('holds when many creates race', async () => {
    const busy = await user();
    for (let i = 0; i < USER_MAX_ROOMS - 3; i++) await createRoom(busy, { name: `Room ${i}` });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => busy.client.post('/api/rooms', { name: `Race ${i}`, password: 'pw-makes-it-async' })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(7);
    expect((await busy.client.get('/api/rooms')).json).toHaveLength(USER_MAX_ROOMS);
  });
});

describe('invites', () => {
  it('previews a room by its invite code', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: 'Invite me', password: 'letmein1' });
    const res = await guest.client.get(`/api/rooms/invite/${room.inviteCode}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: room.id,
      name: 'Invite me',
      hasPassword: true,
      memberCount: 1,
      maxMembers: ROOM_MAX_MEMBERS,
      isMember: false
    } satisfies RoomInvitePreview);
    expect((await owner.client.get(`/api/rooms/invite/${room.inviteCode}`)).json.isMember).toBe(true);
  });

  it('names the room of an invite to a visitor not signed in, and nothing more, within a limit per address', async () => {
    const owner = await user();
    const room = await createRoom(owner, { name: 'Open to friends', password: 'letmein1' });
    const anonymous = new HttpClient(ctx.app.baseUrl);
    const res = await anonymous.get(`/api/rooms/invite/${room.inviteCode}/public`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ name: 'Open to friends', hasPassword: true } satisfies PublicInvitePreview);
    for (const code of ['doesnotexist', 'x'.repeat(300)]) {
      const unknown = await anonymous.get(`/api/rooms/invite/${code}/public`);
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ error: 'Room not found' });
    }
    // Three lookups so far; the rest of the minute's allowance, then a refusal with its words.
    for (let i = 3; i < INVITE_LOOKUPS_PER_MINUTE; i++) expect((await anonymous.get(`/api/rooms/invite/${room.inviteCode}/public`)).status).toBe(200);
    const refused = await anonymous.get(`/api/rooms/invite/${room.inviteCode}/public`);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: expect.stringContaining('Too many invite links') });
    expect(await memberIds(room.id)).toEqual([owner.id]);
  });

  it('answers 404 for an unknown invite code, also on the preview', async () => {
    const someone = await user();
    const preview = await someone.client.get('/api/rooms/invite/doesnotexist');
    expect(preview.status).toBe(404);
    expect(preview.json).toEqual({ error: 'Room not found' });
    const join = await someone.client.post('/api/rooms/join-by-code', { inviteCode: 'doesnotexist' });
    expect(join.status).toBe(404);
    expect(join.json).toEqual({ error: 'Room not found' });
  });

  it('joins by invite code, with the password when the room has one', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner, { name: 'By code', password: 'letmein1' });
    const missing = await guest.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode });
    expect(missing.status).toBe(403);
    expect(missing.json).toEqual({ error: 'This room needs a password' });
    const wrong = await guest.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode, password: 'nope' });
    expect(wrong.status).toBe(403);
    expect(wrong.json).toEqual({ error: 'Wrong password' });
    expect(await memberIds(room.id)).toEqual([owner.id]);

    const events = recordEvents();
    const ok = await guest.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode, password: 'letmein1' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ id: room.id, memberCount: 2 });
    expect(events).toEqual([{ name: 'room:member-joined', payload: { roomId: room.id, userId: guest.id, username: guest.username } }]);
    const again = await guest.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode });
    expect(again.status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('answers 400 for an invite code of the wrong shape', async () => {
    const someone = await user();
    for (const inviteCode of ['', '../../etc', 42, ['abc']]) {
      const res = await someone.client.post('/api/rooms/join-by-code', { inviteCode });
      expect(res.status).toBe(400);
      expect(typeof res.json.error).toBe('string');
    }
  });
});

describe('POST /api/rooms/:id/leave', () => {
  it('takes a member out and announces it', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner);
    expect((await joinByCode(guest, room)).status).toBe(200);
    const events = recordEvents();
    const res = await guest.client.post(`/api/rooms/${room.id}/leave`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, deleted: false });
    expect(await memberIds(room.id)).toEqual([owner.id]);
    expect(events).toEqual([{ name: 'room:member-left', payload: { roomId: room.id, userId: guest.id, username: guest.username, reason: 'left' } }]);
    expect((await guest.client.get(`/api/rooms/${room.id}`)).status).toBe(403);
  });

  it('deletes the room when the owner leaves', async () => {
    const [owner, guest] = await users(2);
    const room = await createRoom(owner);
    expect((await joinByCode(guest, room)).status).toBe(200);
    const events = recordEvents();
    const res = await owner.client.post(`/api/rooms/${room.id}/leave`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, deleted: true });
    expect(await roomExists(room.id)).toBe(false);
    expect(events).toHaveLength(1);
    expect(events[0].name).toBe('room:deleted');
    expect([...(events[0].payload as ServerEventMap['room:deleted'][0]).memberIds].sort()).toEqual([owner.id, guest.id].sort());
  });

  it('answers 403 for a room you are not in and 404 for an unknown room', async () => {
    const [owner, stranger] = await users(2);
    const room = await createRoom(owner);
    const events = recordEvents();
    const notIn = await stranger.client.post(`/api/rooms/${room.id}/leave`);
    expect(notIn.status).toBe(403);
    expect(notIn.json).toEqual({ error: 'You are not a member of this room' });
    const unknown = await stranger.client.post('/api/rooms/nosuchroomnosuchroom1/leave');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: 'Room not found' });
    expect(await memberIds(room.id)).toEqual([owner.id]);
    expect(events).toEqual([]);
  });
});
