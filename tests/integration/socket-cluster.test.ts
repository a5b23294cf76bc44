import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, useTestApps, type TestApp } from '../support/app.ts';
import { startTestRedis } from '../support/redis.ts';
import {
  request,
  closeAllSockets,
  connectSocket,
  createRoom,
  createUsers,
  eventually,
  joinRoom,
  nextEvent,
  quietPeriod,
  record,
  requestRaw,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';

const ctx = useTestApps({ one: {}, two: { shareDataDirOf: 'one' } });

// Two server processes of one deployment: one Redis, one SQLite file. Users connected to
// different processes share rooms, messages, presence, typing and membership changes.


afterEach(() => closeAllSockets());

async function joined(app: TestApp, user: TestUser, roomId: string): Promise<ClientSocket> {
  const socket = await connectSocket(app.baseUrl, user.cookie);
  await joinRoom(socket, roomId);
  return socket;
}

describe('two server processes on one Redis', () => {
  it('a message sent through one reaches a member on the other, both ways', async () => {
    const [alice, bob] = await createUsers(ctx.one.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const onOne = await joined(ctx.one, alice, room.id);
    const onTwo = await joined(ctx.two, bob, room.id);

    // (The sender hears its own message too, possibly after its acknowledgement.)
    const toBob = nextEvent(onTwo, 'message:new');
    const sent = await request(onOne, 'message:send', { roomId: room.id, type: 'text', content: 'across processes' });
    expect(sent.ok).toBe(true);
    expect(await toBob).toEqual(sent.ok && sent.data);

    const toAlice = nextEvent(onOne, 'message:new', (m) => m.content === 'and back');
    const reply = await request(onTwo, 'message:send', { roomId: room.id, type: 'text', content: 'and back' });
    expect(await toAlice).toEqual(reply.ok && reply.data);

    const reaction = nextEvent(onOne, 'reaction:updated');
    await requestRaw(onTwo, 'reaction:add', { roomId: room.id, messageId: (sent.ok && sent.data.id) || '', emoji: 'thumbsup' });
    expect((await reaction).reactions).toEqual([{ emoji: 'thumbsup', userIds: [bob.id] }]);
  });

  it('room list activity, read marks and removals follow a user on the other process', async () => {
    const [alice, bob] = await createUsers(ctx.one.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const aliceSocket = await joined(ctx.one, alice, room.id);
    const bobList = await connectSocket(ctx.two.baseUrl, bob.cookie);
    const bobPhone = await connectSocket(ctx.one.baseUrl, bob.cookie);

    const activity = nextEvent(bobList, 'room:activity');
    expect((await request(aliceSocket, 'message:send', { roomId: room.id, type: 'text', content: 'over here' })).ok).toBe(true);
    expect((await activity).last?.text).toBe('over here');
    const read = nextEvent(bobList, 'room:read');
    expect(await request(bobPhone, 'room:read', { roomId: room.id })).toEqual({ ok: true });
    expect(await read).toEqual({ roomId: room.id, seq: 0 });

    const closed = nextEvent(bobList, 'room:closed');
    expect((await alice.client.delete(`/api/rooms/${room.id}/members/${bob.id}`)).status).toBe(200);
    expect(await closed).toEqual({ roomId: room.id, reason: 'removed' });
    const after = record(bobList, 'room:activity');
    await quietPeriod(1000);
    expect((await request(aliceSocket, 'message:send', { roomId: room.id, type: 'text', content: 'gone' })).ok).toBe(true);
    await quietPeriod();
    expect(after).toEqual([]);
  });

  it('the send limit holds across processes', async () => {
    const [alice] = await createUsers(ctx.one.baseUrl, 1);
    const room = await createRoom(alice);
    const onOne = await joined(ctx.one, alice, room.id);
    const onTwo = await joined(ctx.two, alice, room.id);
    expect((await requestRaw(onOne, 'message:send', { roomId: room.id, type: 'text', content: 'one' })).ok).toBe(true);
    expect(await requestRaw(onTwo, 'message:send', { roomId: room.id, type: 'text', content: 'two' })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' }
    });
  });

  it('presence and typing cross processes; tabs on both count as one user', async () => {
    const [alice, bob] = await createUsers(ctx.one.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const aliceSocket = await joined(ctx.one, alice, room.id);

    const bobJoined = nextEvent(aliceSocket, 'room:presence');
    const bobTabOne = await joined(ctx.two, bob, room.id);
    expect(await bobJoined).toEqual({ roomId: room.id, userId: bob.id, online: true });
    const bobTabTwo = await joined(ctx.one, bob, room.id);

    const typing = nextEvent(aliceSocket, 'typing:update', (p) => p.users.length === 1);
    bobTabOne.emit('typing:start', { roomId: room.id });
    expect((await typing).users).toEqual([{ userId: bob.id, username: bob.username }]);

    const lefts = record(aliceSocket, 'room:presence');
    bobTabTwo.disconnect();
    await quietPeriod();
    expect(lefts).toEqual([]);
    bobTabOne.disconnect();
    await eventually(() => lefts.length === 1);
    expect(lefts[0]).toEqual({ roomId: room.id, userId: bob.id, online: false });
  });

  it('leaving over REST on one process closes the room for the socket on the other', async () => {
    const [alice, bob] = await createUsers(ctx.one.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const aliceSocket = await joined(ctx.one, alice, room.id);
    const bobSocket = await joined(ctx.two, bob, room.id);
    const closed = nextEvent(bobSocket, 'room:closed');
    expect((await bob.client.post(`/api/rooms/${room.id}/leave`)).status).toBeLessThan(300);
    expect(await closed).toEqual({ roomId: room.id, reason: 'left' });
    const after = record(bobSocket, 'message:new');
    const echo = nextEvent(aliceSocket, 'message:new');
    await requestRaw(aliceSocket, 'message:send', { roomId: room.id, type: 'text', content: 'bob is gone' });
    await echo;
    await quietPeriod();
    expect(after).toEqual([]);
  });

  it('signing out on one process disconnects the user’s sockets on the other', async () => {
    const [alice] = await createUsers(ctx.one.baseUrl, 1);
    const onTwo = await connectSocket(ctx.two.baseUrl, alice.cookie);
    const disconnected = new Promise<string>((resolve) => onTwo.once('disconnect', resolve));
    await alice.client.post('/api/auth/logout');
    expect(await disconnected).toBe('io server disconnect');
  });

  it('connections of a process that died do not keep their users online', async () => {
    const [alice, ghost] = await createUsers(ctx.one.baseUrl, 2);
    const room = await createRoom(alice, [ghost]);
    // A process that crashed left a connection of ghost behind, and no heartbeat.
    await ctx.one.redis
      .multi()
      .hset(`bbb:room:${room.id}:conns`, 'crashedproc/abc123', String(ghost.id))
      .sadd(`bbb:room:${room.id}:online`, String(ghost.id))
      .sadd('bbb:instances', 'crashedproc')
      .sadd('bbb:instance:crashedproc:rooms', room.id)
      .exec();
    const socket = await connectSocket(ctx.two.baseUrl, alice.cookie);
    const members = nextEvent(socket, 'room:members');
    await requestRaw(socket, 'room:join', { roomId: room.id });
    expect((await members).members.find((m) => m.userId === ghost.id)?.online).toBe(false);
    expect(await ctx.one.redis.smembers(`bbb:room:${room.id}:online`)).toEqual([String(alice.id)]);
  });
});

// A lone process does not write its broadcasts to the shared stream. These check that it notices
// company in time: a process that starts later hears everything from its first socket on.
describe('a process that was alone', () => {
  let ownRedis: Awaited<ReturnType<typeof startTestRedis>>;
  let solo: TestApp;

  beforeAll(async () => {
    ownRedis = await startTestRedis();
    // A slow count of peers, so that only the hello of a new process can end solitude in time.
    solo = await startTestApp(ownRedis.url, {}, { peerCheckMs: 400 });
  });
  afterAll(async () => {
    closeAllSockets();
    await solo?.close();
    await ownRedis?.stop();
  });

  it('keeps broadcasts off the stream, and a process started later hears them from the start', async () => {
    await eventually(() => solo.application.clusterAlone(), 5000, 'the lone process to know it is alone');
    const [alice, carol, bob] = await createUsers(solo.baseUrl, 3);
    const room = await createRoom(alice, [carol, bob]);
    const onSolo = await joined(solo, alice, room.id);
    const carolOnSolo = await joined(solo, carol, room.id);
    const streamLength = () => solo.redis.xlen('bbb:socket.io');
    const before = await streamLength();
    const own = nextEvent(onSolo, 'message:new');
    expect((await requestRaw(onSolo, 'message:send', { roomId: room.id, type: 'text', content: 'nobody else here' })).ok).toBe(true);
    await own;
    expect(await streamLength()).toBe(before);

    const later = await startTestApp(ownRedis.url, {}, { dataDir: solo.dataDir, peerCheckMs: 400 });
    try {
      // At once, well before the next count of peers: only the newcomer's hello can have told.
      const onLater = await joined(later, bob, room.id);
      const toBob = nextEvent(onLater, 'message:new');
      const sent = await request(carolOnSolo, 'message:send', { roomId: room.id, type: 'text', content: 'welcome' });
      expect(await toBob).toEqual(sent.ok && sent.data);
      expect(solo.application.clusterAlone()).toBe(false);
      expect(later.application.clusterAlone()).toBe(false);
    } finally {
      await later.close();
    }
    await eventually(() => solo.application.clusterAlone(), 5000, 'solitude once the other process stopped');
  });
});
