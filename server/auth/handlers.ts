import type { ExtendedError } from 'socket.io';
import type { ServerEvents } from '../infra/events.ts';
import { refusedForNow } from '../infra/errors.ts';
import { userChannel, type AppSocket, type IoServer } from '../infra/socket.ts';
import type { SessionCheck, Sessions } from './session.ts';

// The socket side of sessions: the handshake, the end of a session on an open socket, and
// sign-outs (docs/architecture.md#signing-out-ends-the-session).

/** What the user is told when their session runs out, on an open socket or at a new handshake. */
export const SESSION_EXPIRED = 'Your session has expired';

// setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days); longer waits are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

// The expiry of each accepted handshake's token, until its socket connects.
const expiries = new WeakMap<AppSocket, number>();

/**
 * The `token` cookie must name a user whose session was not revoked (the origin was checked
 * before). Refusals reach the client as `connect_error` with this message.
 */
export function authenticate(sessions: Sessions) {
  return async (socket: AppSocket, next: (err?: ExtendedError) => void): Promise<void> => {
    let session: SessionCheck;
    try {
      session = await sessions.checkCookieHeader(socket.handshake.headers.cookie);
    } catch {
      // The database could not answer: no verdict on the session, and the client retries.
      return next(refusedForNow('The server cannot check sessions right now'));
    }
    if (!session.user) return next(new Error(session.reason === 'expired' ? SESSION_EXPIRED : 'Not authenticated'));
    socket.data.user = session.user;
    expiries.set(socket, session.expiresAt);
    next();
  };
}

/**
 * Closes a connected socket when its session token expires: nothing else asks for the cookie again
 * while a socket stays open. The client is told why (`error` SESSION_EXPIRED) just before.
 */
export function closeWhenSessionExpires(socket: AppSocket): void {
  const expiresAt = expiries.get(socket);
  if (expiresAt === undefined) return;
  expiries.delete(socket);
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left > 0) {
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      // An open socket is no reason to keep the process alive.
      timer.unref();
      return;
    }
    if (!socket.connected) return;
    socket.emit('error', { code: 'SESSION_EXPIRED', message: SESSION_EXPIRED });
    // A disconnect packet after the error, on the same connection: the client gets both, in order,
    // and does not retry on its own. The handshake refuses the expired token if it tries.
    socket.disconnect();
  };
  socket.once('disconnect', () => clearTimeout(timer));
  arm();
}

/** A signed-out user's sockets are disconnected on every process (through the adapter). */
export function followSignOuts(io: IoServer, events: ServerEvents): { stop(): void } {
  return events.follow({
    'user:signed-out': (userId) => {
      io.in(userChannel(userId)).disconnectSockets(true);
    }
  });
}
