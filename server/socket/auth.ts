import type { ExtendedError } from 'socket.io';
import type { AppContext } from '../app.ts';
import { isAllowedOrigin } from '../http/origin.ts';
import type { AppSocket } from './context.ts';

/**
 * The handshake: a page of another site may not open a socket with a visitor's cookie (Origin),
 * and the `token` cookie must name a user whose session was not revoked. Refusals reach the
 * client as `connect_error` with this message.
 */
export function authenticate(ctx: AppContext) {
  return (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    const { origin, host, cookie } = socket.handshake.headers;
    if (!isAllowedOrigin(origin, host, ctx.config.allowedOrigins)) return next(new Error('Cross-site connection refused'));
    let user = null;
    try {
      user = ctx.sessions.fromCookieHeader(cookie);
    } catch {
      // A malformed cookie header is simply no session.
    }
    if (!user) return next(new Error('Not authenticated'));
    socket.data.user = user;
    next();
  };
}
