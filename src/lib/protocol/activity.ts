import { packOperation, serializedBytes, unpackDrawing, type Drawing, type Operation, type PackedOperation } from './drawing';
import type { Message, MessageType } from './events';
import { PREVIEW_TEXT_CHARS, THUMBNAIL_MAX_BYTES } from './limits';

// What the room list shows of a room's activity (docs/architecture.md#room-activity): the last
// message as a short preview, and how many messages I have not read yet.

/** The last message of a room, small enough to send to every member for every message. */
export interface MessagePreview {
  id: string;
  /** Position of the message since the room began; read markers compare with it. */
  seq: number;
  userId: number;
  username: string;
  timestamp: number;
  type: MessageType;
  /** Text: its start. */
  text?: string;
  /** Drawing: a lighter copy for a thumbnail, absent when even that would be too large. */
  thumbnail?: Drawing;
}

/** One room as the room list sees it. */
export interface RoomActivity {
  roomId: string;
  last: MessagePreview | null;
  /** Messages of others after my read marker, at most UNREAD_MAX. */
  unread: number;
  /** The seq I have read up to (-1: nothing yet). */
  readSeq: number;
}

/** `room:activity`: a room's last message changed (a new one, or the last one was deleted). */
export interface ActivityUpdate {
  roomId: string;
  /** The room's last message now (null: none left); absent when it did not change. */
  last?: MessagePreview | null;
  /** Set when a message was deleted: who wrote it and where, so unread counts can drop it. */
  deleted?: { seq: number; userId: number };
}

/** About what one thinned point takes packed: two or three bytes of varint steps, as base64. */
const THINNED_POINT_BYTES = 4;

/** Every `stride`-th point of a stroke (always the first and last), on whole pixels, packed again. */
function thinOperation(op: Operation, stride: number): PackedOperation {
  if (op.type !== 'stroke') return packOperation(op);
  const last = op.points.length - 1;
  const points = op.points
    .filter((_, i) => i % stride === 0 || i === last)
    .map((p) => ({ x: Math.round(p.x), y: Math.round(p.y), pressure: Math.round(p.pressure * 10) / 10 }));
  return packOperation({ ...op, points });
}

/** A drawing thinned until it fits THUMBNAIL_MAX_BYTES, or undefined when it never does. */
export function thumbnailOf(drawing: Drawing): Drawing | undefined {
  // Nothing before the last clear shows.
  let start = 0;
  drawing.operations.forEach((op, i) => op.type === 'clear' && (start = i + 1));
  const kept = drawing.operations.slice(start);
  // Only strokes thin: when the rest (text, shapes, stamps) is too large already, nothing will fit.
  if (serializedBytes({ ...drawing, operations: kept.filter((op) => op.type !== 'stroke') }) > THUMBNAIL_MAX_BYTES) return undefined;
  const visible = unpackDrawing({ ...drawing, operations: kept }).operations;
  // Start near the stride that fits, so a large drawing costs one or two tries, not a dozen.
  let points = 0;
  for (const op of visible) if (op.type === 'stroke') points += op.points.length;
  let stride = 1;
  while ((points * THINNED_POINT_BYTES) / stride > THUMBNAIL_MAX_BYTES * 0.75) stride *= 2;
  for (; stride <= 1024; stride *= 2) {
    const thumbnail: Drawing = { ...drawing, operations: visible.map((op) => thinOperation(op, stride)) };
    if (serializedBytes(thumbnail) <= THUMBNAIL_MAX_BYTES) return thumbnail;
  }
  return undefined;
}

/** The preview of a stored message at its position. */
export function previewOf(message: Message, seq: number): MessagePreview {
  const base = { id: message.id, seq, userId: message.userId, username: message.username, timestamp: message.timestamp, type: message.type };
  if (message.type === 'text') return { ...base, text: Array.from(message.content).slice(0, PREVIEW_TEXT_CHARS).join('') };
  if (message.type === 'drawing') {
    const thumbnail = thumbnailOf(message.content);
    return thumbnail ? { ...base, thumbnail } : base;
  }
  return base;
}
