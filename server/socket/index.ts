import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/lib/protocol/index.ts';
import { SOCKET_MAX_FRAME_BYTES } from '../../src/lib/protocol/index.ts';
import type { AppContext } from '../app.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;

// Socket.IO with the plan's events: built by the real-time issue.
export async function initSocket(httpServer: HttpServer, _ctx: AppContext): Promise<{ io: IoServer; close(): Promise<void> }> {
  const io: IoServer = new Server(httpServer, { maxHttpBufferSize: SOCKET_MAX_FRAME_BYTES, serveClient: false });
  return { io, close: async () => void (await io.close()) };
}
