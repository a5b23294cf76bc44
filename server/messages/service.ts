import { nanoid } from 'nanoid';
import type { z } from 'zod';
import {
  TYPING_EXPIRE_MS,
  type ActivityUpdate,
  type HistoryPage,
  type Message,
  type MessagePreview,
  type messageSendSchema,
  type PublicUser,
  type TypingSnapshot
} from '../../src/lib/protocol/index.ts';
import type { AuthService } from '../auth/service.ts';
import { AppError, rateLimited } from '../infra/errors.ts';
import { SEND_LIMIT_MESSAGE, WorkGate } from '../infra/limits.ts';
import type { UploadService } from '../uploads/service.ts';
import type { DeleteResult, MessageStore, PageRead } from './storage.ts';

// Sending, deleting and reading messages (docs/architecture.md#message-path).

export interface MessageServiceDeps {
  store: MessageStore;
  uploads: UploadService;
  /** Names the users still typing after a send. */
  users: Pick<AuthService, 'named'>;
}

/** A message:send payload as its schema leaves it. */
export type MessageInput = z.output<typeof messageSendSchema>;

export interface Sent {
  message: Message;
  /** The room list's new last message. */
  preview: MessagePreview;
  /** Who is still typing, when the author had been typing (the room is told). */
  typing: TypingSnapshot | null;
}

export const messageMissing = () => new AppError('NOT_FOUND', 'That message does not exist (it may have expired or been deleted)');

/**
 * A deleted room's keys are removed again after this long: an event that passed its membership
 * check just before the deletion may still write to the room meanwhile.
 */
const SECOND_CLEANUP_MS = 5000;

/**
 * History pages read and sent at once by this process, and how many more may wait. A page of
 * large drawings is about a megabyte to decode and encode again; one at a time keeps chat
 * latency flat while people (or attackers) pull history.
 */
const PAGES_AT_ONCE = 1;
const PAGES_WAITING = 64;
/**
 * The pace of large history pages for the whole process: after a page of N bytes the next one
 * waits (N - PACE_FREE_BYTES) / HISTORY_BYTES_PER_SECOND, so pages of large drawings are spread
 * out rather than written in a burst, while pages of texts and doodles (a room being opened, many
 * rooms re-joined after a restart) follow each other at once. Each user's own share is
 * HISTORY_BYTES_PER_USER (server/infra/limits.ts).
 */
const HISTORY_BYTES_PER_SECOND = 2 * 1024 * 1024;
const PACE_FREE_BYTES = 64 * 1024;

/** What the room list learns of a deleted message: its author and place, and the new last message. */
function activityOf(roomId: string, result: Extract<DeleteResult, { status: 'deleted' }>): ActivityUpdate {
  const deleted = { seq: result.seq, userId: result.message.userId };
  return result.newLast === undefined ? { roomId, deleted } : { roomId, last: result.newLast, deleted };
}

export function createMessageService({ store, uploads, users }: MessageServiceDeps) {
  const cleanups = new Set<NodeJS.Timeout>();
  const pages = new WorkGate(PAGES_AT_ONCE, PAGES_WAITING, 'The server is busy sending history: try again in a moment');
  const logCleanup = (err: unknown) => console.error('[messages] deleting a room from Redis:', err);

  return {
    /**
     * One path for every type: an image first claims its upload; then one script takes the
     * author's one-message-a-second limit and stores the message. A claim whose message was not
     * stored is given back.
     */
    async send(author: PublicUser, { roomId, ...body }: MessageInput): Promise<Sent> {
      const message: Message = { reactions: [], reactionsVersion: 0, roomId, userId: author.id, id: nanoid(), username: author.username, ...body, timestamp: Date.now() };
      const claim = message.type === 'image' ? await uploads.claim(message) : null;
      let result;
      try {
        result = await store.store(message, { limitSends: true, typingCutoff: Date.now() - TYPING_EXPIRE_MS });
      } catch (err) {
        await claim?.release();
        throw err;
      }
      if (!result.stored) {
        await claim?.release();
        throw rateLimited(SEND_LIMIT_MESSAGE);
      }
      const typing = result.typing && { users: await users.named(result.typing.userIds), version: result.typing.version };
      return { message, preview: result.preview, typing };
    },

    /**
     * Deletes a message of the room (the user's own, or any when `asOwner`: the room's owner), and
     * the image it claimed. Answers what the room list learns: who wrote it, and the new last
     * message when it was the last.
     */
    async remove(userId: number, roomId: string, messageId: string, asOwner = false): Promise<ActivityUpdate> {
      const result = await store.remove(roomId, messageId, userId, asOwner);
      if (result.status === 'missing') throw messageMissing();
      if (result.status === 'forbidden') throw new AppError('UNAUTHORIZED', 'You can only delete your own messages');
      await uploads.removeForMessage(result.message);
      return activityOf(roomId, result);
    },

    /**
     * Deletes every live message of a deleted account, in every room, with their images; answers
     * each with what its room and room lists learn (docs/architecture.md#deleting-an-account).
     */
    async removeAllBy(userId: number): Promise<{ messageId: string; update: ActivityUpdate }[]> {
      const removed = await store.removeAllBy(userId);
      for (const { result } of removed) await uploads.removeForMessage(result.message);
      return removed.map(({ roomId, messageId, result }) => ({ messageId, update: activityOf(roomId, result) }));
    },

    /**
     * The newest page, or the one before `beforeId` (NOT_FOUND when that is not a message of the
     * room), with its size in bytes.
     */
    async page(roomId: string, beforeId?: string): Promise<PageRead> {
      const read = await pages.run(
        () => store.page(roomId, beforeId),
        (done) => (Math.max(0, (done?.bytes ?? 0) - PACE_FREE_BYTES) / HISTORY_BYTES_PER_SECOND) * 1000
      );
      if (read) return read;
      if (beforeId === undefined) return { page: { roomId, messages: [], hasMore: false }, bytes: 0 };
      throw new AppError('NOT_FOUND', 'That message is not in this room');
    },

    /** Removes a deleted room's messages and keys now, and once more a little later. */
    forgetRoom(roomId: string): void {
      const cleanup = () => store.removeRoom(roomId, nanoid()).catch(logCleanup);
      void cleanup();
      const timer = setTimeout(() => {
        cleanups.delete(timer);
        void cleanup();
      }, SECOND_CLEANUP_MS);
      timer.unref();
      cleanups.add(timer);
    },

    stop(): void {
      for (const timer of cleanups) clearTimeout(timer);
      cleanups.clear();
    }
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
