import { z } from 'zod';
import { drawingSchema, type Drawing } from './drawing';
import type { ActivityUpdate, RoomActivity } from './activity';
import type { ErrorPayload } from './errors';
import { EMOJI, type Emoji } from './emoji';
import type { FriendsChange } from './friends';
import type { Settings } from './profiles';
import { normalizeText, textProblem } from './text';

// The Socket.IO contract: both event maps, payloads and the schemas that check what clients send.

export const MESSAGE_TYPES = ['drawing', 'text', 'image'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'gif', 'webp'] as const;
export type ImageExtension = (typeof IMAGE_EXTENSIONS)[number];
/** The only image content a message may carry: a file from our own upload endpoint. */
export const IMAGE_URL_PATTERN = /^\/uploads\/messages\/([A-Za-z0-9_-]{21})\.(png|jpg|gif|webp)$/;

// Ids: rooms and messages are nanoid strings; anything else (arrays, objects, huge strings) is refused.
export const roomIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid room id');
export const messageIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid message id');

export interface Reaction {
  emoji: Emoji;
  userIds: number[];
}

interface MessageBase {
  roomId: string;
  id: string;
  userId: number;
  username: string;
  reactions: Reaction[];
  /** Grows with every change of `reactions`: the newer of two snapshots has the higher one. */
  reactionsVersion: number;
  /** Milliseconds since the epoch, set by the server. */
  timestamp: number;
}
export type DrawingMessage = MessageBase & { type: 'drawing'; content: Drawing };
export type TextMessage = MessageBase & { type: 'text'; content: string };
export type ImageMessage = MessageBase & { type: 'image'; content: string };
export type Message = DrawingMessage | TextMessage | ImageMessage;

/**
 * A message as the sockets in its room get it (`message:new`, the sender's acknowledgement, and
 * the messages of history pages): `seq` is its position in the room
 * (docs/architecture.md#room-activity), so a page showing the room keeps its unread count and
 * read marker without a separate activity event.
 */
export type NewMessage = Message & { seq: number };

/**
 * Who is typing in a room. `version` grows with every change, so a list that arrives after a newer
 * one (they may travel through different server processes) is recognised and dropped.
 */
export interface TypingSnapshot {
  users: { userId: number; username: string }[];
  version: number;
}

export interface Member {
  userId: number;
  username: string;
  online: boolean;
  /** The member's profile picture (docs/architecture.md#profiles), or null for none. */
  avatar: string | null;
}

// ---- Client -> server payloads -------------------------------------------------------------

export const roomRefSchema = z.strictObject({ roomId: roomIdSchema });

/** What someone is composing: a text ("is typing…") or a drawing ("is drawing…"). */
export const TYPING_KINDS = ['text', 'drawing'] as const;
export type TypingKind = (typeof TYPING_KINDS)[number];
/** typing:start and typing:stop; without a kind, it is text. */
export const typingSchema = z.strictObject({ roomId: roomIdSchema, kind: z.enum(TYPING_KINDS).default('text') });
export type TypingRequest = z.output<typeof typingSchema>;

/** Line breaks as \n, trimmed, then refused for anything in text.ts's rules, with its reason. */
export const textContentSchema = z
  .string()
  .transform(normalizeText)
  .superRefine((text, ctx) => {
    const problem = textProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const messageSendSchema = z.discriminatedUnion('type', [
  z.strictObject({ roomId: roomIdSchema, type: z.literal('drawing'), content: drawingSchema }),
  z.strictObject({ roomId: roomIdSchema, type: z.literal('text'), content: textContentSchema }),
  z.strictObject({
    roomId: roomIdSchema,
    type: z.literal('image'),
    content: z.string().regex(IMAGE_URL_PATTERN, 'Image must be a file uploaded here')
  })
]);
export type MessageSend = z.input<typeof messageSendSchema>;

export const messageRefSchema = z.strictObject({ roomId: roomIdSchema, messageId: messageIdSchema });
export const reactionSchema = z.strictObject({
  roomId: roomIdSchema,
  messageId: messageIdSchema,
  emoji: z.enum(EMOJI)
});
/** Ask for the page of history older than a message already shown. */
export const historyOlderSchema = z.strictObject({ roomId: roomIdSchema, beforeId: messageIdSchema });

export type RoomRef = z.infer<typeof roomRefSchema>;
export type MessageRef = z.infer<typeof messageRefSchema>;
export type ReactionRequest = z.infer<typeof reactionSchema>;
export type HistoryOlderRequest = z.infer<typeof historyOlderSchema>;

/** Optional acknowledgement every client event may pass: the same result the events carry. */
export type Ack<T = undefined> = { ok: true; data: T } | { ok: false; error: ErrorPayload };
export type AckFn<T = undefined> = (result: Ack<T>) => void;

/** At most HISTORY_PAGE_SIZE messages and HISTORY_PAGE_MAX_BYTES, but never empty while older ones exist. */
export interface HistoryPage {
  roomId: string;
  /** Oldest first. */
  messages: Message[];
  /** Older messages exist before the first one here. */
  hasMore: boolean;
}

// ---- The client event table ---------------------------------------------------------------

declare const replyData: unique symbol;
/** An event the server acknowledges with data of type T; T lives in the type only. */
export interface Acked<T> {
  readonly [replyData]?: T;
}
/** Marks an acknowledged event in the table below. */
const acked = <T = undefined>(): Acked<T> => ({});

/**
 * Every client-to-server event: the schema its payload is parsed with, and the acknowledgement
 * it gets (`null`: none expected, though the server answers one if a client passes it). The
 * Socket.IO map and the list of acknowledged events derive from it, so a new event is one line here.
 */
export const CLIENT_EVENTS = {
  /** Answers the history once, as the `room:history` event; the acknowledgement carries no data. */
  'room:join': { payload: roomRefSchema, reply: acked() },
  'room:leave': { payload: roomRefSchema, reply: acked() },
  'room:history-older': { payload: historyOlderSchema, reply: acked<HistoryPage>() },
  'message:send': { payload: messageSendSchema, reply: acked<NewMessage>() },
  'message:delete': { payload: messageRefSchema, reply: acked() },
  'reaction:add': { payload: reactionSchema, reply: acked<Reaction[]>() },
  'reaction:remove': { payload: reactionSchema, reply: acked<Reaction[]>() },
  'typing:start': { payload: typingSchema, reply: null },
  'typing:stop': { payload: typingSchema, reply: null },
  /** The room list: every room of mine with its last message and my unread count. */
  'rooms:activity': { payload: z.strictObject({}), reply: acked<RoomActivity[]>() },
  /** I have read the room up to its newest message (on every device of mine). */
  'room:read': { payload: roomRefSchema, reply: acked() }
} as const;

type ClientEventTable = typeof CLIENT_EVENTS;
export type ClientEvent = keyof ClientEventTable;
/** What a client sends with the event. */
export type PayloadOf<E extends ClientEvent> = z.input<ClientEventTable[E]['payload']>;
/** What the server's handler receives once the payload is parsed. */
export type ParsedPayloadOf<E extends ClientEvent> = z.output<ClientEventTable[E]['payload']>;
export type AckedEvent = { [E in ClientEvent]: ClientEventTable[E]['reply'] extends null ? never : E }[ClientEvent];
/** The data of an acknowledged event's successful acknowledgement. */
export type ReplyOf<E extends AckedEvent> = ClientEventTable[E]['reply'] extends Acked<infer T> ? T : never;

export type ClientToServerEvents = {
  [E in ClientEvent]: E extends AckedEvent ? (payload: PayloadOf<E>, ack?: AckFn<ReplyOf<E>>) => void : (payload: PayloadOf<E>) => void;
};

export function isClientEvent(event: string): event is ClientEvent {
  return Object.hasOwn(CLIENT_EVENTS, event);
}

/** Whether a name (from the wire, say an error's `event`) is an event the server acknowledges. */
export function isAckedEvent(event: string): event is AckedEvent {
  return isClientEvent(event) && CLIENT_EVENTS[event].reply !== null;
}

/** Every client event, in table order. */
export const CLIENT_EVENT_NAMES: readonly ClientEvent[] = Object.keys(CLIENT_EVENTS).filter(isClientEvent);
/** The acknowledged events, in table order. */
export const ACKED_EVENTS: readonly AckedEvent[] = CLIENT_EVENT_NAMES.filter(isAckedEvent);

export interface ServerToClientEvents {
  /** The newest page, to the socket that joined, before its room:join acknowledgement. */
  'room:history': (payload: HistoryPage) => void;
  /** To the socket that joined, and to the room when its membership changes. */
  'room:members': (payload: { roomId: string; members: Member[] }) => void;
  /** To everyone in the room, the sender's tabs included (possibly after the sender's acknowledgement). */
  'message:new': (payload: NewMessage) => void;
  'message:deleted': (payload: { roomId: string; messageId: string }) => void;
  /** The message's reactions after a change; `version` is the message's new `reactionsVersion`. */
  'reaction:updated': (payload: { roomId: string; messageId: string; reactions: Reaction[]; version: number }) => void;
  /** A member's first connection to the room opened, or their last one closed: dots only, no notice. */
  'room:presence': (payload: { roomId: string; userId: number; online: boolean }) => void;
  /** Membership changed: someone joined the room, left it, or was removed by the owner. */
  'room:member-joined': (payload: { roomId: string; userId: number; username: string }) => void;
  'room:member-left': (payload: { roomId: string; userId: number; username: string; reason: 'left' | 'removed' }) => void;
  /** To every member's sockets: the room's last message changed. */
  'room:activity': (payload: ActivityUpdate) => void;
  /** To all my sockets: I read the room up to `seq`. */
  'room:read': (payload: { roomId: string; seq: number }) => void;
  /** To all my sockets: my rooms changed (joined one elsewhere); the list reloads. */
  'rooms:changed': () => void;
  /**
   * Everyone typing (kind "text", or no kind) or drawing in the room now, the receiver included:
   * sent when that list changes. The two lists are separate, each with its own version; each update
   * replaces one of them.
   */
  'typing:update': (payload: { roomId: string; kind?: TypingKind } & TypingSnapshot) => void;
  /** To every room the user is in, and their own tabs: their profile picture changed. */
  'profile:updated': (payload: { userId: number; avatar: string | null }) => void;
  /** To all my sockets: my settings were saved (in this browser or another). */
  'settings:updated': (payload: Settings) => void;
  /** Added: this socket no longer belongs to the room (left elsewhere, removed by the owner, or the room was deleted). */
  'room:closed': (payload: { roomId: string; reason: 'deleted' | 'left' | 'removed' }) => void;
  /** Added, to all my sockets: my friends, requests or blocks changed; `unseen` is the new badge count. */
  'friends:changed': (payload: { reason: FriendsChange; unseen: number }) => void;
  /** Added, to all my sockets: a friend's first socket opened or their last one closed. */
  'friend:presence': (payload: { userId: number; online: boolean }) => void;
  error: (payload: ErrorPayload) => void;
}
