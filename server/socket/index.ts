import type { Server as HttpServer } from 'node:http';
import { nanoid } from 'nanoid';
import { Server } from 'socket.io';
import { SOCKET_MAX_FRAME_BYTES } from '../../src/lib/protocol/index.ts';
import type { AppContext } from '../app.ts';
import { createStreamsAdapter, type StreamsAdapterOptions } from './adapter.ts';
import { authenticate } from './auth.ts';
import { createRealtime, userChannel, type IoServer } from './context.ts';
import { registerHandlers } from './handlers.ts';
import { followMembership } from './membership.ts';
import { createPresence } from './presence.ts';
import { startTypingSweep } from './typing.handlers.ts';

export type { IoServer } from './context.ts';

/** How long start-up waits for the adapter to listen before serving anyway. */
const ADAPTER_READY_TIMEOUT_MS = 3000;

/** Socket.IO with the plan's events, authenticated by the session cookie, shared across processes. */
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
  io.on('connection', (socket) => {
    void socket.join(userChannel(socket.data.user.id));
    registerHandlers(socket, rt, presence);
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
      await presence.stop();
      rt.closing = true;
      await io.close();
      adapter.disconnect();
    }
  };
}
