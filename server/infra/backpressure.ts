import { SOCKET_MAX_UNSENT_BYTES, type ErrorPayload } from '../../src/lib/protocol/index.ts';
import type { AppSocket, IoServer } from './socket.ts';

// How much the server holds for a socket that it could not send yet, and what happens past the
// budget. Engine.IO queues packets in its write buffer while the transport is busy, and the
// WebSocket keeps what the kernel would not take; a client that stops reading makes both grow.
// Neither is in Socket.IO's public types, so they are read through the narrow shapes below; the
// backpressure tests (tests/integration/socket-limits.test.ts) fail if a library update moves them.

interface EnginePacket {
  data?: unknown;
}
interface EngineConnection {
  readyState: string;
  writeBuffer?: EnginePacket[];
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): unknown;
}

const engineOf = (socket: AppSocket) => socket.conn as unknown as EngineConnection;

function packetBytes(packet: EnginePacket): number {
  const { data } = packet;
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** Bytes queued for the socket that have not reached the kernel yet. */
export function unsentBytes(socket: AppSocket): number {
  const conn = engineOf(socket);
  let total = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) total += packetBytes(packet);
  return total;
}

const SLOW: ErrorPayload = {
  code: 'SLOW_CONNECTION',
  message: 'Your connection fell too far behind the chat, so the server closed it. Reconnecting will catch you up.'
};

/** How often every local socket's backlog is measured, and how a closed slow socket is watched. */
const SWEEP_MS = 500;
const DRAIN_CHECK_MS = 1000;
/** A closed slow socket that keeps reading may finish its backlog (and see why) for this long. */
const DRAIN_GRACE_MS = 30_000;

/**
 * Watches every socket's unsent bytes. Past SOCKET_MAX_UNSENT_BYTES the socket is told why and
 * disconnected, which stops every broadcast to it at once. What was queued stays only while the
 * client keeps reading it, up to DRAIN_GRACE_MS; a client that reads nothing is cut off within a
 * second, freeing the memory.
 */
export function watchBackpressure(io: IoServer) {
  const draining = new Set<NodeJS.Timeout>();

  function cutOff(conn: EngineConnection): void {
    conn.transport?.socket?.terminate?.();
    if (conn.readyState !== 'closed') conn.close(true);
  }

  function drainThenClose(conn: EngineConnection, socket: AppSocket): void {
    const started = Date.now();
    let last = unsentBytes(socket);
    const timer = setInterval(() => {
      const now = unsentBytes(socket);
      const done = conn.readyState === 'closed' || now === 0;
      if (done || now >= last || Date.now() - started > DRAIN_GRACE_MS) {
        clearInterval(timer);
        draining.delete(timer);
        if (!done) cutOff(conn);
        return;
      }
      last = now;
    }, DRAIN_CHECK_MS);
    timer.unref();
    draining.add(timer);
  }

  /** True (and the socket is being closed) when it holds more than the budget. */
  function overBudget(socket: AppSocket): boolean {
    if (unsentBytes(socket) <= SOCKET_MAX_UNSENT_BYTES) return false;
    if (!socket.connected) return true;
    const conn = engineOf(socket);
    socket.emit('error', SLOW);
    socket.disconnect(true);
    drainThenClose(conn, socket);
    return true;
  }

  const sweep = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) overBudget(socket);
  }, SWEEP_MS);
  sweep.unref();

  return {
    overBudget,
    stop() {
      clearInterval(sweep);
      for (const timer of draining) clearInterval(timer);
      draining.clear();
    }
  };
}

export type Backpressure = ReturnType<typeof watchBackpressure>;
