import type { Ack, ClientToServerEvents } from '../../src/lib/protocol/index.ts';
import type { AppSocket, Realtime } from './context.ts';
import { SocketError, toErrorPayload } from './errors.ts';
import type { Presence } from './presence.ts';
import { createMessageHandlers } from './messages.handlers.ts';
import { createReactionHandlers } from './reactions.handlers.ts';
import { createRoomHandlers } from './rooms.handlers.ts';
import { createTypingHandlers } from './typing.handlers.ts';

// Wires every client event of the contract to its handler. Called synchronously in the
// connection handler, before any await, so an event sent the instant the socket connects (or
// queued before) always finds its listener.

type Handler = (payload: unknown) => Promise<unknown>;

/**
 * Runs a handler safely: the payload is the one argument before an optional acknowledgement
 * function; success acknowledges `{ ok: true, data }`; any failure emits `error` and acknowledges
 * `{ ok: false, error }`. Nothing escapes the promise.
 *
 * The listener is an inline callback, and the acknowledgement a module function, on purpose: the
 * server runs under tsx, which gives every function bound to a name a redefined `name` property,
 * and that costs a property dictionary per function made (here: per socket and per event).
 */
function listen(socket: AppSocket, event: keyof ClientToServerEvents, handler: Handler): void {
  // One listener shape serves every event: payloads are parsed inside, never trusted by type.
  socket.on(event, ((...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (args.pop() as AckCallback) : undefined;
    const payload = args[0];
    const run =
      args.length === 1 ? handler(payload) : Promise.reject(new SocketError('VALIDATION_ERROR', 'Send exactly one payload object'));
    run.then(
      (data) => acknowledge(ack, { ok: true, data }),
      (err: unknown) => {
        const error = toErrorPayload(err, event, payload);
        if (socket.connected) socket.emit('error', error);
        acknowledge(ack, { ok: false, error });
      }
    );
  }) as ClientToServerEvents[typeof event]);
}

type AckCallback = (result: Ack<unknown>) => void;

function acknowledge(ack: AckCallback | undefined, result: Ack<unknown>): void {
  try {
    ack?.(result);
  } catch {
    // The client is gone; nothing left to tell.
  }
}

export function registerHandlers(socket: AppSocket, rt: Realtime, presence: Presence): void {
  const rooms = createRoomHandlers(socket, rt, presence);
  const messages = createMessageHandlers(socket, rt);
  const reactions = createReactionHandlers(socket, rt);
  const typing = createTypingHandlers(socket, rt);

  listen(socket, 'room:join', rooms.join);
  listen(socket, 'room:leave', rooms.leave);
  listen(socket, 'room:history-older', rooms.historyOlder);
  listen(socket, 'message:send', messages.send);
  listen(socket, 'message:delete', messages.remove);
  listen(socket, 'reaction:add', reactions.add);
  listen(socket, 'reaction:remove', reactions.remove);
  listen(socket, 'typing:start', typing.start);
  listen(socket, 'typing:stop', typing.stop);

  socket.on('disconnecting', () => rooms.disconnecting());
}
