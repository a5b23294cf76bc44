import type { Server as HttpServer } from 'node:http';
import { nanoid } from 'nanoid';
import { Server } from 'socket.io';
import { SOCKET_MAX_FRAME_BYTES, SOCKETS_PER_USER } from '../../src/lib/protocol/index.ts';
import type { AppContext } from '../app.ts';
import { createStreamsAdapter, type StreamsAdapterOptions } from '../infra/streamsAdapter.ts';
import { authenticate, closeWhenSessionExpires } from './auth.ts';
import { claimSocketSlot, releaseSocketSlot } from '../redis/presence.ts';
import { createRealtime, userChannel, type AppSocket, type IoServer, type Realtime } from './context.ts';
import { registerHandlers } from './handlers.ts';
import { followMembership } from './membership.ts';
import { createPresence } from './presence.ts';
import { startTypingSweep } from './typing.handlers.ts';

export type { IoServer } from './context.ts';

/** How long start-up waits for the adapter to listen before serving anyway. */
const ADAPTER_READY_TIMEOUT_MS = 3000;

/** Socket.IO with the contract's events (src/lib/protocol/events.ts), authenticated by the session cookie, shared across processes. */
export async function initSocket(
  httpServer: HttpServer,
  ctx: AppContext,
  options: StreamsAdapterOptions = {}
): Promise<{ io: IoServer; alone(): boolean; close(): Promise<void> }> {
  const instanceId = nanoid(12);
  const adapter = createStreamsAdapter(ctx.redisUrl, instanceId, options);
  const io: IoServer = new Server(httpServer, {
    maxHttpBufferSize: SOCKET_MAX_FRAME_BYTES,
    serveClient: false,
    adapter: adapter.factory
  });
  const rt = createRealtime(io, ctx, instanceId);
  const presence = createPresence(rt);

  io.use(authenticate(ctx));
  io.use(limitSocketsPerUser(rt));
  io.on('connection', (socket) => {
    closeWhenSessionExpires(socket);
    void socket.join(userChannel(socket.data.user.id));
    registerHandlers(socket, rt, presence);
    socket.on('disconnect', () => {
      if (!rt.closing) releaseSocketSlot(ctx.redis, socket.data.user.id, instanceId, socket.id).catch(() => undefined);
    });
  });

  const membership = followMembership(rt, presence);
  const typingSweep = startTypingSweep(rt);
  await presence.start();
  await adapter.ready(ADAPTER_READY_TIMEOUT_MS);

  return {
    io,
    alone: adapter.alone,
    async close() {
      typingSweep.stop();
      membership.stop();
      rt.backpressure.stop();
      await presence.stop();
      rt.closing = true;
      await io.close();
      adapter.disconnect();
    }
  };
}

const TOO_MANY_SOCKETS = `Too many connections: you have ${SOCKETS_PER_USER} tabs or devices open already. Close one and try again.`;

/**
 * A user may hold SOCKETS_PER_USER sockets over every process. When Redis cannot be asked, the
 * connection is let in: the socket itself is harmless, and every request it makes needs Redis.
 */
function limitSocketsPerUser(rt: Realtime) {
  return (socket: AppSocket, next: (err?: Error) => void): void => {
    claimSocketSlot(rt.app.redis, socket.data.user.id, rt.instanceId, socket.id, SOCKETS_PER_USER).then(
      (claimed) => next(claimed ? undefined : new Error(TOO_MANY_SOCKETS)),
      () => next()
    );
  };
}
