import { nanoid } from 'nanoid';
import type { Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { storeMessage } from '../../server/messages/storage.ts';
import { unsentBytes } from '../../server/infra/backpressure.ts';
import {
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  DELETES_PER_SECOND,
  DRAWING_LIMITS,
  HISTORY_BYTES_PER_USER,
  HISTORY_PAGE_MAX_BYTES,
  READS_PER_SOCKET,
  READS_PER_USER,
  ROOM_SWITCHES_PER_MINUTE,
  SOCKET_MAX_UNSENT_BYTES,
  SOCKET_READ_UNSENT_BYTES,
  SOCKETS_PER_USER,
  packDrawing,
  type Drawing,
  type ErrorPayload,
  type HistoryPage,
  type Operation
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
  requestRaw,
  type ClientSocket,
  type TestUser
} from '../support/client.ts';

const ctx = useTestApp();

// What one member can make the server spend through the socket: bytes it cannot send, reads,
// sockets, room switches, deletes and presence notices. Each limit answers with an error the
// client can show, and the other people in the room notice nothing.


afterEach(() => closeAllSockets());

const connect = (user: TestUser) => connectSocket(ctx.app.baseUrl, user.cookie);

/** The TCP socket under a client's WebSocket: pausing it is a client that stops reading. */
function tcpOf(socket: ClientSocket): NetSocket {
  const transport = socket.io.engine.transport as unknown as { ws?: { _socket?: NetSocket } };
  const tcp = transport.ws?._socket;
  if (!tcp) throw new Error('no WebSocket under this client');
  return tcp;
}

/**
 * A valid drawing of about 234 KB as sent: pen strokes jumping across the canvas (every step and
 * pressure change takes its longest packed form), then lines of text to fill the rest.
 */
function largeDrawing(seed: number): Drawing {
  const operations: Operation[] = [];
  for (let s = 0; s < 13; s++) {
    const points = Array.from({ length: 1500 }, (_, i) => ({
      x: i % 2 === 0 ? (seed * 7 + s) % 50 : CANVAS_WIDTH - ((seed + i) % 50),
      y: i % 4 < 2 ? (s * 3 + i) % 20 : CANVAS_HEIGHT - 1 - ((seed + s) % 20),
      pressure: i % 2 === 0 ? 0.1 : 1
    }));
    operations.push({ type: 'stroke', points, color: '#000000', size: 4, eraser: false });
  }
  for (let t = 0; t < 330; t++) {
    operations.push({ type: 'text', x: t % CANVAS_WIDTH, y: 10, content: `${seed} ${t} `.padEnd(DRAWING_LIMITS.maxTextChars, 'x'), color: '#000000', fontSize: 12 });
  }
  return packDrawing(operations);
}

/** Stores `count` messages of about `bytes` each straight into the room (the store does not validate). */
async function seedLarge(roomId: string, author: TestUser, count: number, bytes = 250_000): Promise<void> {
  for (let i = 0; i < count; i++) {
    const message = {
      reactions: [],
      reactionsVersion: 0,
      roomId,
      userId: author.id,
      id: nanoid(),
      username: author.username,
      type: 'text' as const,
      content: `${i} `.padEnd(bytes, 'x'),
      timestamp: Date.now()
    };
    await storeMessage(ctx.app.redis, message, { limitSends: false, typingCutoff: 0 });
  }
}

const engineClients = () => ctx.app.application.io.engine.clientsCount;
const serverHas = (user: TestUser) => [...ctx.app.application.io.of('/').sockets.values()].some((s) => s.data.user.id === user.id);

describe('a socket that stops reading', () => {
  it('is disconnected once the server holds more than its budget, while the members who read keep chatting', async () => {
    const people = await createUsers(ctx.app.baseUrl, 10);
    const [reader, ...senders] = people.slice(0, 9);
    const mallory = people[9];
    const room = await createRoom(reader, [...senders, mallory]);
    const readerSocket = await connect(reader);
    await joinRoom(readerSocket, room.id);
    const senderSockets = await Promise.all(senders.map(connect));
    for (const socket of senderSockets) await joinRoom(socket, room.id);
    const stalled = await connect(mallory);
    await joinRoom(stalled, room.id);
    const clientsBefore = engineClients();
    tcpOf(stalled).pause();

    // Eight members send large drawings, one a second each, until the stalled socket is cut off.
    let round = 0;
    let sent = 0;
    while (serverHas(mallory) && round < 30) {
      const acks = await Promise.all(
        senderSockets.map((socket, i) => requestRaw(socket, 'message:send', { roomId: room.id, type: 'drawing', content: largeDrawing(round * 8 + i) }))
      );
      for (const ack of acks) expect(ack.ok).toBe(true);
      sent += acks.length;
      round += 1;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(serverHas(mallory)).toBe(false);
    // It took more than the budget (plus what the kernel buffers) to get there.
    expect(sent * 234_000).toBeGreaterThan(SOCKET_MAX_UNSENT_BYTES);
    // The connection itself is closed soon after, so nothing stays queued for it.
    await eventually(() => engineClients() === clientsBefore - 1, 5000, 'stalled connection closed');

    // The people who read still chat as before.
    const arrival = nextEvent(readerSocket, 'message:new', (m) => m.type === 'text');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await requestRaw(senderSockets[0], 'message:send', { roomId: room.id, type: 'text', content: 'still here' })).ok).toBe(true);
    expect((await arrival).content).toBe('still here');
    expect(readerSocket.connected).toBe(true);
  }, 60_000);

  it('a slow reader that catches up is told why it was disconnected', async () => {
    const people = await createUsers(ctx.app.baseUrl, 9);
    const [slow, ...senders] = people;
    const room = await createRoom(slow, senders);
    const senderSockets = await Promise.all(senders.map(connect));
    for (const socket of senderSockets) await joinRoom(socket, room.id);
    const socket = await connect(slow);
    await joinRoom(socket, room.id);
    const errors = record(socket, 'error');
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    tcpOf(socket).pause();

    // Members keep sending large drawings while the test watches for the cut-off.
    let sending = true;
    const sendingDone = (async () => {
      for (let round = 0; sending && round < 30; round++) {
        await Promise.all(senderSockets.map((s, i) => requestRaw(s, 'message:send', { roomId: room.id, type: 'drawing', content: largeDrawing(round * 8 + i) })));
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    await eventually(() => !serverHas(slow), 40_000, 'the slow socket disconnected');
    sending = false;
    // Reading again at once: the backlog drains, and its end says what happened.
    tcpOf(socket).resume();
    expect(await disconnected).toBe('io server disconnect');
    expect(errors).toContainEqual<ErrorPayload>(expect.objectContaining({ code: 'SLOW_CONNECTION', message: expect.stringMatching(/fell too far behind/) }));
    await sendingDone;
  }, 60_000);

  it('asking for history again and again makes the server wait, not buffer', async () => {
    const people = await createUsers(ctx.app.baseUrl, 9);
    const [mallory, ...senders] = people;
    const room = await createRoom(mallory, senders);
    await seedLarge(room.id, mallory, 6);
    const senderSockets = await Promise.all(senders.map(connect));
    for (const s of senderSockets) await joinRoom(s, room.id);
    const socket = await connect(mallory);
    const first = await joinRoom(socket, room.id);
    const server = [...ctx.app.application.io.of('/').sockets.values()].find((s) => s.data.user.id === mallory.id);
    if (!server) throw new Error('the server does not know this socket');
    tcpOf(socket).pause();

    // Members' drawings fill the kernel's buffers toward the stalled client, then the server's,
    // one drawing at a time until more than a page's worth waits there (well under the budget).
    for (let i = 0; unsentBytes(server) <= SOCKET_READ_UNSENT_BYTES && i < 120; i++) {
      expect((await requestRaw(senderSockets[i % 8], 'message:send', { roomId: room.id, type: 'drawing', content: largeDrawing(i) })).ok).toBe(true);
      await quietPeriod(i % 8 === 7 ? 650 : 60);
    }
    const held = unsentBytes(server);
    expect(held).toBeGreaterThan(SOCKET_READ_UNSENT_BYTES);
    expect(held).toBeLessThan(SOCKET_MAX_UNSENT_BYTES);

    // Now every read is refused without producing a page: what the server holds barely moves.
    const acks = [];
    for (let i = 0; i < 5; i++) {
      acks.push(requestRaw(socket, 'room:history-older', { roomId: room.id, beforeId: first.messages[0].id }).catch(() => null));
      await quietPeriod(100);
    }
    expect(unsentBytes(server)).toBeLessThan(held + HISTORY_PAGE_MAX_BYTES / 4);
    tcpOf(socket).resume();
    // Once it reads again, the refusals it got meanwhile say why.
    const answers = await Promise.all(acks);
    expect(answers).toHaveLength(5);
    for (const answer of answers) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/Still sending you the last page/) } });
    }
  }, 60_000);
});

describe('read limits', () => {
  it(`a socket may read ${READS_PER_SOCKET} pages in ten seconds; then RATE_LIMITED says when to retry, and other people are unaffected`, async () => {
    const [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const socket = await connect(alice);
    for (let i = 0; i < READS_PER_SOCKET; i++) await joinRoom(socket, room.id);
    const refused = await requestRaw(socket, 'room:join', { roomId: room.id });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many history requests: try again in \d+ s$/), event: 'room:join', roomId: room.id }
    });
    const bobs = await connect(bob);
    expect(await joinRoom(bobs, room.id)).toMatchObject({ roomId: room.id });
  });

  it(`a user may read ${READS_PER_USER} pages in ten seconds over all their sockets`, async () => {
    const [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const sockets = await Promise.all([connect(alice), connect(alice), connect(alice)]);
    let answered = 0;
    for (let i = 0; i < READS_PER_USER; i++) {
      await joinRoom(sockets[i % 3], room.id);
      answered += 1;
    }
    expect(answered).toBe(READS_PER_USER);
    const fresh = await connect(alice);
    expect(await requestRaw(fresh, 'room:join', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(await joinRoom(await connect(bob), room.id)).toMatchObject({ roomId: room.id });
  });
});

describe('history bytes', () => {
  const pageBytes = (page: HistoryPage) => page.messages.reduce((sum, m) => sum + JSON.stringify(m).length, 0);

  it('a user reads at most HISTORY_BYTES_PER_USER of history in ten seconds, page after page; then RATE_LIMITED says when, and others read on', async () => {
    const [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    await seedLarge(room.id, alice, 16);
    const socket = await connect(alice);
    let page = await joinRoom(socket, room.id);
    let read = pageBytes(page);
    let refusal: unknown = null;
    while (page.hasMore) {
      const answer = await requestRaw(socket, 'room:history-older', { roomId: room.id, beforeId: page.messages[0].id });
      if (!answer.ok) {
        refusal = answer;
        break;
      }
      page = answer.data as HistoryPage;
      read += pageBytes(page);
    }
    expect(refusal).toEqual({
      ok: false,
      error: {
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/^You have loaded a lot of history just now: try again in \d+ s$/),
        event: 'room:history-older',
        roomId: room.id
      }
    });
    // Pages of two 250 KB messages until the budget is spent: the last one may go past it, by
    // less than a page, and then nothing more.
    expect(read).toBeGreaterThan(HISTORY_BYTES_PER_USER - HISTORY_PAGE_MAX_BYTES);
    expect(read).toBeLessThanOrEqual(HISTORY_BYTES_PER_USER + HISTORY_PAGE_MAX_BYTES);
    // A second tab of the same user is refused too; another member is not.
    expect(await requestRaw(await connect(alice), 'room:join', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(pageBytes(await joinRoom(await connect(bob), room.id))).toBeGreaterThan(400_000);
  }, 30_000);

  it('reads asked in parallel from several sockets cannot pass on one budget together', async () => {
    const [mallory] = await createUsers(ctx.app.baseUrl, 1);
    const room = await createRoom(mallory);
    await seedLarge(room.id, mallory, 16);
    const sockets = await Promise.all([connect(mallory), connect(mallory), connect(mallory)]);
    const answers = await Promise.all(sockets.flatMap((socket) => [1, 2, 3].map(() => requestRaw(socket, 'room:join', { roomId: room.id }))));
    const sent = answers.filter((a) => a.ok).length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(Math.floor(HISTORY_BYTES_PER_USER / HISTORY_PAGE_MAX_BYTES));
    for (const refused of answers.filter((a) => !a.ok)) expect(refused).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  }, 30_000);
});

describe('caps', () => {
  it(`a user may hold ${SOCKETS_PER_USER} sockets; the next is refused with a reason, and others connect as usual`, async () => {
    const [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
    const sockets = [];
    for (let i = 0; i < SOCKETS_PER_USER; i++) sockets.push(await connect(alice));
    await expect(connect(alice)).rejects.toThrow(/Too many connections/);
    expect((await connect(bob)).connected).toBe(true);
    // Closing a tab frees its place.
    sockets[0].disconnect();
    await eventually(async () => connect(alice).then(() => true, () => false), 5000, 'a free place after closing a tab');
  });

  it(`room:join and room:leave: ${ROOM_SWITCHES_PER_MINUTE} a minute per user, then RATE_LIMITED`, async () => {
    const [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const socket = await connect(alice);
    for (let i = 0; i < ROOM_SWITCHES_PER_MINUTE; i++) expect(await requestRaw(socket, 'room:leave', { roomId: room.id })).toEqual({ ok: true });
    expect(await requestRaw(socket, 'room:leave', { roomId: room.id })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/switching rooms too often: try again in \d+ s/) }
    });
    expect(await joinRoom(await connect(bob), room.id)).toMatchObject({ roomId: room.id });
  });

  it(`message:delete: ${DELETES_PER_SECOND} a second per user, then RATE_LIMITED`, async () => {
    const [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    await seedLarge(room.id, alice, DELETES_PER_SECOND + 2, 100);
    const socket = await connect(alice);
    const page: HistoryPage = await joinRoom(socket, room.id);
    const answers = await Promise.all(page.messages.map((m) => requestRaw(socket, 'message:delete', { roomId: room.id, messageId: m.id })));
    expect(answers.filter((a) => a.ok)).toHaveLength(DELETES_PER_SECOND);
    expect(answers.find((a) => !a.ok)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Deleting too fast/) } });
    // Refused deletes changed nothing; a second later the rest go.
    await new Promise((r) => setTimeout(r, 1100));
    const rest = (await joinRoom(socket, room.id)).messages;
    expect(rest).toHaveLength(2);
    for (const m of rest) expect((await requestRaw(socket, 'message:delete', { roomId: room.id, messageId: m.id })).ok).toBe(true);
  });
});

describe('membership notices', () => {
  it('reconnecting and switching rooms again and again posts no membership notice; the dot changes silently', async () => {
    const [alice, bob] = await createUsers(ctx.app.baseUrl, 2);
    const room = await createRoom(alice, [bob]);
    const watcher = await connect(alice);
    await joinRoom(watcher, room.id);
    const first = await connect(bob);
    const arrived = nextEvent(watcher, 'room:presence');
    await joinRoom(first, room.id);
    expect(await arrived).toEqual({ roomId: room.id, userId: bob.id, online: true });

    const joins = record(watcher, 'room:member-joined');
    const lefts = record(watcher, 'room:member-left');
    const dots = record(watcher, 'room:presence');
    first.disconnect();
    // Reloads and trips to the room list.
    for (let i = 0; i < 6; i++) {
      const tab = await connect(bob);
      await joinRoom(tab, room.id);
      expect(await requestRaw(tab, 'room:leave', { roomId: room.id })).toEqual({ ok: true });
      tab.disconnect();
      await quietPeriod(100);
    }
    const back = await connect(bob);
    await joinRoom(back, room.id);
    await eventually(() => dots.at(-1)?.online === true, 3000, 'online again');
    back.disconnect();
    await eventually(() => dots.at(-1)?.online === false, 3000, 'offline');
    await quietPeriod(500);
    expect(joins).toEqual([]);
    expect(lefts).toEqual([]);
    expect(dots.every((d) => d.userId === bob.id && d.roomId === room.id)).toBe(true);
  }, 30_000);
});
