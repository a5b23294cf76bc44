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
} from '../src/lib/protocol/index.ts';
import type { ActivityHandlers } from './activity/handlers.ts';
import { AppError, errorPayload, parse } from './infra/errors.ts';
import type { AppSocket } from './infra/socket.ts';
import type { MessageHandlers } from './messages/handlers.ts';
import type { ReactionHandlers } from './reactions/handlers.ts';
import type { RoomHandlers } from './rooms/handlers.ts';
import type { TypingHandlers } from './typing/handlers.ts';

// Every client event of the contract's table (CLIENT_EVENTS in src/lib/protocol/events.ts),
// mapped to the one handler that answers it. The payload is parsed here with the table's schema,
// so a handler receives it typed. Registered synchronously in the connection handler, before any
// await, so an event sent the instant the socket connects always finds its listener
// (docs/architecture.md#no-event-is-lost-at-connect).

/** Acts on a parsed payload and broadcasts; resolves with the acknowledgement's data or throws. */
export type EventHandlers = {
  readonly [E in ClientEvent]: (socket: AppSocket, payload: ParsedPayloadOf<E>) => Promise<E extends AckedEvent ? ReplyOf<E> : void>;
};

/** The table seen per event, so a generic event's schema and handler agree on the payload type. */
const payloadSchemas: { readonly [E in ClientEvent]: { readonly payload: z.ZodType<ParsedPayloadOf<E>> } } = CLIENT_EVENTS;

export function eventHandlers(f: {
  rooms: RoomHandlers;
  messages: MessageHandlers;
  reactions: ReactionHandlers;
  typing: TypingHandlers;
  activity: ActivityHandlers;
}): EventHandlers {
  return {
    'room:join': f.rooms.join,
    'room:leave': f.rooms.leave,
    'room:history-older': f.rooms.historyOlder,
    'message:send': f.messages.send,
    'message:delete': f.messages.remove,
    'reaction:add': f.reactions.add,
    'reaction:remove': f.reactions.remove,
    'typing:start': f.typing.start,
    'typing:stop': f.typing.stop,
    'rooms:activity': f.activity.list,
    'room:read': f.activity.read
  };
}

export function registerHandlers(socket: AppSocket, handlers: EventHandlers): void {
  for (const event of CLIENT_EVENT_NAMES) listen(socket, event, handlers[event]);
}

/** Parses the one payload and runs the handler; any refusal or failure comes back as a rejection. */
function handle<E extends ClientEvent>(socket: AppSocket, event: E, handler: EventHandlers[E], args: unknown[]): Promise<unknown> {
  if (args.length !== 1) return Promise.reject(new AppError('VALIDATION_ERROR', 'Send exactly one payload object'));
  try {
    return handler(socket, parse(payloadSchemas[event].payload, args[0]));
  } catch (err) {
    return Promise.reject(err);
  }
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
function listen<E extends ClientEvent>(socket: AppSocket, event: E, handler: EventHandlers[E]): void {
  // Socket.IO cannot match a listener to a generic event name: the name is widened to the union,
  // and this listener, which takes raw arguments and parses them itself, is cast to match.
  const name: ClientEvent = event;
  socket.on(name, ((...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = isAckCallback(last) ? last : undefined;
    if (ack) args.pop();
    const payload = args[0];
    handle(socket, event, handler, args).then(
      (data) => acknowledge(ack, { ok: true, data }),
      (err: unknown) => {
        const error = errorPayload(err, event, payload);
        if (socket.connected) socket.emit('error', error);
        acknowledge(ack, { ok: false, error });
      }
    );
  }) as ClientToServerEvents[ClientEvent]);
}

/** Socket.IO hands over the client's acknowledgement as a plain function. */
function isAckCallback(value: unknown): value is AckCallback {
  return typeof value === 'function';
}

function acknowledge(ack: AckCallback | undefined, result: Ack<unknown>): void {
  try {
    ack?.(result);
  } catch {
    // The client is gone; nothing left to tell.
  }
}
