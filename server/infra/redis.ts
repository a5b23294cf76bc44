// The Redis connection of the app: finding one (REDIS_URL, a local one, or a private
// redis-server started for the app) and connecting to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { Redis } from 'ioredis';

export type { Redis };

/**
 * A client that fails fast while Redis is away (no unbounded offline queue, one retry per command)
 * and keeps reconnecting in the background, so a send answers with an error instead of hanging.
 */
export async function connectRedis(url: string, name = 'bbb'): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: name,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000)
  });
  // Without a listener an 'error' event would crash the process.
  let lastLogged = 0;
  client.on('error', (err: Error) => {
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      console.error(`[redis:${name}] ${err.message}`);
    }
  });
  await client.connect();
  return client;
}

export interface RedisHandle {
  url: string;
  /** How this Redis was found, in a few words for the start-up line. */
  how: string;
  /** Stops the private redis-server, if this handle started one. */
  stop(): Promise<void>;
}

/** Answers whether a Redis server replies PONG at host:port within the timeout. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RedisServerOptions {
  /** Directory for its files; data persists there (append-only file) when `persist` is true. */
  dir: string;
  persist: boolean;
  port?: number;
}

/** A Redis URL fit to print: any password in it replaced by ***. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Starts a redis-server child on a free loopback port and waits until it answers. */
export async function startRedisServer(options: RedisServerOptions): Promise<RedisHandle & { port: number; child: ChildProcess }> {
  mkdirSync(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--save', ''];
  args.push('--appendonly', options.persist ? 'yes' : 'no');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error('redis-server is not installed') : err)
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  failed.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = await Promise.race([pingRedis(port, '127.0.0.1', 200), failed]);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('redis-server did not start within 10 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url: `redis://127.0.0.1:${port}`, how: `a private redis-server started for the app (data in ${options.dir})`, port, child, stop };
}

/**
 * REDIS_URL when set; otherwise a Redis already answering on localhost:6379; otherwise a private
 * redis-server keeping its data in `dataDir`. Throws with install advice when none can be had.
 */
export async function resolveRedis(redisUrl: string | undefined, dataDir: string, localPort = 6379): Promise<RedisHandle> {
  if (redisUrl) return { url: redisUrl, how: 'from REDIS_URL', stop: async () => {} };
  if (await pingRedis(localPort)) return { url: `redis://127.0.0.1:${localPort}`, how: `already answering on localhost:${localPort}`, stop: async () => {} };
  try {
    return await startRedisServer({ dir: dataDir, persist: true });
  } catch (err) {
    if (err instanceof Error && err.message === 'redis-server is not installed') {
      throw new Error(
        'Redis is needed: install it (Debian/Ubuntu: sudo apt install redis-server) or set REDIS_URL'
      );
    }
    throw err;
  }
}
