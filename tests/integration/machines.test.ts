import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_TRANSPORTS, type Message } from '../../src/lib/protocol/index.ts';
import { startRoundRobin } from '../support/balancer.ts';
import {
  closeAllSockets,
  connectSocket,
  createRoom,
  createUsers,
  eventually,
  joinRoom,
  nextEvent,
  quietPeriod,
  record,
  request,
  requestRaw,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';
import { startSharedDatabase, type SharedDatabase } from '../support/database.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { startServerProcess, type ServerProcess } from '../support/servers.ts';

// One chat on three "machines" (docs/scaling.md): three whole server processes, each with a
// DATA_DIR of its own, sharing only Redis, the upload bucket and the database. People connected to
// different processes must not be able to tell.

let redis: TestRedis;
let s3: TestS3;
let database: SharedDatabase;
let one: ServerProcess;
let two: ServerProcess;
let three: ServerProcess;

beforeAll(async () => {
  [redis, s3, database] = await Promise.all([startTestRedis(), startTestS3(), startSharedDatabase()]);
  const env = { REDIS_URL: redis.url, JWT_SECRET: 'one-secret-for-every-machine', ...s3.env, ...database.env };
  // The first one alone creates the schema; the other two then start side by side.
  one = await startServerProcess('one', env, database.prepare);
  [two, three] = await Promise.all([startServerProcess('two', env, database.prepare), startServerProcess('three', env, database.prepare)]);
}, 180_000);

afterAll(async () => {
  closeAllSockets();
  await Promise.all([one, two, three].filter(Boolean).map((server) => server.stop()));
  await Promise.all([redis?.stop(), s3?.stop(), database?.stop()]);
});

afterEach(() => closeAllSockets());

async function joined(server: ServerProcess, user: TestUser, roomId: string): Promise<ClientSocket> {
  const socket = await connectSocket(server.baseUrl, user.cookie);
  await joinRoom(socket, roomId);
  return socket;
}

/** Alice on one, Bob on two, Carol on three, all in one room. */
async function roomAcrossMachines() {
  const [alice, bob, carol] = await createUsers(one.baseUrl, 3);
  const room = await createRoom(alice, [bob, carol]);
  const [onOne, onTwo, onThree] = await Promise.all([joined(one, alice, room.id), joined(two, bob, room.id), joined(three, carol, room.id)]);
  return { alice, bob, carol, room, onOne, onTwo, onThree };
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

describe('three server processes sharing only Redis, the bucket and the database', () => {
  it('an account made on one signs in on the others', async () => {
    const [dana] = await createUsers(two.baseUrl, 1);
    for (const server of [one, three]) {
      const me = await fetch(`${server.baseUrl}/api/auth/me`, { headers: { cookie: dana.cookie } });
      expect(me.status).toBe(200);
      expect((await me.json()).username).toBe(dana.username);
    }
  });

  it('messages and reactions reach everyone, whichever process they went through', async () => {
    const { room, onOne, onTwo, onThree, carol } = await roomAcrossMachines();
    const atTwo = nextEvent(onTwo, 'message:new', (m) => m.content === 'hello from one');
    const atThree = nextEvent(onThree, 'message:new', (m) => m.content === 'hello from one');
    const sent = await request(onOne, 'message:send', { roomId: room.id, type: 'text', content: 'hello from one' });
    if (!sent.ok) throw new Error(sent.error.message);
    expect(await atTwo).toEqual(sent.data);
    expect(await atThree).toEqual(sent.data);

    const reactionAtOne = nextEvent(onOne, 'reaction:updated');
    const reactionAtTwo = nextEvent(onTwo, 'reaction:updated');
    expect((await request(onThree, 'reaction:add', { roomId: room.id, messageId: sent.data.id, emoji: 'heart' })).ok).toBe(true);
    const expected = { roomId: room.id, messageId: sent.data.id, reactions: [{ emoji: 'heart', userIds: [carol.id] }], version: 1 };
    expect(await reactionAtOne).toEqual(expected);
    expect(await reactionAtTwo).toEqual(expected);

    // A newcomer on any process reads the same history.
    const history = await joinRoom(await connectSocket(two.baseUrl, carol.cookie), room.id);
    expect(history.messages.map((m) => [m.content, m.reactions])).toEqual([['hello from one', expected.reactions]]);
  });

  it('presence and typing cross processes', async () => {
    const [alice, bob, carol] = await createUsers(one.baseUrl, 3);
    const room = await createRoom(alice, [bob, carol]);
    const onOne = await joined(one, alice, room.id);
    const arrived = nextEvent(onOne, 'room:presence', (p) => p.userId === bob.id && p.online);
    const onTwo = await joined(two, bob, room.id);
    expect(await arrived).toEqual({ roomId: room.id, userId: bob.id, online: true });

    const onThree = await connectSocket(three.baseUrl, carol.cookie);
    const carolsView = nextEvent(onThree, 'room:members');
    await joinRoom(onThree, room.id);
    const online = (await carolsView).members.filter((m) => m.online).map((m) => m.userId);
    expect(online.sort()).toEqual([alice.id, bob.id, carol.id].sort());

    const typingAtOne = nextEvent(onOne, 'typing:update', (p) => p.users.length === 1);
    const typingAtThree = nextEvent(onThree, 'typing:update', (p) => p.users.length === 1);
    onTwo.emit('typing:start', { roomId: room.id });
    expect((await typingAtOne).users).toEqual([{ userId: bob.id, username: bob.username }]);
    expect((await typingAtThree).users).toEqual([{ userId: bob.id, username: bob.username }]);
    const stoppedAtThree = nextEvent(onThree, 'typing:update', (p) => p.users.length === 0);
    onTwo.emit('typing:stop', { roomId: room.id });
    await stoppedAtThree;
  });

  it('the send limit holds for one person on two processes', async () => {
    const [alice] = await createUsers(one.baseUrl, 1);
    const room = await createRoom(alice);
    const [onOne, onThree] = await Promise.all([joined(one, alice, room.id), joined(three, alice, room.id)]);
    expect((await requestRaw(onOne, 'message:send', { roomId: room.id, type: 'text', content: 'first' })).ok).toBe(true);
    expect(await requestRaw(onThree, 'message:send', { roomId: room.id, type: 'text', content: 'too soon' })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' }
    });
  });

  it('leaving over REST on one process takes the member out live on another', async () => {
    const { bob, room, onOne, onTwo } = await roomAcrossMachines();
    const closed = nextEvent(onTwo, 'room:closed');
    const left = nextEvent(onOne, 'room:member-left', (p) => p.userId === bob.id);
    // Bob leaves through the third process, his socket is on the second.
    const res = await fetch(`${three.baseUrl}/api/rooms/${room.id}/leave`, { method: 'POST', headers: { cookie: bob.cookie } });
    expect(res.status).toBeLessThan(300);
    expect(await closed).toEqual({ roomId: room.id, reason: 'left' });
    expect((await left).userId).toBe(bob.id);
    const heard = record(onTwo, 'message:new');
    const echo = nextEvent(onOne, 'message:new');
    await requestRaw(onOne, 'message:send', { roomId: room.id, type: 'text', content: 'bob has gone' });
    await echo;
    await quietPeriod();
    expect(heard).toEqual([]);
  });

  it('signing out on one process disconnects the sockets on the others, and the session is dead everywhere', async () => {
    const [alice] = await createUsers(one.baseUrl, 1);
    const sockets = await Promise.all([two, three].map((server) => connectSocket(server.baseUrl, alice.cookie)));
    const disconnected = sockets.map((socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve)));
    expect((await alice.client.post('/api/auth/logout')).status).toBeLessThan(300);
    expect(await Promise.all(disconnected)).toEqual(['io server disconnect', 'io server disconnect']);
    for (const server of [two, three]) {
      expect((await fetch(`${server.baseUrl}/api/auth/me`, { headers: { cookie: alice.cookie } })).status).toBe(401);
      await expect(connectSocket(server.baseUrl, alice.cookie)).rejects.toThrow();
    }
  });

  it('an image uploaded through one process is sent through another and fetched from the third', async () => {
    const { alice, room, onOne, onThree } = await roomAcrossMachines();
    const body = new FormData();
    body.append('image', new Blob([new Uint8Array(GIF)], { type: 'image/gif' }), 'tiny.gif');
    const uploaded = await alice.client.post('/api/upload', body);
    expect(uploaded.status).toBe(201);
    const url = uploaded.json.url as string;
    // In the bucket, which every process reads.
    expect(await s3.keys()).toContain(url.replace('/uploads/', ''));

    const aliceOnTwo = await joined(two, alice, room.id);
    const atThree = nextEvent(onThree, 'message:new', (m) => m.type === 'image');
    const sent = await request(aliceOnTwo, 'message:send', { roomId: room.id, type: 'image', content: url });
    if (!sent.ok) throw new Error(sent.error.message);
    const message: Message = await atThree;
    expect(message.content).toBe(url);

    const fetched = await fetch(three.baseUrl + message.content);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/gif');
    expect(fetched.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(GIF);

    // One upload, one message, whichever process is asked the second time.
    await quietPeriod(1100); // past the send limit
    expect(await requestRaw(onOne, 'message:send', { roomId: room.id, type: 'image', content: url })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_ERROR' }
    });

    // Deleted through the second process: gone from the bucket, and from every process.
    const deletedAtThree = nextEvent(onThree, 'message:deleted');
    expect((await request(aliceOnTwo, 'message:delete', { roomId: room.id, messageId: sent.data.id })).ok).toBe(true);
    await deletedAtThree;
    await eventually(async () => !(await s3.keys()).includes(url.replace('/uploads/', '')), 5000, 'the object to go');
    for (const server of [one, two, three]) expect((await fetch(server.baseUrl + url)).status).toBe(404);
  });
});

describe('behind a balancer without sticky sessions', () => {
  it('clients connecting WebSocket-first through a round-robin balancer chat across all three processes', async () => {
    const balancer = await startRoundRobin([one.port, two.port, three.port]);
    try {
      const [alice, bob, carol] = await createUsers(one.baseUrl, 3);
      const room = await createRoom(alice, [bob, carol]);
      const sockets: ClientSocket[] = [];
      // The app's own transport settings, through the balancer.
      for (const user of [alice, bob, carol]) {
        const socket: ClientSocket = io(balancer.baseUrl, { ...SOCKET_TRANSPORTS, extraHeaders: { cookie: user.cookie }, forceNew: true, reconnection: false });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        expect(socket.io.engine.transport.name).toBe('websocket');
        sockets.push(socket);
        await joinRoom(socket, room.id);
      }
      // Each went to another process, one connection each.
      expect(balancer.counts).toEqual([1, 1, 1]);

      const [fromAlice, toBob, toCarol] = sockets;
      const heard = [nextEvent(toBob, 'message:new'), nextEvent(toCarol, 'message:new')];
      const sent = await request(fromAlice, 'message:send', { roomId: room.id, type: 'text', content: 'through the balancer' });
      if (!sent.ok) throw new Error(sent.error.message);
      expect(await Promise.all(heard)).toEqual([sent.data, sent.data]);
      for (const socket of sockets) socket.disconnect();
    } finally {
      await balancer.stop();
    }
  });

  it('long-polling, the fallback, needs stickiness: straight to one process it works, through the round robin it breaks', async () => {
    const [alice] = await createUsers(one.baseUrl, 1);
    const pollingOnly = (url: string) => {
      const socket: ClientSocket = io(url, { transports: ['polling'], extraHeaders: { cookie: alice.cookie }, forceNew: true, reconnection: false, timeout: 5000 });
      return new Promise<string>((resolve) => {
        socket.once('connect', () => {
          // Connected is not enough: the polls that follow must reach the same process too.
          requestRaw(socket, 'room:join', { roomId: 'nosuchroom' }).then(
            () => resolve('working'),
            () => resolve('connected, then deaf')
          );
        });
        socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
        socket.once('disconnect', (reason) => resolve(`dropped: ${reason}`));
      }).finally(() => socket.disconnect());
    };
    expect(await pollingOnly(one.baseUrl)).toBe('working');

    const balancer = await startRoundRobin([one.port, two.port, three.port]);
    try {
      expect(await pollingOnly(balancer.baseUrl)).not.toBe('working');
      expect(balancer.counts.filter((n) => n > 0).length).toBeGreaterThan(1);
    } finally {
      await balancer.stop();
    }
  });
});

describe('a process that dies', () => {
  it('killed with SIGKILL, its users go offline for the others within 30 s', async () => {
    const { alice, carol, room, onOne, onTwo } = await roomAcrossMachines();
    const goneAtOne = nextEvent(onOne, 'room:presence', (p) => p.userId === carol.id && !p.online, 30_000);
    const goneAtTwo = nextEvent(onTwo, 'room:presence', (p) => p.userId === carol.id && !p.online, 30_000);
    await three.crash();
    expect(await goneAtOne).toEqual({ roomId: room.id, userId: carol.id, online: false });
    await goneAtTwo;

    // Whoever joins now sees her offline, and the survivors go on chatting.
    const aliceAgain = await connectSocket(two.baseUrl, alice.cookie);
    const members = nextEvent(aliceAgain, 'room:members');
    await joinRoom(aliceAgain, room.id);
    expect((await members).members.find((m) => m.userId === carol.id)?.online).toBe(false);
    const heard = nextEvent(onTwo, 'message:new');
    expect((await requestRaw(onOne, 'message:send', { roomId: room.id, type: 'text', content: 'still here' })).ok).toBe(true);
    await heard;
  }, 45_000);
});
