import { Redis } from 'ioredis';
import type { HistoryPage } from '../../src/lib/protocol/index.ts';
import { createRoom, deleteRoomOverRest, registerUser, type TestUser } from '../../tests/support/client.ts';
import { connectClient, nextEvent, type ClientSocket, type FrameLog } from '../client.ts';
import { sketch } from '../drawings.ts';
import { median } from '../histogram.ts';
import type { BenchOptions, DrawingForm } from '../options.ts';
import type { Target } from '../processes.ts';
import { seededDrawing, seedRoom } from '../seed.ts';

// Scenario "join": time from `room:join` to `room:history` and the size of that history frame,
// for rooms holding 100 to 100,000 messages. The room and its membership are made over REST;
// the messages are written straight into Redis in the server's storage layout (bench/seed.ts). The joins
// rotate over a few members, each on its own socket, so no one passes the server's read limits
// (READS_PER_SOCKET, READS_PER_USER, ROOM_SWITCHES_PER_MINUTE): every join is a full one.

export interface JoinSize {
  messages: number;
  /** The first join after seeding, on its own: caches are cold. */
  firstMs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  repeats: number;
  historyFrameBytes: number | null;
  historyMessages: number;
  hasMore: boolean;
  seedSeconds: number;
}

/** Opening a room whose newest messages are sketches: the first page, then every sketch. */
export interface SketchRoomJoin {
  form: DrawingForm;
  sketches: number;
  /** Bytes of one sketch as stored. */
  sketchBytes: number;
  repeats: number;
  /** room:join until room:history: the newest page. */
  firstPage: { medianMs: number; bytes: number; messages: number };
  /** room:join, then room:history-older page after page until every sketch is in. */
  allSketches: { medianMs: number; bytes: number; pages: number };
}

export interface JoinResult {
  sizes: JoinSize[];
  sketchRoom?: SketchRoomJoin;
  /** Median join of the largest room over the median join of the smallest. */
  largestOverSmallest: number | null;
}

/** Members taking turns to join (a room holds 16, its owner included). */
const JOINERS = 15;

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export async function runJoin(server: Target, options: BenchOptions, tag: string, log: (line: string) => void): Promise<JoinResult> {
  if (!server.redisUrl) throw new Error('the join scenario seeds Redis: pass --redis-url with --url');
  const redis = new Redis(server.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const user = await registerUser(server.baseUrl, `b${tag}_join`);
  const joiners: TestUser[] = [];
  for (let i = 0; i < JOINERS; i++) joiners.push(await registerUser(server.baseUrl, `b${tag}_join${i}`));
  const clients = await Promise.all(joiners.map((joiner) => connectClient(server.baseUrl, joiner)));
  let lastError = '';
  for (const { socket } of clients) socket.on('error', (e) => (lastError = `${e.code}: ${e.message}`));
  const sizes: JoinSize[] = [];
  let sketchRoom: SketchRoomJoin | undefined;
  try {
    for (const count of options.joinSizes) {
      const room = await createRoom(user, joiners, `bench ${tag} join ${count}`);
      const seedStart = Date.now();
      const newest = await seedRoom(redis, room.id, user, count);
      const seedSeconds = (Date.now() - seedStart) / 1000;
      log(`join: ${count} messages seeded in ${seedSeconds.toFixed(1)} s; joining ${options.joinRepeats} times`);
      const times: number[] = [];
      let last: { messages: number; hasMore: boolean } = { messages: 0, hasMore: false };
      let frameBytes: number | null = null;
      for (let i = 0; i < options.joinRepeats; i++) {
        const { socket, frames } = clients[i % clients.length];
        const history = nextEvent(socket, 'room:history', (p) => p.roomId === room.id);
        const sentAt = nowMs();
        socket.emit('room:join', { roomId: room.id });
        const page = await history.catch((err: Error) => {
          throw new Error(`${err.message}${lastError ? ` (last error: ${lastError})` : ''}`);
        });
        times.push(nowMs() - sentAt);
        // The seeded layout must read back as the server writes it: the page ends at the newest message, in order.
        const ids = page.messages.map((m) => m.id);
        const ordered = page.messages.every((m, k) => k === 0 || m.timestamp > page.messages[k - 1].timestamp);
        if (ids.at(-1) !== newest?.id || !ordered) throw new Error(`join of a room seeded with ${count} messages did not return its newest page`);
        last = { messages: page.messages.length, hasMore: page.hasMore };
        frameBytes = frames.lastReceived('room:history') ?? null;
        socket.emit('room:leave', { roomId: room.id });
        // Let the leave settle so the next join starts from the same state.
        await new Promise((r) => setTimeout(r, 30));
      }
      const [first, ...rest] = times;
      const sorted = [...rest].sort((a, b) => a - b);
      sizes.push({
        messages: count,
        firstMs: round(first),
        medianMs: round(median(rest)),
        p90Ms: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? first),
        minMs: round(sorted[0] ?? first),
        repeats: rest.length,
        historyFrameBytes: frameBytes,
        historyMessages: last.messages,
        hasMore: last.hasMore,
        seedSeconds: round(seedSeconds, 1)
      });
      // Deleting the room over REST removes its messages too, so a run leaves no big Redis behind.
      await deleteRoomOverRest(user, room.id);
    }
    sketchRoom = await openSketchRoom(redis, user, joiners, clients, options, tag, log);
  } finally {
    for (const { socket } of clients) socket.disconnect();
    redis.disconnect();
  }
  const smallest = sizes[0];
  const largest = sizes.at(-1);
  return {
    sizes,
    sketchRoom,
    largestOverSmallest: smallest && largest && smallest.medianMs > 0 ? round(largest.medianMs / smallest.medianMs) : null
  };
}

/** Sketches in the sketch room: a page holds at most HISTORY_PAGE_SIZE (50) of them. */
const SKETCHES = 50;

type Joiner = { socket: ClientSocket; frames: FrameLog };

/**
 * A room of SKETCHES sketches opened `sketchRoomRepeats` times: the newest page, then older pages
 * until every sketch arrived, as someone scrolling back through the room would. Each read goes
 * to the next member in turn, so none passes the read limits; bytes are every frame they received.
 */
async function openSketchRoom(
  redis: Redis,
  owner: TestUser,
  joiners: TestUser[],
  clients: Joiner[],
  options: BenchOptions,
  tag: string,
  log: (line: string) => void
): Promise<SketchRoomJoin> {
  const sample = sketch();
  const content = options.drawingForm === 'packed' ? sample.drawing : sample.unpacked;
  const room = await createRoom(owner, joiners, `bench ${tag} sketches`);
  const newest = await seedRoom(redis, room.id, owner, SKETCHES, seededDrawing(content));
  log(`join: ${SKETCHES} sketches (${options.drawingForm}) seeded; opening the room ${options.sketchRoomRepeats} times`);
  let turn = 0;
  const next = () => clients[turn++ % clients.length];
  const received = () => clients.reduce((n, c) => n + c.frames.receivedTotal(), 0);
  const first: { ms: number; bytes: number; messages: number }[] = [];
  const all: { ms: number; bytes: number; pages: number }[] = [];
  try {
    for (let r = 0; r < options.sketchRoomRepeats; r++) {
      const joiner = next();
      const bytesBefore = received();
      const history = nextEvent(joiner.socket, 'room:history', (p) => p.roomId === room.id);
      const sentAt = nowMs();
      joiner.socket.emit('room:join', { roomId: room.id });
      let page: HistoryPage = await history;
      const firstMs = nowMs() - sentAt;
      if (page.messages.at(-1)?.id !== newest?.id) throw new Error('the sketch room did not open at its newest sketch');
      first.push({ ms: firstMs, bytes: received() - bytesBefore, messages: page.messages.length });
      let loaded = page.messages.length;
      let pages = 1;
      while (loaded < SKETCHES && page.hasMore) {
        const reader = next();
        const ack = await new Promise<{ ok: boolean; data?: HistoryPage; error?: { message: string } }>((resolve) =>
          reader.socket.emit('room:history-older', { roomId: room.id, beforeId: page.messages[0].id }, resolve)
        );
        if (!ack.ok || !ack.data) throw new Error(`older page refused: ${ack.error?.message ?? 'no data'}`);
        page = ack.data;
        loaded += page.messages.length;
        pages++;
      }
      all.push({ ms: nowMs() - sentAt, bytes: received() - bytesBefore, pages });
      if (loaded < SKETCHES) throw new Error(`only ${loaded} of ${SKETCHES} sketches arrived`);
      joiner.socket.emit('room:leave', { roomId: room.id });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await deleteRoomOverRest(owner, room.id);
  }
  return {
    form: options.drawingForm,
    sketches: SKETCHES,
    sketchBytes: Buffer.byteLength(JSON.stringify(content)),
    repeats: options.sketchRoomRepeats,
    firstPage: { medianMs: round(median(first.map((f) => f.ms))), bytes: median(first.map((f) => f.bytes)), messages: first[0]?.messages ?? 0 },
    allSketches: { medianMs: round(median(all.map((a) => a.ms))), bytes: median(all.map((a) => a.bytes)), pages: all[0]?.pages ?? 0 }
  };
}
