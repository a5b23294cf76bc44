import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase, type AppDatabase } from '../../server/infra/db.ts';
import { createStores } from '../../server/app.ts';
import { ROOM_MAX_MEMBERS, USER_MAX_ROOMS, type RoomDetails } from '../../src/lib/protocol/index.ts';
import { startTestApp, testPostgresUrl, type TestApp } from '../support/app.ts';
import { closeAllSockets, HttpClient, registerUser, type TestUser } from '../support/client.ts';
import { createDatabase, dropDatabase, startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

// Two server processes that share nothing but PostgreSQL and Redis (each its own data folder, as
// on two machines): the rules the database keeps must hold when requests race through both
// (docs/architecture.md#joining-is-race-free). Runs on PostgreSQL in both passes; the SQLite
// pass has the run's cluster made here.

let redis: TestRedis;
let ownCluster: TestPostgres | undefined;
let adminUrl: string;
let databaseUrl: string;
let machines: TestApp[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  adminUrl = testPostgresUrl() ?? (ownCluster = await startTestPostgres()).url;
  databaseUrl = await createDatabase(adminUrl);
  // Started one after the other, then together: migrations run once, under their lock.
  machines = await Promise.all([0, 1].map(() => startTestApp(redis.url, { DATABASE_URL: databaseUrl })));
});

afterAll(async () => {
  closeAllSockets();
  for (const machine of machines) await machine.close();
  await dropDatabase(adminUrl, databaseUrl);
  await ownCluster?.stop();
  await redis?.stop();
});

const RACERS = 12;
const on = (i: number) => machines[i % machines.length];
const people = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => registerUser(on(i).baseUrl)));
/** The same person's session on process `i` (one secret, one database: either accepts it). */
function via(person: TestUser, i: number): HttpClient {
  const client = new HttpClient(on(i).baseUrl);
  client.cookie = person.cookie;
  return client;
}

describe('two processes on one PostgreSQL', () => {
  it('migrated the schema once', async () => {
    const [db] = machines.map((m) => m.db);
    expect(db.engine).toBe('postgres');
    expect(await machines[0].sql('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it(`${RACERS} people racing through both for the last places leave exactly ${ROOM_MAX_MEMBERS} members`, async () => {
    const [owner, ...early] = await people(ROOM_MAX_MEMBERS - 2);
    const room = (await via(owner, 0).post('/api/rooms', { name: 'Last seats' })).json as RoomDetails;
    const byCode = { inviteCode: room.inviteCode };
    for (const [i, member] of early.entries()) expect((await via(member, i).post('/api/rooms/join-by-code', byCode)).status).toBe(200);
    const racers = await people(RACERS);
    const answers = await Promise.all(racers.map((r, i) => via(r, i).post('/api/rooms/join-by-code', byCode)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    for (const loser of answers.filter((a) => a.status !== 200)) expect(loser.json).toEqual({ error: 'This room is full' });
    const [{ n }] = await machines[1].sql<{ n: number }>('SELECT COUNT(*) AS n FROM room_members WHERE room_id = ?', room.id);
    expect(Number(n)).toBe(ROOM_MAX_MEMBERS);
  }, 60_000);

  it(`one person joining ${USER_MAX_ROOMS + 5} rooms at once through both ends in ${USER_MAX_ROOMS}`, async () => {
    const [joiner, ...owners] = await people(3);
    const rooms: RoomDetails[] = [];
    for (let i = 0; i < USER_MAX_ROOMS + 5; i++) rooms.push((await via(owners[i % 2], i).post('/api/rooms', { name: `Room ${i}` })).json as RoomDetails);
    // Creating counts too: half the attempts create a room of their own.
    const attempts = rooms.map((room, i) => (i % 2 === 0 ? via(joiner, i).post('/api/rooms/join-by-code', { inviteCode: room.inviteCode }) : via(joiner, i).post('/api/rooms', { name: `Mine ${i}` })));
    const answers = await Promise.all(attempts);
    expect(answers.filter((a) => a.status === 200 || a.status === 201)).toHaveLength(USER_MAX_ROOMS);
    for (const refused of answers.filter((a) => a.status >= 300)) expect(refused.json).toEqual({ error: `You can be in at most ${USER_MAX_ROOMS} rooms` });
    const listed = await via(joiner, 1).get('/api/rooms');
    expect(listed.json).toHaveLength(USER_MAX_ROOMS);
  }, 60_000);

  it('one name registered on both at the same moment makes one account', async () => {
    const name = `twin${Date.now().toString(36)}`;
    const answers = await Promise.all(machines.map((m, i) => fetch(`${m.baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: i === 0 ? name : name.toUpperCase(), password: 'password123' })
    })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await machines[0].sql('SELECT id FROM users WHERE lower(username) = ?', name)).toHaveLength(1);
  });

  it('the owner removing a member through both at once removes them once, with one new invite code', async () => {
    const [owner, member, newcomer] = await people(3);
    const room = (await via(owner, 0).post('/api/rooms', { name: 'Tidy' })).json as RoomDetails;
    expect((await via(member, 1).post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(200);
    const answers = await Promise.all([0, 1].map((i) => via(owner, i).delete(`/api/rooms/${room.id}/members/${member.id}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404]);
    expect(answers.find((a) => a.status === 404)?.json).toEqual({ error: 'That person is not a member of this room' });
    expect(await machines[0].sql('SELECT user_id FROM room_members WHERE room_id = ?', room.id)).toEqual([{ user_id: owner.id }]);
    // The link the member had no longer works; the one the owner now sees does.
    expect((await via(member, 0).post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(404);
    const now = (await via(owner, 1).get(`/api/rooms/${room.id}`)).json as RoomDetails;
    expect(now.inviteCode).not.toBe(room.inviteCode);
    expect((await via(newcomer, 1).post('/api/rooms/join-by-code', { inviteCode: now.inviteCode })).status).toBe(200);
  });

  it('an upload claimed from both at once is claimed once', async () => {
    const [uploader] = await people(1);
    const stores = machines.map((m) => m.application.context.stores.uploads);
    const room = (await via(uploader, 0).post('/api/rooms', { name: 'Pictures' })).json as RoomDetails;
    for (let round = 0; round < 20; round++) {
      const filename = `race${round}${Date.now().toString(36)}.png`;
      await stores[0].recordUpload(filename, uploader.id);
      const claims = await Promise.all(stores.map((store, i) => store.claimUpload(room.id, `message-${round}-${i}`, filename, uploader.id)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    }
  });
});

describe('migrations', () => {
  it('a database already at the newest version is left as it is; a new one is brought up to it', async () => {
    const fresh = await createDatabase(adminUrl);
    let db: AppDatabase | undefined;
    try {
      db = await openDatabase({ url: fresh, sqliteFile: '' });
      await createStores(db).users.createUser('keeper', 'x');
      await db.close();
      db = await openDatabase({ url: fresh, sqliteFile: '' });
      expect(await db.query('SELECT username FROM users')).toEqual([{ username: 'keeper' }]);
      expect(await db.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
    } finally {
      await db?.close();
      await dropDatabase(adminUrl, fresh);
    }
  });
});
