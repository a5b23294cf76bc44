import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/lib/protocol/index.ts';
import { withReactions } from '../../src/lib/chat/merge.ts';
import { REACTIONS_PER_SECOND } from '../../server/infra/limits.ts';
import { useTestApps, type TestApp } from '../support/app.ts';
import {
  closeAllSockets,
  connectSocket,
  createRoom,
  createUsers,
  eventually,
  joinRoom,
  record,
  request,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';

// Three server processes on one Redis relay each other's broadcasts through the adapter's stream,
// so two snapshots of one thing (a message's reactions, a room's typing list) can reach a socket
// in a different order than Redis made them. Each carries a version, and a screen that keeps the
// newest version it saw must end on what is stored (docs/architecture.md#snapshots-carry-versions).

const ctx = useTestApps({ one: {}, two: { shareDataDirOf: 'one' }, three: { shareDataDirOf: 'one' } });
afterEach(() => closeAllSockets());

const PEOPLE = 6;
const ROUNDS = 15;

/** Six people in one room, two connected to each process. */
async function crowd(): Promise<{ roomId: string; people: TestUser[]; sockets: ClientSocket[] }> {
  const apps: TestApp[] = [ctx.one, ctx.two, ctx.three];
  const people = await createUsers(ctx.one.baseUrl, PEOPLE);
  const room = await createRoom(people[0], people.slice(1));
  const sockets = await Promise.all(
    people.map(async (person, i) => {
      const socket = await connectSocket(apps[i % apps.length].baseUrl, person.cookie);
      await joinRoom(socket, room.id);
      return socket;
    })
  );
  return { roomId: room.id, people, sockets };
}

const byId = (ids: number[]) => [...ids].sort((a, b) => a - b);
/** Rounds no faster than the reaction limit allows each person. */
const pace = () => new Promise((r) => setTimeout(r, Math.ceil(1000 / REACTIONS_PER_SECOND) + 20));

describe('snapshots relayed by several processes', () => {
  it('everyone reacting at once, round after round: every screen ends on the stored reactions', async () => {
    const { roomId, sockets } = await crowd();
    const sent = await request(sockets[0], 'message:send', { roomId, type: 'text', content: 'react, all of you' });
    if (!sent.ok) throw new Error(sent.error.message);
    // What each screen would show: the client's own rule applied to what arrives, in arrival order.
    const screens = sockets.map((socket) => {
      const screen = { feed: [sent.data] as Message[], versions: [] as number[] };
      socket.on('reaction:updated', ({ messageId, reactions, version }) => {
        screen.versions.push(version);
        screen.feed = withReactions(screen.feed, messageId, reactions, version);
      });
      return screen;
    });

    for (let round = 0; round < ROUNDS; round++) {
      // Everyone adds, then everyone takes it back; the last round adds, so the end is not empty.
      const event = round % 2 === 0 ? 'reaction:add' : 'reaction:remove';
      const acks = await Promise.all(sockets.map((s) => request(s, event, { roomId, messageId: sent.data.id, emoji: 'heart' })));
      expect(acks.every((a) => a.ok)).toBe(true);
      if (round < ROUNDS - 1) await pace();
    }

    const stored = JSON.parse((await ctx.one.redis.get(`bbb:msg:${sent.data.id}`))!) as Message;
    expect(stored.reactionsVersion).toBe(PEOPLE * ROUNDS);
    await eventually(() => screens.every((s) => s.versions.length === stored.reactionsVersion), 5000, 'every change to reach every screen');
    for (const screen of screens) {
      // Every change reached every screen once, whatever the order.
      expect(new Set(screen.versions).size).toBe(stored.reactionsVersion);
      expect(screen.feed[0].reactionsVersion).toBe(stored.reactionsVersion);
      expect(screen.feed[0].reactions.map((r) => ({ ...r, userIds: byId(r.userIds) }))).toEqual([
        { emoji: 'heart', userIds: byId(stored.reactions[0].userIds) }
      ]);
      expect(stored.reactions[0].userIds).toHaveLength(PEOPLE);
    }
    // A fresh page agrees, with the same version.
    const page = await joinRoom(sockets[1], roomId);
    expect(page.messages[0].reactionsVersion).toBe(stored.reactionsVersion);
  }, 30_000);

  it('everyone starting and stopping to type at once: the newest list each screen got is who types', async () => {
    const { roomId, people, sockets } = await crowd();
    const updates = sockets.map((socket) => record(socket, 'typing:update'));
    const newest = (i: number) => updates[i].reduce((a, b) => (b.version > a.version ? b : a));
    const storedVersion = async () => Number(await ctx.one.redis.hget(`bbb:room:${roomId}:typing`, '_v'));

    for (let round = 0; round < ROUNDS; round++) {
      // Start, stop, ...; the last round starts, so everyone ends typing.
      const event = round % 2 === 0 ? 'typing:start' : 'typing:stop';
      for (const socket of sockets) socket.emit(event, { roomId });
      await pace();
    }

    await eventually(
      async () => {
        const version = await storedVersion();
        return updates.every((u) => u.length > 0 && newest(updates.indexOf(u)).version === version);
      },
      5000,
      'the last typing change to reach every screen'
    );
    for (let i = 0; i < sockets.length; i++) {
      expect(byId(newest(i).users.map((u) => u.userId))).toEqual(byId(people.map((p) => p.id)));
      // Versions only grow with changes: no two different lists share one.
      const versions = updates[i].map((u) => u.version);
      expect(new Set(versions).size).toBe(versions.length);
    }
  }, 30_000);
});
