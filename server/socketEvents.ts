import type { Ack, ClientToServerEvents } from '../src/lib/protocol/index.ts';
import { AppError, errorPayload } from './infra/errors.ts';
import type { AppSocket } from './infra/socket.ts';
import type { MessageHandlers } from './messages/handlers.ts';
import type { ReactionHandlers } from './reactions/handlers.ts';
import type { RoomHandlers } from './rooms/handlers.ts';
import type { TypingHandlers } from './typing/handlers.ts';

// Every client event of the contract (src/lib/protocol/events.ts), mapped to the one handler that
// answers it. Registered synchronously in the connection handler, before any await, so an event
// sent the instant the socket connects always finds its listener
// (docs/architecture.md#no-event-is-lost-at-connect).

/** Parses its payload, acts, broadcasts; answers the acknowledgement's data or throws. */
export type EventHandler = (socket: AppSocket, payload: unknown) => Promise<unknown>;
export type EventHandlers = { readonly [E in keyof ClientToServerEvents]: EventHandler };

export function eventHandlers(f: { rooms: RoomHandlers; messages: MessageHandlers; reactions: ReactionHandlers; typing: TypingHandlers }): EventHandlers {
  return {
    'room:join': f.rooms.join,
    'room:leave': f.rooms.leave,
    'room:history-older': f.rooms.historyOlder,
    'message:send': f.messages.send,
    'message:delete': f.messages.remove,
    'reaction:add': f.reactions.add,
    'reaction:remove': f.reactions.remove,
    'typing:start': f.typing.start,
    'typing:stop': f.typing.stop
  };
}

export function registerHandlers(socket: AppSocket, handlers: EventHandlers): void {
  for (const event of Object.keys(handlers) as (keyof EventHandlers)[]) listen(socket, event, handlers[event]);
}

type AckCallback = (result: Ack<unknown>) => void;

/**
 * Runs a handler safely: the payload is the one argument before an optional acknowledgement
 * function; success acknowledges `{ ok: true, data }`; any failure emits `error` and acknowledges
 * `{ ok: false, error }`. Nothing escapes the promise.
 *
 * The listener is an inline callback, and the acknowledgement a module function, on purpose: the
 * server runs under tsx, which gives every function bound to a name a redefined `name` property,
 * and that costs a property dictionary per function made (here: per socket and per event).
 */
function listen(socket: AppSocket, event: keyof ClientToServerEvents, handler: EventHandler): void {
  // One listener shape serves every event: payloads are parsed inside, never trusted by type.
  socket.on(event, ((...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (args.pop() as AckCallback) : undefined;
    const payload = args[0];
    const run = args.length === 1 ? handler(socket, payload) : Promise.reject(new AppError('VALIDATION_ERROR', 'Send exactly one payload object'));
    run.then(
      (data) => acknowledge(ack, { ok: true, data }),
      (err: unknown) => {
        const error = errorPayload(err, event, payload);
        if (socket.connected) socket.emit('error', error);
        acknowledge(ack, { ok: false, error });
      }
    );
  }) as ClientToServerEvents[typeof event]);
}

function acknowledge(ack: AckCallback | undefined, result: Ack<unknown>): void {
  try {
    ack?.(result);
  } catch {
    // The client is gone; nothing left to tell.
  }
}
