import type { z } from 'zod';
import {
  CLIENT_EVENT_NAMES,
  CLIENT_EVENTS,
  type Ack,
  type AckedEvent,
  type ClientEvent,
  type ClientToServerEvents,
  type ParsedPayloadOf,
  type ReplyOf
} from '../../src/lib/protocol/index.ts';
import type { AppSocket, Realtime } from './context.ts';
import { parsePayload, SocketError, toErrorPayload } from './errors.ts';
import type { Presence } from './presence.ts';
import { createMessageHandlers } from './messages.handlers.ts';
import { createReactionHandlers } from './reactions.handlers.ts';
import { createRoomHandlers } from './rooms.handlers.ts';
import { createTypingHandlers } from './typing.handlers.ts';

// Wires every client event of the contract's table to its handler. Called synchronously in the
// connection handler, before any await, so an event sent the instant the socket connects (or
// queued before) always finds its listener.

/** A handler gets its payload parsed by the table's schema and resolves with the acknowledgement's data. */
type EventHandlers = {
  [E in ClientEvent]: (payload: ParsedPayloadOf<E>) => Promise<E extends AckedEvent ? ReplyOf<E> : void>;
};

/** The table seen per event, so a generic event's schema and handler agree on the payload type. */
const payloadSchemas: { readonly [E in ClientEvent]: { readonly payload: z.ZodType<ParsedPayloadOf<E>> } } = CLIENT_EVENTS;

type AckCallback = (result: Ack<unknown>) => void;

/** Socket.IO hands over the client's acknowledgement as a plain function. */
function isAckCallback(value: unknown): value is AckCallback {
  return typeof value === 'function';
}

/** Parses the one payload and runs the handler; any refusal or failure comes back as a rejection. */
function handle<E extends ClientEvent>(event: E, handler: EventHandlers[E], args: unknown[]): Promise<unknown> {
  if (args.length !== 1) return Promise.reject(new SocketError('VALIDATION_ERROR', 'Send exactly one payload object'));
  try {
    return handler(parsePayload(payloadSchemas[event].payload, args[0]));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Runs a handler safely: the payload is the one argument before an optional acknowledgement
 * function; success acknowledges `{ ok: true, data }`; any failure emits `error` and acknowledges
 * `{ ok: false, error }`. Nothing escapes the promise.
 *
 * The listener is an inline callback, and the acknowledgement a module function, on purpose: the
 * server runs under tsx, which gives every function bound to a name a redefined `name` property,
 * and that costs a property dictionary per function made (here: per socket and per event).
 */
function listen<E extends ClientEvent>(socket: AppSocket, event: E, handler: EventHandlers[E]): void {
  // Socket.IO cannot match a listener to a generic event name: the name is widened to the union,
  // and this listener, which takes raw arguments and parses them itself, is cast to match.
  const name: ClientEvent = event;
  socket.on(name, ((...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = isAckCallback(last) ? last : undefined;
    if (ack) args.pop();
    const payload = args[0];
    handle(event, handler, args).then(
      (data) => acknowledge(ack, { ok: true, data }),
      (err: unknown) => {
        const error = toErrorPayload(err, event, payload);
        if (socket.connected) socket.emit('error', error);
        acknowledge(ack, { ok: false, error });
      }
    );
  }) as ClientToServerEvents[ClientEvent]);
}

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

  const handlers: EventHandlers = {
    'room:join': rooms.join,
    'room:leave': rooms.leave,
    'room:history-older': rooms.historyOlder,
    'message:send': messages.send,
    'message:delete': messages.remove,
    'reaction:add': reactions.add,
    'reaction:remove': reactions.remove,
    'typing:start': typing.start,
    'typing:stop': typing.stop
  };
  for (const event of CLIENT_EVENT_NAMES) listen(socket, event, handlers[event]);

  socket.on('disconnecting', () => rooms.disconnecting());
}
