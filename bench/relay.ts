import { createServer } from 'node:http';
import { nanoid } from 'nanoid';
import { Server } from 'socket.io';
import type { ClientToServerEvents, NewMessage, ServerToClientEvents } from '../src/lib/protocol/index.ts';

// The baseline: a bare Socket.IO relay speaking the same events as the server, with nothing else.
// No auth, no Redis, no validation, no storage: join a room, and broadcast what is sent to it.
// What the server keeps of this relay's throughput is the share of the transport's limit it keeps.

const port = Number(process.env.PORT ?? 0);
const httpServer = createServer();
const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, { serveClient: false });

io.on('connection', (socket) => {
  // Who a client says it is, so the broadcast carries the same fields as the server's.
  const userId = Number(socket.handshake.auth.userId) || 0;
  const username = String(socket.handshake.auth.username ?? 'relay');

  socket.on('room:join', (payload) => {
    if (!payload) return;
    void socket.join(payload.roomId);
    socket.emit('room:history', { roomId: payload.roomId, messages: [], hasMore: false });
  });
  socket.on('room:leave', (payload) => {
    if (!payload) return;
    void socket.leave(payload.roomId);
  });
  socket.on('message:send', (payload) => {
    if (!payload) return;
    const message = {
      roomId: payload.roomId,
      id: nanoid(),
      userId,
      username,
      type: payload.type,
      content: payload.content,
      reactions: [],
      reactionsVersion: 0,
      timestamp: Date.now(),
      seq: 0
    } as NewMessage;
    io.to(payload.roomId).emit('message:new', message);
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  const address = httpServer.address();
  console.log(`relay listening on ${typeof address === 'object' && address ? address.port : port}`);
});

const stop = () => {
  void io.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
