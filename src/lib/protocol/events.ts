import { z } from 'zod';
import { drawingSchema, type Drawing } from './drawing';
import type { ErrorPayload } from './errors';
import { normalizeText, textProblem } from './text';

// The Socket.IO contract: both event maps, payloads and the schemas that check what clients send.

export const EMOJI = ['heart', 'laugh', 'fire', 'sad', 'thumbsup', 'thumbsdown', 'star', 'question'] as const;
export type Emoji = (typeof EMOJI)[number];

/** How each emoji id looks on screen. */
export const EMOJI_GLYPHS: Record<Emoji, string> = {
  heart: '❤️',
  laugh: '😂',
  fire: '🔥',
  sad: '😢',
  thumbsup: '👍',
  thumbsdown: '👎',
  star: '⭐',
  question: '❓'
};

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
  /** Milliseconds since the epoch, set by the server. */
  timestamp: number;
}
export type DrawingMessage = MessageBase & { type: 'drawing'; content: Drawing };
export type TextMessage = MessageBase & { type: 'text'; content: string };
export type ImageMessage = MessageBase & { type: 'image'; content: string };
export type Message = DrawingMessage | TextMessage | ImageMessage;

export interface Member {
  userId: number;
  username: string;
  online: boolean;
}

// ---- Client -> server payloads -------------------------------------------------------------

export const roomRefSchema = z.strictObject({ roomId: roomIdSchema });

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

export interface ClientToServerEvents {
  /** Answers the history once, as the `room:history` event; the acknowledgement carries no data. */
  'room:join': (payload: RoomRef, ack?: AckFn) => void;
  'room:leave': (payload: RoomRef, ack?: AckFn) => void;
  'room:history-older': (payload: HistoryOlderRequest, ack?: AckFn<HistoryPage>) => void;
  'message:send': (payload: MessageSend, ack?: AckFn<Message>) => void;
  'message:delete': (payload: MessageRef, ack?: AckFn) => void;
  'reaction:add': (payload: ReactionRequest, ack?: AckFn<Reaction[]>) => void;
  'reaction:remove': (payload: ReactionRequest, ack?: AckFn<Reaction[]>) => void;
  'typing:start': (payload: RoomRef) => void;
  'typing:stop': (payload: RoomRef) => void;
}

export interface ServerToClientEvents {
  /** The newest page, to the socket that joined, before its room:join acknowledgement. */
  'room:history': (payload: HistoryPage) => void;
  /** To the socket that joined, and to the room when its membership changes. */
  'room:members': (payload: { roomId: string; members: Member[] }) => void;
  /** To everyone in the room, the sender's tabs included (possibly after the sender's acknowledgement). */
  'message:new': (payload: Message) => void;
  'message:deleted': (payload: { roomId: string; messageId: string }) => void;
  'reaction:updated': (payload: { roomId: string; messageId: string; reactions: Reaction[] }) => void;
  'room:user-joined': (payload: { roomId: string; userId: number; username: string }) => void;
  'room:user-left': (payload: { roomId: string; userId: number; username: string }) => void;
  /** Everyone typing in the room now (the receiver included, when typing): sent when the list changes. */
  'typing:update': (payload: { roomId: string; users: { userId: number; username: string }[] }) => void;
  /** Added: this socket no longer belongs to the room (left elsewhere, or the room was deleted). */
  'room:closed': (payload: { roomId: string; reason: 'deleted' | 'left' }) => void;
  error: (payload: ErrorPayload) => void;
}
