import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis, type RedisOptions } from 'ioredis';

// The Socket.IO Redis Streams adapter: several server processes on one Redis act as one (rooms,
// broadcasts, socketsLeave, disconnectSockets). It gets connections of its own: the blocking
// XREAD and the subscriber must not share the app's command connection.

/** Approximate length the adapter's stream is trimmed to: it only relays, nothing replays it. */
const STREAM_MAX_LEN = 1000;

export interface StreamsAdapter {
  factory: ReturnType<typeof createAdapter>;
  /** Resolves once this process reads the stream and listens on Pub/Sub (or after the timeout). */
  ready(timeoutMs: number): Promise<void>;
  disconnect(): void;
}

const retryStrategy = (attempt: number) => Math.min(attempt * 100, 2000);

export function createStreamsAdapter(redisUrl: string, instanceId: string): StreamsAdapter {
  const name = `bbb-adapter-${instanceId}`;
  const clients: Redis[] = [];
  let lastLogged = 0;
  const track = (client: Redis): Redis => {
    // Without a listener an 'error' event would crash the process.
    client.on('error', (err: Error) => {
      if (Date.now() - lastLogged > 10_000) {
        lastLogged = Date.now();
        console.error(`[redis:adapter] ${err.message}`);
      }
    });
    clients.push(client);
    return client;
  };

  // Publishing (XADD, PUBLISH) fails fast while Redis is away: a broadcast then still reaches this
  // process's sockets at once instead of waiting for Redis.
  const publisher = track(new Redis(redisUrl, { connectionName: name, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy }));

  // The adapter calls duplicate() for its stream reader and its subscriber. Those must wait for
  // Redis to come back rather than fail at once: a failing XREAD would be retried in a tight loop.
  const waitingOptions: RedisOptions = { connectionName: name, enableOfflineQueue: true, maxRetriesPerRequest: null, retryStrategy };
  Object.defineProperty(publisher, 'duplicate', { value: () => track(new Redis(redisUrl, waitingOptions)) });

  const factory = createAdapter(publisher, {
    streamName: 'bbb:socket.io',
    channelPrefix: 'bbb:socket.io',
    maxLen: STREAM_MAX_LEN,
    onlyPlaintext: true
  });

  return {
    factory,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        try {
          const list = publisher.status === 'ready' ? String(await publisher.client('LIST')) : '';
          const mine = list.split('\n').filter((line) => line.includes(` name=${name} `));
          if (mine.some((line) => line.includes(' cmd=xread ')) && mine.some((line) => line.includes(' cmd=subscribe '))) return;
        } catch {
          // Not connected yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    disconnect() {
      for (const client of clients) client.disconnect();
    }
  };
}
