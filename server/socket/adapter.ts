import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis, type RedisOptions } from 'ioredis';
import type { BroadcastOptions, ClusterMessage, MessageType } from 'socket.io-adapter';

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

/** The parts of the library's namespace adapter that the hot path below relies on. */
interface StreamsNamespaceAdapter {
  uid: string;
  nsp: { server: { opts: { connectionStateRecovery?: unknown } } };
  broadcast(packet: unknown, opts: BroadcastOptions): Promise<void>;
  publishAndReturnOffset(message: { type: MessageType.BROADCAST; data: { packet: unknown; opts: unknown } }): Promise<string>;
  onRawMessage(raw: { uid?: string }, offset: string): void;
}

const BROADCAST = 3 as MessageType.BROADCAST;

/**
 * Two changes to the library's hot path that clients cannot tell apart from the original:
 * - A broadcast reaches this process's own sockets at once while the other processes are told in
 *   parallel. The library waits for XADD's reply before delivering locally, which puts a Redis
 *   round trip into every message's latency. (With connection state recovery the local packets
 *   would need the stream offset; that option is off, and the library's path is kept for it.)
 * - Entries this process wrote itself come back through the stream; they are dropped before
 *   being decoded (the library decodes every entry, then ignores its own).
 */
function deliverLocallyFirst(adapter: StreamsNamespaceAdapter): StreamsNamespaceAdapter {
  const broadcast = adapter.broadcast.bind(adapter);
  const onRawMessage = adapter.onRawMessage.bind(adapter);
  adapter.broadcast = (packet, opts) => {
    if (opts.flags?.local || adapter.nsp.server.opts.connectionStateRecovery) return broadcast(packet, opts);
    // Serialized for the stream synchronously, before local delivery touches the packet.
    adapter
      .publishAndReturnOffset({ type: BROADCAST, data: { packet, opts: { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags } } })
      .catch(() => undefined); // Redis away: this process's sockets still get it, as before.
    return broadcast(packet, { ...opts, flags: { ...opts.flags, local: true } });
  };
  adapter.onRawMessage = (raw, offset) => {
    if (raw.uid === adapter.uid) return;
    onRawMessage(raw, offset);
  };
  return adapter;
}

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

  const createNamespaceAdapter = createAdapter(publisher, {
    streamName: 'bbb:socket.io',
    channelPrefix: 'bbb:socket.io',
    maxLen: STREAM_MAX_LEN,
    onlyPlaintext: true
  });
  // Socket.IO calls the factory with `new`, so it must be a function, not an arrow; returning an
  // object from it makes that object the adapter.
  const factory = function (nsp: Parameters<typeof createNamespaceAdapter>[0]) {
    return deliverLocallyFirst(createNamespaceAdapter(nsp) as unknown as StreamsNamespaceAdapter);
  } as unknown as typeof createNamespaceAdapter;

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
