import { nanoid } from 'nanoid';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeMessage } from '../../server/messages/storage.ts';
import {
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  drawingSchema,
  packDrawing,
  serializedBytes,
  unpackDrawing,
  type Drawing,
  type Message,
  type Operation
} from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { closeAllSockets, connectSocket, createRoom, createUsers, joinRoom, nextEvent, request, type TestUser } from '../support/client.ts';
import { fixtureDrawings } from '../support/drawings.ts';

const ctx = useTestApp();

// Drawings travel and rest packed (docs/architecture.md#drawings-are-packed); those stored before
// packing, their points spelled out, are packed as the server reads them, so every client sees one
// form and the very points that were drawn.

let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
});

const fixtures = fixtureDrawings();

/**
 * Stores a drawing message in the layout written before packing: every point an object. The
 * message goes through today's store (list, seq, room preview), then its stored JSON is rewritten
 * with the old content in the same place, as the server before packing left it.
 */
async function storeUnpacked(roomId: string, operations: Operation[], at: number): Promise<Message> {
  const old = { operations, width: CANVAS_WIDTH, height: CANVAS_HEIGHT };
  const message: Message = {
    reactions: [],
    reactionsVersion: 0,
    roomId,
    userId: alice.id,
    id: nanoid(),
    username: alice.username,
    type: 'drawing',
    content: packDrawing(operations),
    timestamp: at
  };
  const result = await storeMessage(ctx.app.redis, message, { limitSends: false, typingCutoff: 0 });
  expect(result.stored).toBe(true);
  const key = `bbb:msg:${message.id}`;
  const stored = JSON.parse((await ctx.app.redis.get(key))!) as Record<string, unknown>;
  await ctx.app.redis.set(key, JSON.stringify({ ...stored, content: old }), 'KEEPTTL');
  return { ...message, content: old as unknown as Drawing };
}

describe('drawings stored before packing', () => {
  it('reach a joining member packed, holding exactly the points that were stored', async () => {
    const room = await createRoom(alice, [bob]);
    const start = Date.now() - 10_000;
    const stored = [];
    for (const [i, fixture] of fixtures.entries()) stored.push(await storeUnpacked(room.id, fixture.operations, start + i));
    const socket = await connectSocket(ctx.app.baseUrl, bob.cookie);
    const page = await joinRoom(socket, room.id);
    // A page stops at HISTORY_PAGE_MAX_BYTES of stored JSON: the big old drawings may need more pages.
    const messages = [...page.messages];
    let hasMore = page.hasMore;
    while (hasMore) {
      const ack = await request(socket, 'room:history-older', { roomId: room.id, beforeId: messages[0].id });
      if (!ack.ok) throw new Error(ack.error.message);
      messages.unshift(...ack.data.messages);
      hasMore = ack.data.hasMore;
    }
    expect(messages.map((m) => m.id)).toEqual(stored.map((m) => m.id));
    for (const [i, message] of messages.entries()) {
      const name = fixtures[i].name;
      if (message.type !== 'drawing') throw new Error(`${name} is not a drawing`);
      expect(drawingSchema.safeParse(message.content).success, name).toBe(true);
      expect(message.content, name).toEqual(packDrawing(fixtures[i].operations));
      expect(unpackDrawing(message.content).operations, name).toEqual(fixtures[i].operations);
    }
    socket.disconnect();
    closeAllSockets();
  });

  it('can still be reacted to and deleted', async () => {
    const room = await createRoom(alice, [bob]);
    const old = await storeUnpacked(room.id, fixtures[0].operations, Date.now() - 1000);
    const socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    await joinRoom(socket, room.id);
    expect(await request(socket, 'reaction:add', { roomId: room.id, messageId: old.id, emoji: 'heart' })).toEqual({
      ok: true,
      data: [{ emoji: 'heart', userIds: [alice.id] }]
    });
    const page = await joinRoom(socket, room.id);
    const reread = page.messages.find((m) => m.id === old.id);
    expect(reread?.reactions).toEqual([{ emoji: 'heart', userIds: [alice.id] }]);
    expect(reread?.content).toEqual(packDrawing(fixtures[0].operations));
    expect(await request(socket, 'message:delete', { roomId: room.id, messageId: old.id })).toMatchObject({ ok: true });
    expect((await joinRoom(socket, room.id)).messages.some((m) => m.id === old.id)).toBe(false);
    socket.disconnect();
  });
});

describe('a drawing sent now', () => {
  it('is stored packed, at a fraction of its unpacked size', async () => {
    const room = await createRoom(alice, [bob]);
    const [sender, receiver] = await Promise.all([connectSocket(ctx.app.baseUrl, alice.cookie), connectSocket(ctx.app.baseUrl, bob.cookie)]);
    await joinRoom(sender, room.id);
    await joinRoom(receiver, room.id);
    const sketch = fixtures.find((f) => f.name === 'pen sketch');
    if (!sketch) throw new Error('no sketch fixture');
    const drawing = packDrawing(sketch.operations);
    const arrival = nextEvent(receiver, 'message:new');
    const ack = await request(sender, 'message:send', { roomId: room.id, type: 'drawing', content: drawing });
    if (!ack.ok) throw new Error(ack.error.message);
    expect((await arrival).content).toEqual(drawing);
    const raw = await ctx.app.redis.get(`bbb:msg:${ack.data.id}`);
    if (!raw) throw new Error('the message is not in Redis');
    expect(JSON.parse(raw).content).toEqual(drawing);
    const unpackedBytes = serializedBytes({ operations: sketch.operations, width: CANVAS_WIDTH, height: CANVAS_HEIGHT });
    expect(Buffer.byteLength(raw)).toBeLessThan(unpackedBytes / 3);
    sender.disconnect();
    receiver.disconnect();
  });
});
