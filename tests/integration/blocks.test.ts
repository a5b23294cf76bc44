import { describe, expect, it } from 'vitest';
import { SEND_INTERVAL_SECONDS, type RoomActivity } from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { connectSocket, createRoom, eventually, joinRoom, nextEvent, quietPeriod, record, registerUser, request, requestRaw, type ClientSocket, type TestUser } from '../support/client.ts';

// What a block hides beyond messages and presence (docs/architecture.md#friends-and-direct-messages):
// typing and drawing indicators, both ways, and the blocked person's messages in the blocker's
// unread counts and room-list previews.

const ctx = useTestApp();

const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(ctx.app.baseUrl)));
const socketOf = (u: TestUser) => connectSocket(ctx.app.baseUrl, u.cookie, { origin: ctx.app.baseUrl });
const block = (u: TestUser, other: TestUser) => u.client.post('/api/friends/blocks', { username: other.username });
const unblock = (u: TestUser, other: TestUser) => u.client.delete(`/api/friends/blocks/${other.id}`);

/** Sends a text and answers the acknowledgement; waits out the one-message-a-second limit first. */
async function say(socket: ClientSocket, roomId: string, content: string) {
  await new Promise((r) => setTimeout(r, SEND_INTERVAL_SECONDS * 1000 + 50));
  const ack = await request(socket, 'message:send', { roomId, type: 'text', content });
  expect(ack.ok).toBe(true);
}

async function activityOf(socket: ClientSocket, roomId: string): Promise<RoomActivity> {
  const ack = await request(socket, 'rooms:activity', {});
  if (!ack.ok) throw new Error(ack.error.message);
  const found = ack.data.find((a) => a.roomId === roomId);
  if (!found) throw new Error('room missing from the activity list');
  return found;
}

const names = (update: { users: { userId: number }[] }) => update.users.map((u) => u.userId);

describe('blocking hides typing', () => {
  it('the blocked person never sees the blocker type or draw; a third member does; unblocking shows them again', async () => {
    const [ann, bob, cat] = await users(3);
    const room = await createRoom(ann, [bob, cat]);
    expect((await block(ann, cat)).status).toBe(200);
    const [annSocket, bobSocket, catSocket] = await Promise.all([socketOf(ann), socketOf(bob), socketOf(cat)]);
    await Promise.all([joinRoom(annSocket, room.id), joinRoom(bobSocket, room.id), joinRoom(catSocket, room.id)]);
    const catHears = record(catSocket, 'typing:update');
    const annHears = record(annSocket, 'typing:update');
    const bobHears = record(bobSocket, 'typing:update');

    // Ann, the blocker, types and draws: Bob sees it, Cat does not.
    await requestRaw(annSocket, 'typing:start', { roomId: room.id });
    await requestRaw(annSocket, 'typing:start', { roomId: room.id, kind: 'drawing' });
    await eventually(() => bobHears.length === 2, 5000, 'Bob hearing Ann');
    expect(bobHears.map(names)).toEqual([[ann.id], [ann.id]]);

    // Bob types too: Cat sees Bob alone, with the version Bob's list has, so it is not dropped.
    await requestRaw(bobSocket, 'typing:start', { roomId: room.id });
    const bobBoth = await eventually(() => bobHears.length === 3, 5000, 'Bob hearing himself').then(() => bobHears[2]);
    expect(names(bobBoth).sort()).toEqual([ann.id, bob.id].sort());
    await eventually(() => catHears.some((u) => names(u).includes(bob.id)), 5000, 'Cat hearing Bob');
    expect(catHears.find((u) => names(u).includes(bob.id))?.version).toBe(bobBoth.version);
    for (const update of catHears) expect(names(update)).not.toContain(ann.id);

    // Cat, the blocked one, types: Bob sees it, Ann does not (her side hides them as well).
    await requestRaw(catSocket, 'typing:start', { roomId: room.id });
    await eventually(() => bobHears.some((u) => names(u).includes(cat.id)), 5000, 'Bob hearing Cat');
    await quietPeriod();
    for (const update of annHears) expect(names(update)).not.toContain(cat.id);

    // Joining while Ann types (kept fresh): Cat's first list leaves her out; Bob's has her.
    await requestRaw(annSocket, 'typing:start', { roomId: room.id });
    const catAgain = await socketOf(cat);
    const catFirst = nextEvent(catAgain, 'typing:update');
    await joinRoom(catAgain, room.id);
    expect(names(await catFirst)).not.toContain(ann.id);
    const bobAgain = await socketOf(bob);
    const bobFirst = nextEvent(bobAgain, 'typing:update');
    await joinRoom(bobAgain, room.id);
    expect(names(await bobFirst)).toContain(ann.id);

    // Bob's message ends his typing: the list that follows names Ann to everyone but Cat.
    await requestRaw(annSocket, 'typing:start', { roomId: room.id });
    const catBefore = catHears.length;
    await say(bobSocket, room.id, 'hello');
    await eventually(() => catHears.slice(catBefore).some((u) => !names(u).includes(bob.id)), 5000, 'Cat hearing Bob stop');
    expect(names(bobHears[bobHears.length - 1])).toContain(ann.id);
    for (const update of catHears) expect(names(update)).not.toContain(ann.id);

    // Unblocked: Cat sees Ann type again.
    await requestRaw(annSocket, 'typing:stop', { roomId: room.id });
    expect((await unblock(ann, cat)).status).toBe(200);
    await requestRaw(annSocket, 'typing:start', { roomId: room.id });
    await eventually(() => catHears.some((u) => names(u).includes(ann.id)), 5000, 'Cat hearing Ann after the unblock');
  });
});

describe('blocking hides unread messages', () => {
  it('the blocker’s unread count and preview skip the blocked person, on reload and live; unblocking counts them again', async () => {
    const [ann, bob, cat] = await users(3);
    const room = await createRoom(ann, [bob, cat]);
    expect((await block(ann, cat)).status).toBe(200);
    const [annSocket, bobSocket, catSocket] = await Promise.all([socketOf(ann), socketOf(bob), socketOf(cat)]);
    await Promise.all([joinRoom(bobSocket, room.id), joinRoom(catSocket, room.id)]);
    // Ann's socket shows her room list, not the room.
    const annActivity = record(annSocket, 'room:activity');

    await say(catSocket, room.id, 'cat 1');
    await say(bobSocket, room.id, 'bob 1');
    await say(catSocket, room.id, 'cat 2');
    await say(catSocket, room.id, 'cat 3');
    await quietPeriod();

    // Live: only Bob's message reached Ann's room list.
    expect(annActivity.map((a) => a.last?.userId)).toEqual([bob.id]);
    // Reloaded: one unread, and Bob's message as the preview though Cat spoke last.
    const seen = await activityOf(annSocket, room.id);
    expect(seen.unread).toBe(1);
    expect(seen.last?.userId).toBe(bob.id);
    expect(seen.last?.text).toBe('bob 1');

    // Bob sees everything.
    const bobSees = await activityOf(await socketOf(bob), room.id);
    expect(bobSees.last?.text).toBe('cat 3');

    // A room where only the blocked person spoke shows Ann nothing at all.
    const quiet = await createRoom(ann, [cat]);
    const catInQuiet = await socketOf(cat);
    await joinRoom(catInQuiet, quiet.id);
    await say(catInQuiet, quiet.id, 'only cat');
    const quietSeen = await activityOf(annSocket, quiet.id);
    expect(quietSeen.unread).toBe(0);
    expect(quietSeen.last).toBeNull();

    // Unblocked: Cat's messages count and show again.
    expect((await unblock(ann, cat)).status).toBe(200);
    const after = await activityOf(annSocket, room.id);
    expect(after.unread).toBe(4);
    expect(after.last?.text).toBe('cat 3');
    expect((await activityOf(annSocket, quiet.id)).unread).toBe(1);
    await say(catSocket, room.id, 'cat 4');
    await eventually(() => annActivity.some((a) => a.last?.text === 'cat 4'), 5000, 'Cat’s message live after the unblock');
  });
});
