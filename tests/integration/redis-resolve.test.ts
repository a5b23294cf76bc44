import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, redactedUrl, resolveRedis } from '../../server/infra/redis.ts';
import { startTestRedis } from '../support/redis.ts';

// How the server finds its Redis (README.md, "Redis").

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bbb-resolve-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(url: string, fn: (client: Redis) => Promise<unknown>) {
  // One attempt: a test that expects a Redis to be gone sees the rejection, not reconnect noise.
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

describe('resolveRedis', () => {
  it('uses REDIS_URL as given', async () => {
    const handle = await resolveRedis('redis://example.invalid:1234', tempDir());
    expect(handle.url).toBe('redis://example.invalid:1234');
    expect(handle.how).toBe('from REDIS_URL');
  });

  it('never prints a password of the URL', () => {
    expect(redactedUrl('redis://:s3cret@cache.example:6380/2')).toBe('redis://:***@cache.example:6380/2');
    expect(redactedUrl('redis://bee:s3cret@cache.example')).toBe('redis://bee:***@cache.example');
    expect(redactedUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('uses a Redis already answering on the local port', async () => {
    const running = await startTestRedis();
    try {
      const handle = await resolveRedis(undefined, tempDir(), running.port);
      expect(handle.url).toBe(`redis://127.0.0.1:${running.port}`);
      expect(handle.how).toBe(`already answering on localhost:${running.port}`);
      await handle.stop();
      // Stopping a Redis we did not start leaves it running.
      expect(await roundTrip(running.url, (c) => c.ping())).toBe('PONG');
    } finally {
      await running.stop();
    }
  });

  it('otherwise starts a private redis-server whose data survives a restart', async () => {
    const dataDir = tempDir();
    const unusedPort = await freePort();
    const first = await resolveRedis(undefined, dataDir, unusedPort);
    expect(first.how).toBe(`a private redis-server started for the app (data in ${dataDir})`);
    await roundTrip(first.url, (c) => c.set('bbb:test:kept', 'yes'));
    await first.stop();
    await expect(roundTrip(first.url, (c) => c.ping())).rejects.toThrow();

    const second = await resolveRedis(undefined, dataDir, unusedPort);
    try {
      expect(await roundTrip(second.url, (c) => c.get('bbb:test:kept'))).toBe('yes');
    } finally {
      await second.stop();
    }
  });

  it('says how to install Redis when there is none', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      await expect(resolveRedis(undefined, tempDir(), await freePort())).rejects.toThrow(/install it .*redis-server.* or set REDIS_URL/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
