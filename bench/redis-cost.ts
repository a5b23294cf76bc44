import { Redis } from 'ioredis';
import { createRoom, createUsers, connectSocket, joinRoom, nextEvent, request, closeAllSockets, type ClientSocket } from '../tests/support/client.ts';
import { startSharedDatabase } from '../tests/support/database.ts';
import { startTestRedis } from '../tests/support/redis.ts';
import { startServerProcess, type ServerProcess } from '../tests/support/servers.ts';

// What one chat message and one join cost Redis, counted by Redis itself (INFO commandstats and
// INFO stats), for docs/scaling.md. A room of 16 people, first on one process alone, then spread
// over two processes that share the Redis (the adapter's stream in use). Background work
// (heartbeats, peer checks, typing sweeps) is measured idle over the same time and taken off.
//
//   npx tsx bench/redis-cost.ts [messages]

const MESSAGES = Number(process.argv[2] ?? 96);
const MEMBERS = 16;
const TEXT = 'x'.repeat(200);

type Counts = Map<string, number>;
interface Snapshot {
  calls: Counts;
  netIn: number;
  netOut: number;
  /** Redis's own CPU seconds (user + system). */
  cpu: number;
  at: number;
}

async function snapshot(redis: Redis): Promise<Snapshot> {
  const [commandstats, stats, cpu] = await Promise.all([redis.info('commandstats'), redis.info('stats'), redis.info('cpu')]);
  const calls: Counts = new Map();
  for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1], Number(match[2]));
  const stat = (text: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
  return {
    calls,
    netIn: stat(stats, 'total_net_input_bytes'),
    netOut: stat(stats, 'total_net_output_bytes'),
    cpu: stat(cpu, 'used_cpu_user') + stat(cpu, 'used_cpu_sys'),
    at: performance.now()
  };
}

interface Delta {
  calls: Counts;
  netIn: number;
  netOut: number;
  cpu: number;
  ms: number;
}

function delta(a: Snapshot, b: Snapshot): Delta {
  const calls: Counts = new Map();
  for (const [name, n] of b.calls) calls.set(name, n - (a.calls.get(name) ?? 0));
  return { calls, netIn: b.netIn - a.netIn, netOut: b.netOut - a.netOut, cpu: b.cpu - a.cpu, ms: b.at - a.at };
}

/** `busy` minus `idle` scaled to the same duration, divided by `per`. */
function perUnit(busy: Delta, idle: Delta, per: number) {
  const scale = busy.ms / idle.ms;
  const calls: Record<string, number> = {};
  let total = 0;
  for (const [name, n] of busy.calls) {
    const net = (n - (idle.calls.get(name) ?? 0) * scale) / per;
    if (Math.abs(net) >= 0.05 && name !== 'info') {
      calls[name] = Math.round(net * 100) / 100;
      total += net;
    }
  }
  return {
    commands: Math.round(total * 100) / 100,
    calls,
    bytesIn: Math.round((busy.netIn - idle.netIn * scale) / per),
    bytesOut: Math.round((busy.netOut - idle.netOut * scale) / per),
    redisCpuMicros: Math.round(((busy.cpu - idle.cpu * scale) / per) * 1e6)
  };
}

async function measure(redis: Redis, label: string, per: number, action: () => Promise<void>) {
  const idleStart = await snapshot(redis);
  const started = performance.now();
  await action();
  const took = performance.now() - started;
  await new Promise((r) => setTimeout(r, 300));
  const busyEnd = await snapshot(redis);
  // The same stretch of time with nothing happening: background work only.
  const quietStart = await snapshot(redis);
  await new Promise((r) => setTimeout(r, took + 300));
  const quietEnd = await snapshot(redis);
  const result = perUnit(delta(idleStart, busyEnd), delta(quietStart, quietEnd), per);
  console.log(`\n${label} (per unit, ${per} units):`, JSON.stringify(result, null, 1));
  return result;
}

async function chat(sockets: ClientSocket[], roomId: string, count: number): Promise<void> {
  // Each member in turn, so nobody trips the one-a-second limit; every message awaited at a far member.
  for (let i = 0; i < count; i++) {
    const sender = sockets[i % sockets.length];
    const listener = sockets[(i + sockets.length / 2) % sockets.length];
    const heard = nextEvent(listener, 'message:new', (m) => m.content === `${i}${TEXT}`);
    const ack = await request(sender, 'message:send', { roomId, type: 'text', content: `${i}${TEXT}` });
    if (!ack.ok) throw new Error(ack.error.message);
    await heard;
    if (i % sockets.length === sockets.length - 1) await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(): Promise<void> {
  const redisServer = await startTestRedis();
  const database = await startSharedDatabase();
  const env = { REDIS_URL: redisServer.url, JWT_SECRET: 'redis-cost', ...database.env };
  const redis = new Redis(redisServer.url);
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startServerProcess('cost-a', env, database.prepare));
    const [a] = servers;
    const users = await createUsers(a.baseUrl, MEMBERS);
    const room = await createRoom(users[0], users.slice(1));

    const alone = await Promise.all(users.map((u) => connectSocket(a.baseUrl, u.cookie)));
    await measure(redis, 'first join of a socket, one process', MEMBERS, async () => {
      for (const socket of alone) await joinRoom(socket, room.id);
    });
    await new Promise((r) => setTimeout(r, 3000)); // the lone process knows it is alone
    await measure(redis, 'text message, 16 members, one process', MESSAGES, () => chat(alone, room.id, MESSAGES));
    closeAllSockets();

    servers.push(await startServerProcess('cost-b', env, database.prepare));
    const b = servers[1];
    await new Promise((r) => setTimeout(r, 3000));
    const spread = await Promise.all(users.map((u, i) => connectSocket((i % 2 ? b : a).baseUrl, u.cookie)));
    await measure(redis, 'first join of a socket, two processes', MEMBERS, async () => {
      for (const socket of spread) await joinRoom(socket, room.id);
    });
    await measure(redis, 'text message, 16 members over two processes', MESSAGES, () => chat(spread, room.id, MESSAGES));
    const sample = (await redis.lrange(`bbb:room:${room.id}:msglist`, -1, -1))[0];
    console.log('\nstored message bytes (MEMORY USAGE bbb:msg:{id}):', await redis.memory('USAGE', `bbb:msg:${sample}`));
    console.log('adapter stream entries (XLEN bbb:socket.io):', await redis.xlen('bbb:socket.io'));
    closeAllSockets();
  } finally {
    redis.disconnect();
    for (const server of servers) await server.stop();
    await database.stop();
    await redisServer.stop();
  }
}

await main();
