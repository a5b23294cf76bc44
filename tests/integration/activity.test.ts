import { afterEach, describe, expect, it } from 'vitest';
import {
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  PREVIEW_TEXT_CHARS,
  READ_MARKS_PER_MINUTE,
  THUMBNAIL_MAX_BYTES,
  serializedBytes,
  packDrawing,
  unpackDrawing,
  type Message,
  type RoomActivity
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
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

// The room list's activity (docs/architecture.md#room-activity) and the owner's tools
// (docs/architecture.md#owner-tools), with real Redis, SQLite and socket.io clients.

const ctx = useTestApp();
afterEach(() => closeAllSockets());

const connect = (user: TestUser) => connectSocket(ctx.app.baseUrl, user.cookie);

async function send(socket: ClientSocket, roomId: string, content: string): Promise<Message> {
  const ack = await request(socket, 'message:send', { roomId, type: 'text', content });
  if (!ack.ok) throw new Error(`send failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** One message a second per user: the next send waits it out. */
const nextSecond = () => quietPeriod(1050);

async function activityOf(socket: ClientSocket): Promise<Map<string, RoomActivity>> {
  const ack = await request(socket, 'rooms:activity', {});
  if (!ack.ok) throw new Error(`rooms:activity failed: ${ack.error.code}`);
  return new Map(ack.data.map((a) => [a.roomId, a]));
}

describe('rooms:activity and room:activity', () => {
  it('lists each room with its last message and my unread count; live while I am only on the room list', async () => {
    const [ann, ben] = await createUsers(ctx.app.baseUrl, 2);
    const quiet = await createRoom(ann, [ben], 'Quiet');
    const busy = await createRoom(ann, [ben], 'Busy');
    const annList = await connect(ann); // on the room list: in no room
    const benSocket = await connect(ben);
    await joinRoom(benSocket, busy.id);

    const before = await activityOf(annList);
    expect(before.get(quiet.id)).toEqual({ roomId: quiet.id, last: null, unread: 0, readSeq: -1 });
    expect(before.get(busy.id)?.unread).toBe(0);

    const live = record(annList, 'room:activity');
    const long = 'a'.repeat(PREVIEW_TEXT_CHARS + 50);
    await send(benSocket, busy.id, 'first');
    await nextSecond();
    const second = await send(benSocket, busy.id, long);
    await eventually(() => live.length === 2);
    expect(live[1]).toEqual({
      roomId: busy.id,
      last: { id: second.id, seq: 1, userId: ben.id, username: ben.username, timestamp: second.timestamp, type: 'text', text: 'a'.repeat(PREVIEW_TEXT_CHARS) }
    });

    const after = await activityOf(annList);
    expect(after.get(busy.id)).toMatchObject({ unread: 2, readSeq: -1, last: { id: second.id, text: 'a'.repeat(PREVIEW_TEXT_CHARS) } });
    expect(after.get(quiet.id)?.unread).toBe(0);
    // My own messages are never unread to me, and writing marks the room read.
    expect((await activityOf(benSocket)).get(busy.id)).toMatchObject({ unread: 0, readSeq: 1 });
  });

  it('a socket inside the room hears a message once, as message:new with its position; one elsewhere hears room:activity', async () => {
    const [ann, ben] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(ann, [ben], 'Porch');
    const annInRoom = await connect(ann);
    const annOnList = await connect(ann);
    const benSocket = await connect(ben);
    await joinRoom(annInRoom, room.id);
    await joinRoom(benSocket, room.id);
    await send(benSocket, room.id, 'zero');
    await nextSecond();

    const inRoom = { news: record(annInRoom, 'message:new'), activity: record(annInRoom, 'room:activity') };
    const onList = { news: record(annOnList, 'message:new'), activity: record(annOnList, 'room:activity') };
    const sent = await send(benSocket, room.id, 'one');
    await eventually(() => inRoom.news.length === 1 && onList.activity.length === 1);
    await quietPeriod();
    expect(inRoom.news).toEqual([{ ...sent, seq: 1 }]);
    expect(inRoom.activity).toEqual([]);
    expect(onList.news).toEqual([]);
    expect(onList.activity).toEqual([{ roomId: room.id, last: expect.objectContaining({ id: sent.id, seq: 1, text: 'one' }) }]);
  });

  it('room:read clears the count on every device of mine, and it stays cleared after a reload', async () => {
    const [ann, ben] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(ann, [ben]);
    const benSocket = await connect(ben);
    await joinRoom(benSocket, room.id);
    await send(benSocket, room.id, 'hello');
    const phone = await connect(ann);
    const laptop = await connect(ann);
    expect((await activityOf(phone)).get(room.id)?.unread).toBe(1);

    const heard = nextEvent(phone, 'room:read');
    expect(await request(laptop, 'room:read', { roomId: room.id })).toEqual({ ok: true });
    expect(await heard).toEqual({ roomId: room.id, seq: 0 });
    const reloaded = await connect(ann);
    expect((await activityOf(reloaded)).get(room.id)).toMatchObject({ unread: 0, readSeq: 0 });

    await nextSecond();
    await send(benSocket, room.id, 'again');
    expect((await activityOf(reloaded)).get(room.id)?.unread).toBe(1);
  });

  it('a drawing previews as a small thumbnail; an image as its type', async () => {
    const [ann, ben] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(ann, [ben]);
    const annSocket = await connect(ann);
    const benSocket = await connect(ben);
    await joinRoom(benSocket, room.id);
    // Nearly the most points a drawing may hold: far too much to send to every member's room list.
    const points = Array.from({ length: 19_000 }, (_, i) => ({ x: Math.round(i * 3.7) % CANVAS_WIDTH, y: Math.round(i * 1.3) % CANVAS_HEIGHT, pressure: 0.55 }));
    const drawing = packDrawing([{ type: 'stroke', points, color: '#FF0000', size: 4, eraser: false }]);
    expect(serializedBytes(drawing)).toBeGreaterThan(3 * THUMBNAIL_MAX_BYTES);
    const update = nextEvent(annSocket, 'room:activity');
    expect((await request(benSocket, 'message:send', { roomId: room.id, type: 'drawing', content: drawing })).ok).toBe(true);
    const { last } = await update;
    expect(last?.type).toBe('drawing');
    const thumbnail = last?.thumbnail;
    expect(thumbnail).toBeDefined();
    expect(serializedBytes(thumbnail)).toBeLessThanOrEqual(THUMBNAIL_MAX_BYTES);
    const stroke = unpackDrawing(thumbnail!).operations[0];
    expect(stroke.type === 'stroke' && stroke.points.at(-1)).toEqual({ x: Math.round(points.at(-1)!.x), y: Math.round(points.at(-1)!.y), pressure: 0.6 });
    expect((await activityOf(annSocket)).get(room.id)?.last).toEqual(last);
  });

  it('deleting the last message previews the one before it and drops it from unread counts', async () => {
    const [ann, ben] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(ann, [ben]);
    const annSocket = await connect(ann);
    const benSocket = await connect(ben);
    await joinRoom(benSocket, room.id);
    const first = await send(benSocket, room.id, 'keep me');
    await nextSecond();
    const second = await send(benSocket, room.id, 'oops');
    expect((await activityOf(annSocket)).get(room.id)?.unread).toBe(2);

    const update = nextEvent(annSocket, 'room:activity');
    expect(await request(benSocket, 'message:delete', { roomId: room.id, messageId: second.id })).toEqual({ ok: true });
    expect(await update).toEqual({
      roomId: room.id,
      last: { id: first.id, seq: 0, userId: ben.id, username: ben.username, timestamp: first.timestamp, type: 'text', text: 'keep me' },
      deleted: { seq: 1, userId: ben.id }
    });
    expect((await activityOf(annSocket)).get(room.id)).toMatchObject({ unread: 1, last: { id: first.id } });

    const emptied = nextEvent(annSocket, 'room:activity');
    expect(await request(benSocket, 'message:delete', { roomId: room.id, messageId: first.id })).toEqual({ ok: true });
    expect(await emptied).toEqual({ roomId: room.id, last: null, deleted: { seq: 0, userId: ben.id } });
    expect((await activityOf(annSocket)).get(room.id)).toMatchObject({ unread: 0, last: null });
  });

  it('a newcomer starts with nothing unread and hears the room live at once, on sockets opened before joining', async () => {
    const [ann, ben] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(ann);
    const annSocket = await connect(ann);
    await joinRoom(annSocket, room.id);
    await send(annSocket, room.id, 'before ben');
    const benList = await connect(ben);
    const changed = nextEvent(benList, 'rooms:changed');
    expect((await ben.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(200);
    await changed;
    expect((await activityOf(benList)).get(room.id)).toMatchObject({ unread: 0, last: { text: 'before ben' } });
    const live = nextEvent(benList, 'room:activity');
    await nextSecond();
    await send(annSocket, room.id, 'welcome');
    expect((await live).last?.text).toBe('welcome');
    expect((await activityOf(benList)).get(room.id)?.unread).toBe(1);
  });

  it('refuses bad payloads, rooms I am not in, and marks past the limit', async () => {
    const [ann, eve] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(ann);
    const annSocket = await connect(ann);
    const eveSocket = await connect(eve);
    expect(await requestRaw(annSocket, 'rooms:activity', { all: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await requestRaw(annSocket, 'room:read', { roomId: ['x'] })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await requestRaw(eveSocket, 'room:read', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
    expect((await activityOf(eveSocket)).size).toBe(0);
    const others = record(eveSocket, 'room:activity');
    await send(annSocket, room.id, 'private');
    await quietPeriod();
    expect(others).toEqual([]);

    const answers = await Promise.all(Array.from({ length: READ_MARKS_PER_MINUTE + 1 }, () => request(annSocket, 'room:read', { roomId: room.id })));
    expect(answers.filter((a) => a.ok)).toHaveLength(READ_MARKS_PER_MINUTE);
    expect(answers.find((a) => !a.ok)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });
});

describe('owner tools', () => {
  it('the owner removes a member: taken out live, told why, the room hears it, and they lose access', async () => {
    const [owner, ben, cat] = await createUsers(ctx.app.baseUrl, 3);
    const room = await createRoom(owner, [ben, cat]);
    const ownerSocket = await connect(owner);
    await joinRoom(ownerSocket, room.id);
    const benInRoom = await connect(ben);
    await joinRoom(benInRoom, room.id);
    const benOnList = await connect(ben);

    const closedInRoom = nextEvent(benInRoom, 'room:closed');
    const closedOnList = nextEvent(benOnList, 'room:closed');
    const notice = nextEvent(ownerSocket, 'room:member-left');
    const members = nextEvent(ownerSocket, 'room:members', (p) => p.members.every((m) => m.userId !== ben.id));
    const res = await owner.client.delete(`/api/rooms/${room.id}/members/${ben.id}`);
    expect(res.status).toBe(200);
    expect(await closedInRoom).toEqual({ roomId: room.id, reason: 'removed' });
    expect(await closedOnList).toEqual({ roomId: room.id, reason: 'removed' });
    expect(await notice).toEqual({ roomId: room.id, userId: ben.id, username: ben.username, reason: 'removed' });
    await members;

    const missed = [record(benInRoom, 'message:new'), record(benInRoom, 'room:activity'), record(benOnList, 'room:activity')];
    await send(ownerSocket, room.id, 'after ben');
    await quietPeriod();
    expect(missed.flat()).toEqual([]);
    expect(await requestRaw(benInRoom, 'message:send', { roomId: room.id, type: 'text', content: 'hi?' })).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
    expect((await ben.client.get(`/api/rooms/${room.id}`)).status).toBe(403);
    expect((await ben.client.get('/api/rooms')).json).toEqual([]);
    // The link Ben joined with no longer lets him back; the members get the new one.
    expect((await ben.client.post('/api/rooms/join-by-code', { inviteCode: room.inviteCode })).status).toBe(404);
    const { inviteCode } = (await cat.client.get(`/api/rooms/${room.id}`)).json as { inviteCode: string };
    expect(inviteCode).not.toBe(room.inviteCode);
    expect((await ben.client.post('/api/rooms/join-by-code', { inviteCode })).status).toBe(200);
  });

  it('only the owner may remove, never themselves, and only members; refusals change nothing', async () => {
    const [owner, ben, cat, eve] = await createUsers(ctx.app.baseUrl, 4);
    const room = await createRoom(owner, [ben, cat]);
    const memberCount = async () => ((await owner.client.get(`/api/rooms/${room.id}`)).json as { memberCount: number }).memberCount;

    const byMember = await ben.client.delete(`/api/rooms/${room.id}/members/${cat.id}`);
    expect(byMember.status).toBe(403);
    expect(byMember.json).toEqual({ error: 'Only the owner can remove members' });
    expect((await eve.client.delete(`/api/rooms/${room.id}/members/${cat.id}`)).status).toBe(403);
    const self = await owner.client.delete(`/api/rooms/${room.id}/members/${owner.id}`);
    expect(self.status).toBe(400);
    expect(self.json).toEqual({ error: 'The owner cannot remove themselves: leave or delete the room instead' });
    expect((await owner.client.delete(`/api/rooms/${room.id}/members/${eve.id}`)).status).toBe(404);
    expect((await owner.client.delete(`/api/rooms/${room.id}/members/abc`)).status).toBe(404);
    expect((await owner.client.delete(`/api/rooms/${room.id}/members/99999999999999999999`)).status).toBe(404);
    expect((await owner.client.delete(`/api/rooms/nope/members/${ben.id}`)).status).toBe(404);
    expect(await memberCount()).toBe(3);
  });

  it('the owner deletes anyone’s message in their room; a member cannot delete another’s', async () => {
    const [owner, ben, cat] = await createUsers(ctx.app.baseUrl, 3);
    const room = await createRoom(owner, [ben, cat]);
    const ownerSocket = await connect(owner);
    const benSocket = await connect(ben);
    const catSocket = await connect(cat);
    for (const s of [ownerSocket, benSocket, catSocket]) await joinRoom(s, room.id);
    const message = await send(benSocket, room.id, 'rude words');

    expect(await requestRaw(catSocket, 'message:delete', { roomId: room.id, messageId: message.id })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'You can only delete your own messages' }
    });
    const gone = nextEvent(catSocket, 'message:deleted');
    expect(await request(ownerSocket, 'message:delete', { roomId: room.id, messageId: message.id })).toEqual({ ok: true });
    expect(await gone).toEqual({ roomId: room.id, messageId: message.id });
    expect((await joinRoom(catSocket, room.id)).messages).toEqual([]);
  });
});
