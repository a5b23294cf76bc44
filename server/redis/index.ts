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
