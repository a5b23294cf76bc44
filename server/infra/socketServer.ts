import { nanoid } from 'nanoid';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { SOCKET_MAX_FRAME_BYTES } from '../../src/lib/protocol/index.ts';
import { watchBackpressure, type Backpressure } from './backpressure.ts';
import { refusedForNow } from './errors.ts';
import type { IoServer } from './socket.ts';
import { createStreamsAdapter, type StreamsAdapterOptions } from './streamsAdapter.ts';

/** How long start-up waits for the adapter to listen before serving anyway. */
const ADAPTER_READY_TIMEOUT_MS = 3000;

export interface SocketServerOptions extends StreamsAdapterOptions {
  /** URL of the app's Redis: the adapter opens connections of its own there. */
  redisUrl: string;
  /** The origin check the REST guard uses too (docs/architecture.md#origin-is-checked). */
  sameOrigin: (req: IncomingMessage) => boolean;
}

export interface SocketServer {
  io: IoServer;
  /** This process among the others on the same Redis. */
  instanceId: string;
  /** Unsent bytes per socket, and the cut-off past the budget. */
  backpressure: Backpressure;
  /** True while this process knows no other server process shares its Redis. */
  alone(): boolean;
  /** True once shutdown began: disconnects then need no bookkeeping, handshakes are refused for now. */
  closing(): boolean;
  /** Begins the shutdown: new handshakes are refused for now, so they claim nothing here. */
  refuseNew(): void;
  /** Resolves once the adapter listens (or after a timeout). */
  ready(): Promise<void>;
  /** Disconnects every socket and the adapter. */
  close(): Promise<void>;
}

/**
 * Socket.IO on the HTTP server, shared across processes by the Streams adapter
 * (docs/architecture.md#broadcasts-across-processes), with frames bounded and the backlog of
 * each socket watched. The handshake refuses pages of other sites first; features add their own
 * middleware (session, socket cap) after it.
 */
export function createSocketServer(httpServer: HttpServer, options: SocketServerOptions): SocketServer {
  const instanceId = nanoid(12);
  const adapter = createStreamsAdapter(options.redisUrl, instanceId, { peerCheckMs: options.peerCheckMs });
  const io: IoServer = new Server(httpServer, {
    maxHttpBufferSize: SOCKET_MAX_FRAME_BYTES,
    serveClient: false,
    // The transport is never compressed (docs/architecture.md#delivery): a message is a few hundred
    // bytes sent to every member, and compressing each copy would cost more CPU than it saves.
    httpCompression: false,
    perMessageDeflate: false,
    adapter: adapter.factory
  });
  let closing = false;
  // A handshake that reaches a process shutting down for a restart is told to come back.
  io.use((_socket, next) => next(closing ? refusedForNow('The server is restarting') : undefined));
  io.use((socket, next) => next(options.sameOrigin(socket.request) ? undefined : new Error('Cross-site connection refused')));
  const backpressure = watchBackpressure(io);

  return {
    io,
    instanceId,
    backpressure,
    alone: adapter.alone,
    closing: () => closing,
    /** From now on handshakes are refused for now (the client comes back): the first step of a shutdown. */
    refuseNew() {
      closing = true;
    },
    ready: () => adapter.ready(ADAPTER_READY_TIMEOUT_MS),
    async close() {
      closing = true;
      backpressure.stop();
      await io.close();
      adapter.disconnect();
    }
  };
}
