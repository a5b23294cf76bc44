import { Redis } from 'ioredis';
import { createRoom, deleteRoomOverRest, registerUser, type TestUser } from '../../tests/support/client.ts';
import { connectClient, nextEvent } from '../client.ts';
import { median } from '../histogram.ts';
import type { BenchOptions } from '../options.ts';
import type { Target } from '../processes.ts';
import { seedRoom } from '../seed.ts';

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

export interface JoinResult {
  sizes: JoinSize[];
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
  } finally {
    for (const { socket } of clients) socket.disconnect();
    redis.disconnect();
  }
  const smallest = sizes[0];
  const largest = sizes.at(-1);
  return {
    sizes,
    largestOverSmallest: smallest && largest && smallest.medianMs > 0 ? round(largest.medianMs / smallest.medianMs) : null
  };
}
