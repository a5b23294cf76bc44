import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis, type RedisOptions } from 'ioredis';
import type { BroadcastOptions, ClusterMessage, MessageType } from 'socket.io-adapter';
import { SOCKET_IO_KEY_PREFIX } from './keys.ts';

// The Socket.IO Redis Streams adapter: several server processes on one Redis act as one (rooms,
// broadcasts, socketsLeave, disconnectSockets). It gets connections of its own: the blocking
// XREAD and the subscriber must not share the app's command connection.

/** Approximate length the adapter's stream is trimmed to: it only relays, nothing replays it. */
const STREAM_MAX_LEN = 1000;

export interface StreamsAdapter {
  factory: ReturnType<typeof createAdapter>;
  /**
   * Resolves once this process reads the stream, listens on Pub/Sub and has told the other
   * processes it exists (or after the timeout).
   */
  ready(timeoutMs: number): Promise<void>;
  /** True while this process knows it is the only one: broadcasts then stay local. */
  alone(): boolean;
  disconnect(): void;
}

export interface StreamsAdapterOptions {
  /** How often the process counts its peers (see PeerWatch). */
  peerCheckMs?: number;
}

const PEER_CHECK_MS = 2000;
/** Checks in a row that must find no peer before broadcasts stay local. */
const ALONE_AFTER_CHECKS = 2;

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
 * Knows whether other server processes share this Redis, so that a single process (the usual
 * deployment) does not write every broadcast to a stream nobody else reads, nor read it back.
 *
 * Every process subscribes to a common channel and to one of its own, and says hello on the
 * common one once subscribed (again after each reconnection). Hearing another's hello means
 * "not alone" at once. Every `checkMs` the process counts the common channel's subscribers and
 * checks that its own subscription is live; only after ALONE_AFTER_CHECKS checks in a row that
 * find it the sole subscriber, with no hello heard in between, does it call itself alone. Any
 * doubt (an error, its subscriber reconnecting) means "not alone", which is always safe: it is
 * what the adapter does without this watch.
 *
 * A new process says hello before it serves anyone (ready() waits for it), so the others stop
 * keeping broadcasts local before any of its sockets can join a room.
 */
class PeerWatch {
  #alone = false;
  #quietChecks = 0;
  #announced = false;
  #heardPeer = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #common: string;
  readonly #own: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly instanceId: string,
    prefix: string,
    checkMs: number
  ) {
    this.#common = `${prefix}#peers`;
    this.#own = `${prefix}#peers#${instanceId}`;
    subscriber.on('message', (channel: string, from: string) => {
      if (channel === this.#common && from !== instanceId) this.#doubt(true);
    });
    // A reconnection means peers may have come and gone unheard: doubt, and say hello again.
    subscriber.on('close', () => this.#doubt(false));
    subscriber.on('ready', () => void this.#announce());
    this.#timer = setInterval(() => void this.#check(), checkMs);
    this.#timer.unref();
  }

  get alone(): boolean {
    return this.#alone;
  }

  get announced(): boolean {
    return this.#announced;
  }

  #doubt(heardPeer: boolean): void {
    this.#alone = false;
    this.#quietChecks = 0;
    if (heardPeer) this.#heardPeer = true;
    else this.#announced = false;
  }

  async #announce(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.#common, this.#own);
      await this.publisher.publish(this.#common, this.instanceId);
      this.#announced = true;
    } catch {
      this.#doubt(false); // Redis away: the next check tries again.
    }
  }

  async #check(): Promise<void> {
    if (!this.#announced) return this.#announce();
    try {
      const reply = (await this.publisher.pubsub('NUMSUB', this.#common, this.#own)) as (string | number)[];
      const [common, own] = [Number(reply[1]), Number(reply[3])];
      const quiet = own === 1 && common === 1 && !this.#heardPeer;
      this.#heardPeer = false;
      this.#quietChecks = quiet ? this.#quietChecks + 1 : 0;
      this.#alone = this.#quietChecks >= ALONE_AFTER_CHECKS;
    } catch {
      this.#doubt(false);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#alone = false;
  }
}

/**
 * Three changes to the library's hot path that clients cannot tell apart from the original:
 * - A broadcast reaches this process's own sockets at once while the other processes are told in
 *   parallel. The library waits for XADD's reply before delivering locally, which puts a Redis
 *   round trip into every message's latency. (With connection state recovery the local packets
 *   would need the stream offset; that option is off, and the library's path is kept for it.)
 * - While the process is alone (see PeerWatch), a broadcast is not written to the stream at all.
 * - Entries this process wrote itself come back through the stream; they are dropped before
 *   being decoded (the library decodes every entry, then ignores its own).
 */
function deliverLocallyFirst(adapter: StreamsNamespaceAdapter, peers: PeerWatch): StreamsNamespaceAdapter {
  // These are the library's internals, not its API: should an update move them, fail at start
  // with a clear reason rather than lose broadcasts (the cluster tests would fail too).
  for (const method of ['broadcast', 'publishAndReturnOffset', 'onRawMessage'] as const) {
    if (typeof adapter[method] !== 'function') throw new Error(`@socket.io/redis-streams-adapter no longer has ${method}(): review server/infra/streamsAdapter.ts`);
  }
  if (typeof adapter.uid !== 'string') throw new Error('@socket.io/redis-streams-adapter no longer has a uid: review server/infra/streamsAdapter.ts');
  const broadcast = adapter.broadcast.bind(adapter);
  const onRawMessage = adapter.onRawMessage.bind(adapter);
  adapter.broadcast = (packet, opts) => {
    if (opts.flags?.local || adapter.nsp.server.opts.connectionStateRecovery) return broadcast(packet, opts);
    // No other process to tell.
    if (peers.alone) return broadcast(packet, { ...opts, flags: { ...opts.flags, local: true } });
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

export function createStreamsAdapter(redisUrl: string, instanceId: string, options: StreamsAdapterOptions = {}): StreamsAdapter {
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
    streamName: SOCKET_IO_KEY_PREFIX,
    channelPrefix: SOCKET_IO_KEY_PREFIX,
    maxLen: STREAM_MAX_LEN,
    onlyPlaintext: true
  });
  // Named apart from the adapter's own subscriber, which ready() looks for by name.
  const peerSubscriber = track(new Redis(redisUrl, { ...waitingOptions, connectionName: `bbb-peers-${instanceId}` }));
  const peers = new PeerWatch(publisher, peerSubscriber, instanceId, SOCKET_IO_KEY_PREFIX, options.peerCheckMs ?? PEER_CHECK_MS);

  // Socket.IO calls the factory with `new`, so it must be a function, not an arrow; returning an
  // object from it makes that object the adapter.
  const factory = function (nsp: Parameters<typeof createNamespaceAdapter>[0]) {
    return deliverLocallyFirst(createNamespaceAdapter(nsp) as unknown as StreamsNamespaceAdapter, peers);
  } as unknown as typeof createNamespaceAdapter;

  return {
    factory,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        try {
          const list = publisher.status === 'ready' ? String(await publisher.client('LIST')) : '';
          const mine = list.split('\n').filter((line) => line.includes(` name=${name} `));
          const reading = mine.some((line) => line.includes(' cmd=xread ')) && mine.some((line) => line.includes(' cmd=subscribe '));
          if (reading && peers.announced) return;
        } catch {
          // Not connected yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    alone: () => peers.alone,
    disconnect() {
      peers.stop();
      for (const client of clients) client.disconnect();
    }
  };
}
