import bcrypt from 'bcrypt';
import { beforeEach, describe, expect, it } from 'vitest';
import { bcryptPool } from '../../server/infra/passwords.ts';
import { ROOM_ATTEMPT_PREFIXES } from '../../server/infra/keys.ts';
import {
  PASSWORD_MAX_BYTES,
  ROOM_PASSWORD_FAILS_PER_ROOM,
  ROOM_PASSWORD_FAILS_PER_USER,
  ROOM_PASSWORD_MIN,
  ROOM_PASSWORD_WINDOW_SECONDS,
  type RoomDetails
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { HttpClient, registerUser } from '../support/client.ts';

const ctx = useTestApp();

// Room passwords: the rules for new ones, and how fast wrong ones may be tried. These limits hold
// whatever AUTH_RATE_LIMIT says (the test app runs with sign-in limits off).



/** Deletes the room-password counts: as if their window had passed. */
async function windowPasses(): Promise<void> {
  for (const prefix of Object.values(ROOM_ATTEMPT_PREFIXES)) {
    const keys = await ctx.app.redis.keys(`${prefix}:*`);
    if (keys.length > 0) await ctx.app.redis.del(...keys);
  }
}
beforeEach(windowPasses);

type User = Awaited<ReturnType<typeof registerUser>>;
const user = () => registerUser(ctx.app.baseUrl);
const users = (n: number) => Promise.all(Array.from({ length: n }, () => user()));

const PASSWORD = 'open sesame';

/** A room with a password; a findable one may also be joined by id (docs/architecture.md#public-rooms). */
async function lockedRoom(owner: User, password = PASSWORD, findable = false): Promise<RoomDetails> {
  const res = await owner.client.post('/api/rooms', { name: 'Locked', password, findable });
  expect(res.status).toBe(201);
  return res.json as RoomDetails;
}

/** Without an invite: findable rooms only. */
const joinById = (who: User, room: RoomDetails, password?: string) => who.client.post(`/api/rooms/${room.id}/join`, { password });
const joinByCode = (who: User, room: RoomDetails, password?: string) =>
  who.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode, password });

const memberIds = async (roomId: string) =>
  (await ctx.app.sql<{ user_id: number }>('SELECT user_id FROM room_members WHERE room_id = ?', roomId)).map((r) => r.user_id);
const roomCount = async () => Number((await ctx.app.sql<{ n: number }>('SELECT COUNT(*) AS n FROM rooms'))[0].n);
const roomChecks = () => bcryptPool.stats('room').started;

type Answer = Awaited<ReturnType<HttpClient['post']>>;
const ROOM_REFUSED = /^Too many wrong passwords for this room\. Try again in \d+ seconds?\.$/;
function expectTooMany(res: Answer): void {
  expect(res.status).toBe(429);
  expect(res.json.error).toMatch(ROOM_REFUSED);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(ROOM_PASSWORD_WINDOW_SECONDS);
  expect(res.json.error).toContain(`${retryAfter} second`);
}
function expectWrong(res: Answer): void {
  expect(res.status).toBe(403);
  expect(res.json).toEqual({ error: 'Wrong password' });
}

describe('a new room password', () => {
  it(`must be at least ${ROOM_PASSWORD_MIN} characters`, async () => {
    const owner = await user();
    const before = await roomCount();
    for (const password of ['x', 'abc', '🐝🐝🐝']) {
      const res = await owner.client.post('/api/rooms', { name: 'Too easy', password });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: `Room password must be at least ${ROOM_PASSWORD_MIN} characters` });
    }
    expect(await roomCount()).toBe(before);
    expect((await lockedRoom(owner, 'abcd')).hasPassword).toBe(true);
    expect((await lockedRoom(owner, '🐝🐝🐝🐝')).hasPassword).toBe(true);
  });

  it(`must be at most ${PASSWORD_MAX_BYTES} UTF-8 bytes`, async () => {
    const [owner, guest, other] = await users(3);
    const before = await roomCount();
    const res = await owner.client.post('/api/rooms', { name: 'Too long', password: 'é'.repeat(37) });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^Room password must be at most 72 bytes/);
    expect(await roomCount()).toBe(before);

    const password = 'é'.repeat(PASSWORD_MAX_BYTES / 2);
    const room = await lockedRoom(owner, password);
    expectWrong(await joinByCode(other, room, `${'é'.repeat(PASSWORD_MAX_BYTES / 2 - 1)}e`));
    expect((await joinByCode(guest, room, password)).status).toBe(200);
  });

  it('is only checked at creation: an older room with a short password still opens', async () => {
    const [owner, guest, other] = await users(3);
    const room = await lockedRoom(owner);
    // A room made before the rule: its password is two letters.
    await ctx.app.sql('UPDATE rooms SET password_hash = ? WHERE id = ?', bcrypt.hashSync('ab', 4), room.id);
    expect((await joinByCode(guest, room, 'ab')).status).toBe(200);
    expect((await joinByCode(other, room, 'ab')).status).toBe(200);
    expect(await memberIds(room.id)).toHaveLength(3);
  });
});

describe('wrong room passwords', () => {
  it(`stop a user after ${ROOM_PASSWORD_FAILS_PER_USER} on one room, over both ways of joining, without bcrypt runs`, async () => {
    const [owner, guesser, member] = await users(3);
    // Findable, so both ways of joining reach them.
    const room = await lockedRoom(owner, PASSWORD, true);
    const other = await lockedRoom(owner, PASSWORD, true);
    for (let i = 0; i < ROOM_PASSWORD_FAILS_PER_USER; i++) {
      expectWrong(await (i % 2 === 0 ? joinById : joinByCode)(guesser, room, `guess-${i}`));
    }
    const checks = roomChecks();
    expectTooMany(await joinById(guesser, room, 'guess-again'));
    expectTooMany(await joinByCode(guesser, room, 'guess-again'));
    // The right password too: the limit is on the guesser, not on what they send.
    expectTooMany(await joinById(guesser, room, PASSWORD));
    expect(roomChecks()).toBe(checks);
    expect(await memberIds(room.id)).not.toContain(guesser.id);

    // Nobody else is held up: a member types the password and is in.
    expect((await joinByCode(member, room, PASSWORD)).status).toBe(200);
    // The guesser's other rooms keep their own count.
    expectWrong(await joinById(guesser, other, 'guess-0'));
    // An empty try is no guess: it is answered as before, not counted.
    expect((await joinById(guesser, other, '')).json).toEqual({ error: 'This room needs a password' });

    await windowPasses();
    expect((await joinById(guesser, room, PASSWORD)).status).toBe(200);
  });

  it(`refuse repeat guessers once a room took more than ${ROOM_PASSWORD_FAILS_PER_ROOM}, but never a first try`, async () => {
    const [owner, member, latecomer, ...guessers] = await users(3 + ROOM_PASSWORD_FAILS_PER_ROOM + 3);
    const room = await lockedRoom(owner, PASSWORD, true);
    // One guess per account: each is judged, even past the room's count.
    for (const guesser of guessers) expectWrong(await joinById(guesser, room, 'first-guess'));
    const checks = roomChecks();
    for (const guesser of guessers) expectTooMany(await joinByCode(guesser, room, 'second-guess'));
    expect(roomChecks()).toBe(checks);

    // A member's first try with the right password goes through in the middle of it.
    expect((await joinById(member, room, PASSWORD)).status).toBe(200);
    // A newcomer's wrong first try is judged; the next one waits like the others.
    expectWrong(await joinById(latecomer, room, 'first-guess'));
    expectTooMany(await joinById(latecomer, room, PASSWORD));
    expect((await memberIds(room.id)).sort()).toEqual([owner.id, member.id].sort());
  });

  it('keep a crowd of parallel guesses away from bcrypt and from everyone else', async () => {
    const [owner, member, signer, ...guessers] = await users(6);
    const room = await lockedRoom(owner, PASSWORD, true);
    const checks = roomChecks();
    const signInClient = new HttpClient(ctx.app.baseUrl);
    const [guesses, signIn, join] = await Promise.all([
      // 150 wrong guesses at once from three accounts, over both endpoints.
      Promise.all(Array.from({ length: 150 }, (_, i) => (i % 2 ? joinById : joinByCode)(guessers[i % 3], room, `guess-${i}`))),
      signInClient.post('/api/auth/login', { username: signer.username, password: 'password123' }),
      joinById(member, room, PASSWORD)
    ]);

    const judged = guesses.filter((g) => g.status === 403);
    const refused = guesses.filter((g) => g.status === 429);
    expect(judged.length + refused.length).toBe(150);
    for (const res of judged) expectWrong(res);
    for (const res of refused) expectTooMany(res);
    // Before the room counts as under attack every try is judged; after it, only first tries.
    expect(judged.length).toBeGreaterThanOrEqual(1);
    expect(judged.length).toBeLessThanOrEqual(ROOM_PASSWORD_FAILS_PER_ROOM + guessers.length);
    // Only judged guesses (and the member's right one) ran bcrypt.
    expect(roomChecks() - checks).toBe(judged.length + 1);

    expect(signIn.status).toBe(200);
    expect(signIn.json.username).toBe(signer.username);
    expect(join.status).toBe(200);
    expect((await memberIds(room.id)).sort()).toEqual([owner.id, member.id].sort());
  });
});

describe('the bcrypt pool', () => {
  it('answers 503 when room passwords fill their whole share, while sign-in goes on', async () => {
    const [owner, guest, signer] = await users(3);
    const room = await lockedRoom(owner);
    // Occupy the room lane's running slot and its whole waiting line with work that waits on us.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held: Promise<void>[] = [];
    try {
      while (true) {
        const { running, waiting } = bcryptPool.stats('room');
        if (running > 0 && waiting >= bcryptPool.settings.room.maxWaiting) break;
        held.push(bcryptPool.run('room', () => gate));
      }
      const refused = await joinByCode(guest, room, PASSWORD);
      expect(refused.status).toBe(503);
      expect(refused.json).toEqual({ error: 'The server is busy checking passwords. Try again in a moment.' });
      expect(refused.headers.get('retry-after')).toBe('1');
      const created = await owner.client.post('/api/rooms', { name: 'Busy', password: PASSWORD });
      expect(created.status).toBe(503);

      // Sign-in has a slot of its own.
      const signIn = await new HttpClient(ctx.app.baseUrl).post('/api/auth/login', { username: signer.username, password: 'password123' });
      expect(signIn.status).toBe(200);
    } finally {
      release();
      await Promise.all(held);
    }
    // The refused join counted nothing: the guest's right password works at once.
    expect((await joinByCode(guest, room, PASSWORD)).status).toBe(200);
  });
});
