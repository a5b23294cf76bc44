import { access } from 'node:fs/promises';
import { nanoid } from 'nanoid';
import { TYPING_EXPIRE_MS, type Message, type MessageRef, type ParsedPayloadOf, type PublicUser } from '../../src/lib/protocol/index.ts';
import { deleteMessage, storeMessage } from '../redis/messages.ts';
import { filenameFromImageUrl, removeUpload, uploadPath } from '../uploads/files.ts';
import { namedUsers, roomChannel, type AppSocket, type Realtime } from './context.ts';
import { rateLimited, SocketError } from './errors.ts';
import { checkRateLimit, SEND_LIMIT_MESSAGE } from './rateLimiter.ts';

// message:send and message:delete.

const imageRefused = () => new SocketError('VALIDATION_ERROR', 'Send an image you uploaded yourself; each upload can be sent once');

/** An image message may only carry the sender's own upload, unused so far, still on disk. */
async function storeImage(rt: Realtime, user: PublicUser, message: Message & { type: 'image' }): Promise<number[] | null> {
  const { queries, redis, config } = rt.app;
  const filename = filenameFromImageUrl(message.content);
  const upload = filename ? queries.findUpload.get(filename) : undefined;
  if (!filename || !upload || upload.user_id !== user.id || upload.message_id !== null) throw imageRefused();
  try {
    await access(uploadPath(config.uploadsDir, filename));
  } catch {
    throw imageRefused();
  }
  // Checked before the send limit so a refused image does not cost the user their second;
  // the claim below settles a race between two sends of one upload.
  if (!(await checkRateLimit(redis, user.id))) throw rateLimited(SEND_LIMIT_MESSAGE);
  if (queries.claimUpload.run(message.roomId, message.id, filename, user.id).changes !== 1) throw imageRefused();
  try {
    const result = await storeMessage(redis, message, { limitSends: false, typingCutoff: Date.now() - TYPING_EXPIRE_MS });
    return result.stored ? result.typing : null;
  } catch (err) {
    queries.releaseUpload.run(filename, message.id);
    throw err;
  }
}

/** Deletes exactly the file an image message claimed, and its record. */
async function removeImage(rt: Realtime, message: Message): Promise<void> {
  const { queries, config } = rt.app;
  const filename = message.type === 'image' ? filenameFromImageUrl(message.content) : null;
  if (!filename || queries.findUpload.get(filename)?.message_id !== message.id) return;
  queries.deleteUpload.run(filename);
  await removeUpload(config.uploadsDir, filename).catch((err: unknown) => console.error('[socket] could not remove an image:', err));
}

// Per socket only the event handlers themselves are made; helpers live above (see handlers.ts).
export function createMessageHandlers(socket: AppSocket, rt: Realtime) {
  const { user } = socket.data;
  const { redis } = rt.app;

  return {
    async send({ roomId, ...body }: ParsedPayloadOf<'message:send'>): Promise<Message> {
      rt.requireMember(socket, roomId);
      const message: Message = { reactions: [], roomId, userId: user.id, id: nanoid(), username: user.username, ...body, timestamp: Date.now() };
      let typing: number[] | null;
      if (message.type === 'image') {
        typing = await storeImage(rt, user, message);
      } else {
        const result = await storeMessage(redis, message, { limitSends: true, typingCutoff: Date.now() - TYPING_EXPIRE_MS });
        if (!result.stored) throw rateLimited(SEND_LIMIT_MESSAGE);
        typing = result.typing;
      }
      const channel = roomChannel(roomId);
      rt.io.to(channel).emit('message:new', message);
      if (typing) rt.io.to(channel).emit('typing:update', { roomId, users: namedUsers(rt, typing) });
      return message;
    },

    async remove({ roomId, messageId }: MessageRef): Promise<undefined> {
      rt.requireMember(socket, roomId);
      await rt.limits.remove(user.id);
      const result = await deleteMessage(redis, roomId, messageId, user.id);
      if (result.status === 'missing') throw new SocketError('NOT_FOUND', 'That message does not exist (it may have expired or been deleted)');
      if (result.status === 'forbidden') throw new SocketError('UNAUTHORIZED', 'You can only delete your own messages');
      await removeImage(rt, result.message);
      rt.io.to(roomChannel(roomId)).emit('message:deleted', { roomId, messageId });
      return undefined;
    }
  };
}
