import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  ACKED_EVENTS,
  CLIENT_EVENT_NAMES,
  CLIENT_EVENTS,
  isAckedEvent,
  isClientEvent,
  type AckedEvent,
  type AckFn,
  type ClientToServerEvents,
  type HistoryPage,
  type Message,
  type NewMessage,
  type MessageSend,
  type ParsedPayloadOf,
  type Reaction,
  type ReactionRequest,
  type ReplyOf,
  type RoomRef,
  type TypingKind
} from './events';

describe('the client event table', () => {
  it('gives every event a zod schema for its payload', () => {
    for (const event of CLIENT_EVENT_NAMES) expect(CLIENT_EVENTS[event].payload, event).toBeInstanceOf(z.ZodType);
  });

  it('lists every event, and as acknowledged all but the typing signals', () => {
    expect(CLIENT_EVENT_NAMES).toEqual(Object.keys(CLIENT_EVENTS));
    expect(ACKED_EVENTS).toEqual(['room:join', 'room:leave', 'room:history-older', 'message:send', 'message:delete', 'reaction:add', 'reaction:remove', 'rooms:activity', 'room:read']);
    expect(CLIENT_EVENT_NAMES.filter((event) => !isAckedEvent(event))).toEqual(['typing:start', 'typing:stop']);
  });

  it('recognises only its own event names, never inherited properties', () => {
    expect(isClientEvent('message:send')).toBe(true);
    expect(isAckedEvent('typing:start')).toBe(false);
    for (const name of ['room:history', 'error', 'toString', '__proto__', '']) {
      expect(isClientEvent(name), name).toBe(false);
      expect(isAckedEvent(name), name).toBe(false);
    }
  });

  it('parses each payload with its event schema', () => {
    expect(CLIENT_EVENTS['message:send'].payload.safeParse({ roomId: 'r1', type: 'text', content: ' hi ' })).toMatchObject({
      success: true,
      data: { content: 'hi' }
    });
    expect(CLIENT_EVENTS['room:join'].payload.safeParse({ roomId: 'r1', extra: 1 }).success).toBe(false);
  });

  it('derives the acknowledgement and Socket.IO types from the table', () => {
    expectTypeOf<AckedEvent>().toEqualTypeOf<(typeof ACKED_EVENTS)[number]>();
    expectTypeOf<ReplyOf<'room:join'>>().toEqualTypeOf<undefined>();
    expectTypeOf<ReplyOf<'room:leave'>>().toEqualTypeOf<undefined>();
    expectTypeOf<ReplyOf<'room:history-older'>>().toEqualTypeOf<HistoryPage>();
    expectTypeOf<ReplyOf<'message:send'>>().toEqualTypeOf<NewMessage>();
    expectTypeOf<ReplyOf<'message:delete'>>().toEqualTypeOf<undefined>();
    expectTypeOf<ReplyOf<'reaction:add'>>().toEqualTypeOf<Reaction[]>();
    expectTypeOf<ReplyOf<'reaction:remove'>>().toEqualTypeOf<Reaction[]>();
    expectTypeOf<ParsedPayloadOf<'reaction:add'>>().toEqualTypeOf<ReactionRequest>();

    expectTypeOf<ClientToServerEvents['message:send']>().toEqualTypeOf<(payload: MessageSend, ack?: AckFn<NewMessage>) => void>();
    expectTypeOf<ClientToServerEvents['room:join']>().toEqualTypeOf<(payload: RoomRef, ack?: AckFn) => void>();
    expectTypeOf<ClientToServerEvents['typing:start']>().toEqualTypeOf<(payload: { roomId: string; kind?: TypingKind }) => void>();
  });
});
