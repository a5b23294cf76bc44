import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { startRedisServer, type RedisHandle } from '../../server/infra/redis.ts';
import type { Member, Message } from '../../src/lib/protocol/index.ts';
import { useTestApps } from '../support/app.ts';
import { captureErrorLog } from '../support/logs.ts';
import {
  request,
  closeAllSockets,
  connectSocket,
  createRoom,
  createUsers,
  eventually,
  nextEvent,
  joinRoom,
  record,
  requestRaw,
  type ClientSocket
} from '../support/client.ts';

const ctx = useTestApps({ one: {}, two: { shareDataDirOf: 'one' } });

// Redis stops while clients send, connect and disconnect, then comes back on the same port (empty,
// as a restarted Redis without persistence would). Two server processes: both stay up, senders are
// told the message could not be sent, and everything works again without restarting anything.

/** The outage the issue asks to survive: long enough for every client and both processes to give up
 * several reconnection attempts. */
const OUTAGE_MS = 15_000;

let restarted: RedisHandle | undefined;
let restartDir: string | undefined;

afterAll(async () => {
  await restarted?.stop();
  if (restartDir) rmSync(restartDir, { recursive: true, force: true });
});

async function join(socket: ClientSocket, roomId: string) {
  return request(socket, 'room:join', { roomId });
}

const sendText = (socket: ClientSocket, roomId: string, content: string) =>
  request(socket, 'message:send', { roomId, type: 'text', content });

it('survives Redis going away and recovers by itself when it returns', async () => {
  const errorLog = captureErrorLog();
  onTestFinished(() => errorLog.restore());
  const [alice, bob, carol] = await createUsers(ctx.one.baseUrl, 3);
  const room = await createRoom(alice, [bob, carol]);
  const aliceSocket = await connectSocket(ctx.one.baseUrl, alice.cookie);
  const bobSocket = await connectSocket(ctx.two.baseUrl, bob.cookie);
  expect((await join(aliceSocket, room.id)).ok).toBe(true);
  expect((await join(bobSocket, room.id)).ok).toBe(true);
  const bobHears = record(bobSocket, 'message:new');
  expect((await sendText(aliceSocket, room.id, 'before')).ok).toBe(true);
  await eventually(() => bobHears.length === 1);

  // Redis dies.
  const exited = new Promise((resolve) => ctx.redis.child.once('exit', resolve));
  ctx.redis.child.kill('SIGKILL');
  await exited;
  const outageEnds = Date.now() + OUTAGE_MS;

  // Senders are told, on both processes, with a message a person can read.
  const refused = await sendText(aliceSocket, room.id, 'during');
  expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', event: 'message:send', roomId: room.id } });
  if (!refused.ok) expect(refused.error.message).toMatch(/try again/i);
  expect(await sendText(bobSocket, room.id, 'during too')).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  expect(await requestRaw(bobSocket, 'reaction:add', { roomId: room.id, messageId: 'abc', emoji: 'fire' })).toMatchObject({
    ok: false,
    error: { code: 'UNAVAILABLE' }
  });

  // Clients come and go meanwhile: connecting still works (sessions live in SQLite); joining
  // answers UNAVAILABLE instead of hanging.
  const carolSocket = await connectSocket(ctx.one.baseUrl, carol.cookie);
  expect(await join(carolSocket, room.id)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  const bobSecondTab = await connectSocket(ctx.two.baseUrl, bob.cookie);
  bobSecondTab.disconnect();
  // The HTTP side keeps answering too.
  expect((await alice.client.get('/api/auth/me')).status).toBe(200);

  // Keep sending until the outage ends: every attempt is answered, none delivered.
  while (Date.now() < outageEnds) {
    expect((await sendText(aliceSocket, room.id, 'still down?')).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(bobHears).toHaveLength(1);
  // Both processes told the operator that Redis is gone.
  expect(errorLog.lines.filter((line) => /^\[redis:test\] .*ECONNREFUSED/.test(line)).length).toBeGreaterThanOrEqual(2);

  // Redis is back on the same port, empty.
  restartDir = mkdtempSync(path.join(tmpdir(), 'bbb-redis-again-'));
  restarted = await startRedisServer({ dir: restartDir, persist: false, port: ctx.redis.port });

  // Without restarting anything, sending works again and crosses processes.
  let delivered: Message | undefined;
  await eventually(
    async () => {
      const ack = await sendText(aliceSocket, room.id, 'after');
      if (ack.ok) delivered = ack.data;
      return ack.ok;
    },
    15_000,
    'sending after Redis returned'
  );
  await eventually(() => bobHears.some((m) => m.id === delivered?.id), 10_000, 'delivery to the other process');
  expect(await requestRaw(bobSocket, 'reaction:add', { roomId: room.id, messageId: delivered?.id ?? '', emoji: 'fire' })).toMatchObject({
    ok: true
  });

  // Joining works again, and presence was rebuilt from the live connections.
  const members = nextEvent(carolSocket, 'room:members');
  const page = await joinRoom(carolSocket, room.id);
  expect(page.messages.map((m) => m.content)).toEqual(['after']);
  const online = (await members).members.filter((m: Member) => m.online).map((m) => m.userId);
  expect(online.sort()).toEqual([alice.id, bob.id, carol.id].sort());
}, 60_000);
