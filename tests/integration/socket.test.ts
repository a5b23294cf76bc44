import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EMOJI,
  ROOM_MAX_MEMBERS,
  packDrawing,
  TYPING_EXPIRE_MS,
  unpackDrawing,
  type Message,
  type Operation,
  type RoomSummary
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import {
  request,
  closeAllSockets,
  connectSocket,
  createRoom,
  createUsers,
  eventually,
  joinRoom,
  nextEvent,
  openSocket,
  quietPeriod,
  record,
  requestRaw,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';

const ctx = useTestApp();

// The real-time protocol with real clients: the acceptance checks the server decides (docs/architecture.md#acceptance-checks)
// (2, 4, 5, 6, 7, 8, 9, 10) with two or more users, plus auth, images, presence and membership.


afterEach(() => closeAllSockets());

const users = (n: number) => createUsers(ctx.app.baseUrl, n);
const connect = (user: TestUser) => connectSocket(ctx.app.baseUrl, user.cookie);


/** Users in one room, each with a connected socket that joined it. */
async function roomWith(n: number): Promise<{ room: RoomSummary; people: TestUser[]; sockets: ClientSocket[] }> {
  const people = await users(n);
  const room = await createRoom(people[0], people.slice(1));
  const sockets: ClientSocket[] = [];
  for (const person of people) {
    const socket = await connect(person);
    await joinRoom(socket, room.id);
    sockets.push(socket);
  }
  return { room, people, sockets };
}

async function send(socket: ClientSocket, roomId: string, content: string): Promise<Message> {
  const ack = await request(socket, 'message:send', { roomId, type: 'text', content });
  if (!ack.ok) throw new Error(`send failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

const storedIds = (roomId: string) => ctx.app.redis.lrange(`bbb:room:${roomId}:msglist`, 0, -1);

describe('handshake', () => {
  it('refuses a connection without a session cookie', async () => {
    await expect(connectSocket(ctx.app.baseUrl, '')).rejects.toThrow('Not authenticated');
    await expect(connectSocket(ctx.app.baseUrl, 'token=forged.jwt.value')).rejects.toThrow('Not authenticated');
  });

  it('refuses another site as Origin, accepts the app itself', async () => {
    const [user] = await users(1);
    await expect(connectSocket(ctx.app.baseUrl, user.cookie, { origin: 'https://evil.example' })).rejects.toThrow('Cross-site connection refused');
    const socket = await connectSocket(ctx.app.baseUrl, user.cookie, { origin: ctx.app.baseUrl });
    expect(socket.connected).toBe(true);
  });

  it('signing out disconnects open sockets and the old token no longer connects', async () => {
    const [user] = await users(1);
    const socket = await connect(user);
    const cookie = user.cookie;
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await user.client.post('/api/auth/logout');
    expect(await disconnected).toBe('io server disconnect');
    await expect(connectSocket(ctx.app.baseUrl, cookie)).rejects.toThrow('Not authenticated');
  });
});

describe('messages', () => {
  it('a text message reaches every member with the sender name and a server timestamp', async () => {
    const { room, people, sockets } = await roomWith(3);
    const [alice] = people;
    const arrivals = sockets.map((s) => nextEvent(s, 'message:new'));
    const before = Date.now();
    const sent = await send(sockets[0], room.id, '  hello bees  ');
    expect(sent).toMatchObject({ roomId: room.id, userId: alice.id, username: alice.username, type: 'text', content: 'hello bees', reactions: [] });
    expect(sent.timestamp).toBeGreaterThanOrEqual(before);
    expect(sent.timestamp).toBeLessThanOrEqual(Date.now());
    for (const arrival of arrivals) expect(await arrival).toEqual(sent);
  });

  it('a drawing travels intact', async () => {
    const { room, sockets } = await roomWith(2);
    const operations: Operation[] = [
      { type: 'stroke', points: [{ x: 1, y: 2, pressure: 0.5 }, { x: 30.2, y: 40.5, pressure: 1 }], color: '#FF0000', size: 4, eraser: false },
      { type: 'stamp', x: 100, y: 50, stampId: 'bee', size: 22, color: '#000000' },
      { type: 'text', x: 10, y: 190, content: 'hi', color: '#0000FF', fontSize: 16 }
    ];
    const drawing = packDrawing(operations);
    const arrival = nextEvent(sockets[1], 'message:new');
    const ack = await request(sockets[0], 'message:send', { roomId: room.id, type: 'drawing', content: drawing });
    expect(ack.ok).toBe(true);
    const received = await arrival;
    expect(received.content).toEqual(drawing);
    // The receiver unpacks exactly the points that were drawn.
    expect(received.type === 'drawing' && unpackDrawing(received.content).operations).toEqual(operations);
    const page = await joinRoom(sockets[1], room.id);
    expect(page.messages.at(-1)?.content).toEqual(drawing);
  });

  it('history loads on join: the messages so far, oldest first, also as room:history', async () => {
    const { room, people, sockets } = await roomWith(2);
    const first = await send(sockets[0], room.id, 'one');
    const second = await send(sockets[1], room.id, 'two');
    const late = await connect(people[0]);
    const historyEvent = nextEvent(late, 'room:history');
    const members = nextEvent(late, 'room:members');
    const page = await joinRoom(late, room.id);
    expect(page).toEqual({ roomId: room.id, messages: [first, second], hasMore: false });
    expect(await historyEvent).toEqual(page);
    expect((await members).members).toEqual([
      { userId: people[0].id, username: people[0].username, online: true, avatar: null },
      { userId: people[1].id, username: people[1].username, online: true, avatar: null }
    ]);
  });

  it('limits sending to one message a second per user, across tabs', async () => {
    const { room, people, sockets } = await roomWith(2);
    const otherTab = await connect(people[0]);
    await joinRoom(otherTab, room.id);
    const received = record(sockets[1], 'message:new');
    await send(sockets[0], room.id, 'first');
    const errors = record(sockets[0], 'error');
    const tooSoon = await requestRaw(sockets[0], 'message:send', { roomId: room.id, type: 'text', content: 'second' });
    const otherTabTooSoon = await requestRaw(otherTab, 'message:send', { roomId: room.id, type: 'text', content: 'third' });
    for (const ack of [tooSoon, otherTabTooSoon]) {
      expect(ack).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: 'Slow down: one message per second', event: 'message:send', roomId: room.id } });
    }
    expect(errors).toEqual([{ code: 'RATE_LIMITED', message: 'Slow down: one message per second', event: 'message:send', roomId: room.id }]);
    // Another user is not slowed down by it.
    await send(sockets[1], room.id, 'bob speaks');
    await eventually(() => received.length === 2);
    expect(received.map((m) => m.content)).toEqual(['first', 'bob speaks']);
    expect(await storedIds(room.id)).toHaveLength(2);
    // A second later the user may send again.
    await eventually(async () => (await requestRaw(sockets[0], 'message:send', { roomId: room.id, type: 'text', content: 'later' })).ok, 3000);
    await eventually(() => received.length === 3);
    expect(received[2].content).toBe('later');
  });
});

describe('deleting', () => {
  it('only the author deletes; the message disappears for everyone and from history', async () => {
    const { room, people, sockets } = await roomWith(3);
    const message = await send(sockets[0], room.id, 'oops');
    const notYours = await requestRaw(sockets[1], 'message:delete', { roomId: room.id, messageId: message.id });
    expect(notYours).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', message: 'You can only delete your own messages' } });
    expect((await joinRoom(sockets[1], room.id)).messages).toHaveLength(1);

    const notices = sockets.map((s) => nextEvent(s, 'message:deleted'));
    expect(await requestRaw(sockets[0], 'message:delete', { roomId: room.id, messageId: message.id })).toEqual({ ok: true });
    for (const notice of notices) expect(await notice).toEqual({ roomId: room.id, messageId: message.id });
    const fresh = await connect(people[2]);
    expect((await joinRoom(fresh, room.id)).messages).toEqual([]);
    const again = await requestRaw(sockets[0], 'message:delete', { roomId: room.id, messageId: message.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a message is deleted or reacted to only through its own room (NOT_FOUND otherwise)', async () => {
    const { room, people, sockets } = await roomWith(2);
    const message = await send(sockets[0], room.id, 'mine');
    const otherRoom = await createRoom(people[0]);
    const elsewhere = await connect(people[0]);
    await joinRoom(elsewhere, otherRoom.id);
    for (const [event, extra] of [
      ['message:delete', {}],
      ['reaction:add', { emoji: 'heart' }],
      ['reaction:remove', { emoji: 'heart' }]
    ] as const) {
      const ack = await requestRaw(elsewhere, event, { roomId: otherRoom.id, messageId: message.id, ...extra });
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    const older = await requestRaw(elsewhere, 'room:history-older', { roomId: otherRoom.id, beforeId: message.id });
    expect(older).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await joinRoom(sockets[1], room.id)).messages).toEqual([message]);
  });
});

describe('image messages', () => {
  /** An upload of `user` as the upload endpoint leaves it: a file plus its record. */
  async function uploadFor(user: TestUser, ext = 'png'): Promise<{ filename: string; url: string; file: string }> {
    const filename = `${nanoid()}.${ext}`;
    const file = path.join(ctx.app.config.uploadsDir, 'messages', filename);
    writeFileSync(file, Buffer.from('89504e470d0a1a0a', 'hex'));
    await ctx.app.application.context.stores.uploads.recordUpload(filename, user.id);
    return { filename, url: `/uploads/messages/${filename}`, file };
  }

  it('sends the sender’s own upload once; deleting the message removes exactly that file', async () => {
    const { room, people, sockets } = await roomWith(2);
    const upload = await uploadFor(people[0]);
    const bystander = await uploadFor(people[0]);
    const arrival = nextEvent(sockets[1], 'message:new');
    const ack = await request(sockets[0], 'message:send', { roomId: room.id, type: 'image', content: upload.url });
    expect(ack).toMatchObject({ ok: true, data: { type: 'image', content: upload.url } });
    expect((await arrival).content).toBe(upload.url);
    if (!ack.ok) return;

    // The same upload cannot be sent twice.
    const twice = await requestRaw(sockets[0], 'message:send', { roomId: room.id, type: 'image', content: upload.url });
    expect(twice).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });

    expect(await requestRaw(sockets[0], 'message:delete', { roomId: room.id, messageId: ack.data.id })).toEqual({ ok: true });
    expect(existsSync(upload.file)).toBe(false);
    expect(await ctx.app.application.context.stores.uploads.findUpload(upload.filename)).toBeUndefined();
    expect(existsSync(bystander.file)).toBe(true);
  });

  it('refuses any other path: someone else’s upload, unknown files, traversal, other folders', async () => {
    const { room, people, sockets } = await roomWith(2);
    const theirs = await uploadFor(people[1]);
    const contents = [
      theirs.url,
      `/uploads/messages/${nanoid()}.png`,
      '/uploads/messages/../../server/index.ts',
      `/uploads/messages/${nanoid()}.png/../../x.png`,
      `/uploads/${nanoid()}.png`,
      `https://evil.example/uploads/messages/${nanoid()}.png`,
      '/etc/passwd',
      `/uploads/messages/${nanoid()}.svg`,
      `/uploads/messages/${nanoid(20)}.png`
    ];
    for (const content of contents) {
      const ack = await requestRaw(sockets[0], 'message:send', { roomId: room.id, type: 'image', content });
      expect(ack, content).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    }
    expect(await storedIds(room.id)).toEqual([]);
    expect(existsSync(theirs.file)).toBe(true);
    expect((await ctx.app.application.context.stores.uploads.findUpload(theirs.filename))?.message_id).toBeNull();
    // Refusals did not cost the sender their message of this second.
    await send(sockets[0], room.id, 'still allowed');
  });
});

describe('reactions', () => {
  it('appear for everyone, and can be taken back', async () => {
    const { room, people, sockets } = await roomWith(3);
    const message = await send(sockets[0], room.id, 'react to me');
    const updates = sockets.map((s) => nextEvent(s, 'reaction:updated'));
    const ack = await request(sockets[1], 'reaction:add', { roomId: room.id, messageId: message.id, emoji: 'fire' });
    const expected = [{ emoji: 'fire', userIds: [people[1].id] }];
    expect(ack).toEqual({ ok: true, data: expected });
    for (const update of updates) expect(await update).toEqual({ roomId: room.id, messageId: message.id, reactions: expected, version: 1 });

    // Adding the same again changes nothing and tells nobody.
    const quiet = record(sockets[0], 'reaction:updated');
    expect(await requestRaw(sockets[1], 'reaction:add', { roomId: room.id, messageId: message.id, emoji: 'fire' })).toEqual({ ok: true, data: expected });
    await requestRaw(sockets[2], 'reaction:add', { roomId: room.id, messageId: message.id, emoji: 'heart' });
    const removed = await request(sockets[1], 'reaction:remove', { roomId: room.id, messageId: message.id, emoji: 'fire' });
    expect(removed).toEqual({ ok: true, data: [{ emoji: 'heart', userIds: [people[2].id] }] });
    await eventually(() => quiet.length === 2);
    expect(quiet.map((u) => [u.reactions, u.version])).toEqual([
      [[{ emoji: 'fire', userIds: [people[1].id] }, { emoji: 'heart', userIds: [people[2].id] }], 2],
      [[{ emoji: 'heart', userIds: [people[2].id] }], 3]
    ]);
    const page = await joinRoom(sockets[0], room.id);
    expect(page.messages[0].reactions).toEqual([{ emoji: 'heart', userIds: [people[2].id] }]);
    expect(page.messages[0].reactionsVersion).toBe(3);
  });

  it('sixteen members reacting at the same moment all count, and the TTL is kept', async () => {
    const { room, people, sockets } = await roomWith(ROOM_MAX_MEMBERS);
    const message = await send(sockets[0], room.id, 'everyone react');
    const ttlBefore = await ctx.app.redis.ttl(`bbb:msg:${message.id}`);
    const acks = await Promise.all(
      sockets.map((s) => request(s, 'reaction:add', { roomId: room.id, messageId: message.id, emoji: 'star' }))
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    const page = await joinRoom(sockets[0], room.id);
    const stars = page.messages[0].reactions.find((r) => r.emoji === 'star');
    expect([...(stars?.userIds ?? [])].sort((a, b) => a - b)).toEqual(people.map((p) => p.id).sort((a, b) => a - b));
    const ttlAfter = await ctx.app.redis.ttl(`bbb:msg:${message.id}`);
    expect(ttlAfter).toBeGreaterThan(0);
    expect(ttlAfter).toBeLessThanOrEqual(ttlBefore);
  }, 20_000);

  it('every emoji of the set is accepted; reactions are rate limited separately from sending', async () => {
    const { room, sockets } = await roomWith(1);
    const message = await send(sockets[0], room.id, 'x');
    const results = [];
    for (const emoji of EMOJI) results.push(await requestRaw(sockets[0], 'reaction:add', { roomId: room.id, messageId: message.id, emoji }));
    expect(results.every((r) => r.ok)).toBe(true);
    const flood = await Promise.all(
      Array.from({ length: 20 }, () => requestRaw(sockets[0], 'reaction:remove', { roomId: room.id, messageId: message.id, emoji: 'heart' }))
    );
    expect(flood.some((r) => !r.ok && r.error.code === 'RATE_LIMITED')).toBe(true);
  });
});

describe('room full', () => {
  it('the seventeenth user cannot get in: "This room is full"', async () => {
    const people = await users(ROOM_MAX_MEMBERS + 1);
    const outsider = people.pop()!;
    const room = await createRoom(people[0], people.slice(1));
    const refused = await outsider.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode });
    expect(refused.status).toBe(409);
    expect(refused.json).toEqual({ error: 'This room is full' });
    const socket = await connect(outsider);
    const ack = await requestRaw(socket, 'room:join', { roomId: room.id });
    expect(ack).toEqual({ ok: false, error: { code: 'ROOM_FULL', message: 'This room is full', event: 'room:join', roomId: room.id } });
    const send = await requestRaw(socket, 'message:send', { roomId: room.id, type: 'text', content: 'let me in' });
    expect(send).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
  }, 20_000);
});

describe('typing', () => {
  it('others see who types; stop, sending, or 5 s of silence end it', async () => {
    const { room, people, sockets } = await roomWith(2);
    const [alice] = people;
    const aliceTyping = (p: { users: { userId: number }[] }) => p.users.some((u) => u.userId === alice.id);

    let update = nextEvent(sockets[1], 'typing:update', aliceTyping);
    sockets[0].emit('typing:start', { roomId: room.id });
    const first = await update;
    expect(first).toMatchObject({ roomId: room.id, users: [{ userId: alice.id, username: alice.username }], kind: 'text' });
    update = nextEvent(sockets[1], 'typing:update');
    sockets[0].emit('typing:stop', { roomId: room.id });
    // Each change of the list comes with a higher version.
    expect(await update).toEqual({ roomId: room.id, users: [], kind: 'text', version: first.version + 1 });

    // Sending a message ends typing.
    update = nextEvent(sockets[1], 'typing:update', aliceTyping);
    sockets[0].emit('typing:start', { roomId: room.id });
    await update;
    update = nextEvent(sockets[1], 'typing:update', (p) => !aliceTyping(p));
    await send(sockets[0], room.id, 'done typing');
    await update;

    // Silence: the entry expires and the room is told, without any typing:stop.
    update = nextEvent(sockets[1], 'typing:update', aliceTyping);
    const started = Date.now();
    sockets[0].emit('typing:start', { roomId: room.id });
    await update;
    await nextEvent(sockets[1], 'typing:update', (p) => !aliceTyping(p), TYPING_EXPIRE_MS + 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TYPING_EXPIRE_MS);
  }, 20_000);

  it('drawing is told apart from typing, ends the same ways, and a kind outside the list is refused', async () => {
    const { room, people, sockets } = await roomWith(2);
    const [alice] = people;
    const drawingUpdate = (pred: (p: { users: { userId: number }[] }) => boolean, timeoutMs?: number) =>
      nextEvent(sockets[1], 'typing:update', (p) => p.kind === 'drawing' && pred(p), timeoutMs);
    const aliceIn = (p: { users: { userId: number }[] }) => p.users.some((u) => u.userId === alice.id);

    let update = drawingUpdate(aliceIn);
    sockets[0].emit('typing:start', { roomId: room.id, kind: 'drawing' });
    const started = await update;
    expect(started).toMatchObject({ roomId: room.id, users: [{ userId: alice.id, username: alice.username }], kind: 'drawing' });
    // Typing at the same time is a separate list.
    const typing = nextEvent(sockets[1], 'typing:update', (p) => p.kind === 'text' && aliceIn(p));
    sockets[0].emit('typing:start', { roomId: room.id });
    await typing;
    update = drawingUpdate((p) => !aliceIn(p));
    sockets[0].emit('typing:stop', { roomId: room.id, kind: 'drawing' });
    // The drawing list has its own versions: typing in between did not move them.
    expect(await update).toEqual({ roomId: room.id, users: [], kind: 'drawing', version: started.version + 1 });

    // Silence ends drawing too.
    update = drawingUpdate(aliceIn);
    sockets[0].emit('typing:start', { roomId: room.id, kind: 'drawing' });
    await update;
    await drawingUpdate((p) => !aliceIn(p), TYPING_EXPIRE_MS + 5000);

    const refused = await requestRaw(sockets[0], 'typing:start', { roomId: room.id, kind: 'singing' } as never);
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', event: 'typing:start' } });
  }, 20_000);

  it('stale typing ends in every room at once, each room told who still types', async () => {
    const quiet = await roomWith(2);
    const busy = await roomWith(2);
    const [ann] = quiet.people;
    const [ben, cat] = busy.people;
    const sees = (userId: number) => (p: { users: { userId: number }[] }) => p.users.some((u) => u.userId === userId);

    const started = [nextEvent(quiet.sockets[1], 'typing:update', sees(ann.id)), nextEvent(busy.sockets[1], 'typing:update', sees(ben.id))];
    quiet.sockets[0].emit('typing:start', { roomId: quiet.room.id });
    busy.sockets[0].emit('typing:start', { roomId: busy.room.id });
    await Promise.all(started);
    await new Promise((r) => setTimeout(r, TYPING_EXPIRE_MS / 2));
    const catStarted = nextEvent(busy.sockets[0], 'typing:update', sees(cat.id));
    busy.sockets[1].emit('typing:start', { roomId: busy.room.id });
    await catStarted;

    // Ann and Ben fall silent together; Cat, who started later, is still typing.
    const [quietNow, busyNow] = await Promise.all([
      nextEvent(quiet.sockets[1], 'typing:update', (p) => !sees(ann.id)(p), TYPING_EXPIRE_MS + 5000),
      nextEvent(busy.sockets[0], 'typing:update', (p) => !sees(ben.id)(p), TYPING_EXPIRE_MS + 5000)
    ]);
    expect(quietNow).toMatchObject({ roomId: quiet.room.id, users: [], kind: 'text' });
    expect(busyNow).toMatchObject({ roomId: busy.room.id, users: [{ userId: cat.id, username: cat.username }], kind: 'text' });
  }, 20_000);
});

describe('presence', () => {
  it('a disconnect turns the dot off for the others; joining turns it on, with a notice only for the new membership', async () => {
    const { room, people, sockets } = await roomWith(2);
    const late = await users(1);
    // A new member (over REST) appears in the member list of those in the room, offline for now.
    const memberList = nextEvent(sockets[0], 'room:members', (p) => p.members.some((m) => m.userId === late[0].id));
    const newMember = nextEvent(sockets[0], 'room:member-joined');
    expect((await late[0].client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(200);
    expect((await memberList).members.find((m) => m.userId === late[0].id)).toEqual({ userId: late[0].id, username: late[0].username, online: false, avatar: null });
    expect(await newMember).toEqual({ roomId: room.id, userId: late[0].id, username: late[0].username });
    const online = nextEvent(sockets[0], 'room:presence');
    const notices = record(sockets[0], 'room:member-joined');
    const lateSocket = await connect(late[0]);
    await joinRoom(lateSocket, room.id);
    expect(await online).toEqual({ roomId: room.id, userId: late[0].id, online: true });

    const left = nextEvent(sockets[0], 'room:presence', (p) => !p.online);
    sockets[1].disconnect();
    expect(await left).toEqual({ roomId: room.id, userId: people[1].id, online: false });
    expect(notices).toEqual([]);
    const members = nextEvent(lateSocket, 'room:members');
    await joinRoom(lateSocket, room.id);
    expect((await members).members.find((m) => m.userId === people[1].id)?.online).toBe(false);
  });

  it('two tabs: closing one keeps the user online, closing both turns the dot off once', async () => {
    const { room, people, sockets } = await roomWith(2);
    const bob = people[1];
    const secondTab = await connect(bob);
    // Bob's dot from joining may still be on its way (it waits for his block list).
    await quietPeriod();
    const dots = record(sockets[0], 'room:presence');
    await joinRoom(secondTab, room.id);
    secondTab.disconnect();
    await quietPeriod();
    const observer = await connect(people[0]);
    const members = nextEvent(observer, 'room:members');
    await joinRoom(observer, room.id);
    expect((await members).members.find((m) => m.userId === bob.id)?.online).toBe(true);
    expect(dots).toEqual([]);

    sockets[1].disconnect();
    await eventually(() => dots.length === 1);
    await quietPeriod();
    expect(dots).toEqual([{ roomId: room.id, userId: bob.id, online: false }]);
    expect(await ctx.app.redis.smembers(`bbb:room:${room.id}:online`)).toEqual([String(people[0].id)]);
  });

  it('room:leave takes the socket out of the room; the user goes offline for the others', async () => {
    const { room, people, sockets } = await roomWith(2);
    const left = nextEvent(sockets[0], 'room:presence', (p) => !p.online);
    expect(await requestRaw(sockets[1], 'room:leave', { roomId: room.id })).toEqual({ ok: true });
    expect((await left).userId).toBe(people[1].id);
    const after = record(sockets[1], 'message:new');
    await send(sockets[0], room.id, 'bob is not watching');
    await quietPeriod();
    expect(after).toEqual([]);
  });
});

describe('membership changes from the rooms service', () => {
  it('a member who leaves over REST gets room:closed and no further messages', async () => {
    const { room, people, sockets } = await roomWith(3);
    const [, bob] = people;
    const closed = nextEvent(sockets[1], 'room:closed');
    const left = nextEvent(sockets[0], 'room:member-left');
    const members = nextEvent(sockets[0], 'room:members', (p) => p.members.every((m) => m.userId !== bob.id));
    expect((await bob.client.post(`/api/rooms/${room.id}/leave`)).status).toBeLessThan(300);
    expect(await closed).toEqual({ roomId: room.id, reason: 'left' });
    expect(await left).toEqual({ roomId: room.id, userId: bob.id, username: bob.username, reason: 'left' });
    await members;

    const after = record(sockets[1], 'message:new');
    const stillThere = nextEvent(sockets[2], 'message:new');
    await send(sockets[0], room.id, 'after bob left');
    await stillThere;
    await quietPeriod();
    expect(after).toEqual([]);
    const ack = await requestRaw(sockets[1], 'message:send', { roomId: room.id, type: 'text', content: 'let me back' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
  });

  it('a deleted room is closed for everyone in it and its Redis keys are gone', async () => {
    const { room, people, sockets } = await roomWith(2);
    const message = await send(sockets[0], room.id, 'soon gone');
    await requestRaw(sockets[1], 'reaction:add', { roomId: room.id, messageId: message.id, emoji: 'sad' });
    await requestRaw(sockets[1], 'typing:start', { roomId: room.id });
    const closings = sockets.map((s) => nextEvent(s, 'room:closed'));
    expect((await people[0].client.delete(`/api/rooms/${room.id}`)).status).toBeLessThan(300);
    for (const closing of closings) expect(await closing).toEqual({ roomId: room.id, reason: 'deleted' });
    await eventually(
      async () => (await ctx.app.redis.keys(`bbb:room:${room.id}:*`)).length === 0 && (await ctx.app.redis.exists(`bbb:msg:${message.id}`)) === 0
    );
    expect(await ctx.app.redis.keys('bbb:trash:*')).toEqual([]);
    const after = record(sockets[1], 'message:new');
    const ack = await requestRaw(sockets[0], 'message:send', { roomId: room.id, type: 'text', content: 'anyone?' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
    const rejoin = await requestRaw(sockets[1], 'room:join', { roomId: room.id });
    expect(rejoin).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await quietPeriod();
    expect(after).toEqual([]);
  });
});

describe('connecting and joining at once', () => {
  it('a room:join emitted in the same tick as connect, or queued before it, is always answered (5 tries each)', async () => {
    const { room, people } = await roomWith(1);
    // Five of each stay within one user's read limit.
    for (let i = 0; i < 5; i++) {
      // Queued before the connection opened.
      const queued = openSocket(ctx.app.baseUrl, people[0].cookie, { autoConnect: false });
      const queuedAck = request(queued, 'room:join', { roomId: room.id });
      queued.connect();
      // Emitted from the connect handler itself.
      const eager = openSocket(ctx.app.baseUrl, people[0].cookie, { autoConnect: false });
      const eagerAck = new Promise<Awaited<typeof queuedAck>>((resolve) => {
        eager.on('connect', () => void request(eager, 'room:join', { roomId: room.id }).then(resolve));
      });
      eager.connect();
      const [a, b] = await Promise.all([queuedAck, eagerAck]);
      expect(a.ok && b.ok, `try ${i}`).toBe(true);
      queued.disconnect();
      eager.disconnect();
    }
  }, 30_000);

  it('a client that reconnects catches up with what it missed, without duplicates', async () => {
    const { room, people, sockets } = await roomWith(2);
    const first = await send(sockets[0], room.id, 'before the blip');
    const seen = new Map<string, Message>((await joinRoom(sockets[1], room.id)).messages.map((m) => [m.id, m]));
    sockets[1].disconnect();
    await new Promise((r) => setTimeout(r, 1000));
    const missed = await send(sockets[0], room.id, 'during the blip');
    const back = await connect(people[1]);
    const page = await joinRoom(back, room.id);
    for (const m of page.messages) seen.set(m.id, m);
    expect([...seen.values()].map((m) => m.id)).toEqual([first.id, missed.id]);
    expect(page.messages.map((m) => m.id)).toEqual([first.id, missed.id]);
  });
});
