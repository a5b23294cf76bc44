import type { ActivityUpdate, MessageRef, NewMessage, ParsedPayloadOf, TypingSnapshot } from '../../src/lib/protocol/index.ts';
import type { ServerEvents } from '../infra/events.ts';
import type { SocketLimits } from '../infra/limits.ts';
import { activityChannel, roomChannel, userChannel, type AppSocket, type IoServer, type MemberGate } from '../infra/socket.ts';
import type { MessageService } from './service.ts';

// message:send and message:delete (docs/architecture.md#message-path).

export interface MessageHandlerDeps {
  io: IoServer;
  messages: MessageService;
  limits: SocketLimits;
  requireMember: MemberGate;
  /** Whether the user owns the room (the owner may delete any message in it). */
  isOwner: (roomId: string, userId: number) => Promise<boolean>;
  /**
   * Throws when the room takes no new messages from the user (a closed direct conversation);
   * otherwise answers the people who blocked the user: their sockets are not sent the message.
   */
  mayPost: (roomId: string, userId: number) => Promise<number[]>;
  /** Tells the room who still types once the author's typing ended (createTypingAnnouncer). */
  announceTyping: (roomId: string, kind: 'text', snapshot: TypingSnapshot) => Promise<void>;
}

export function createMessageHandlers({ io, messages, limits, requireMember, isOwner, mayPost, announceTyping }: MessageHandlerDeps) {
  return {
    async send(socket: AppSocket, input: ParsedPayloadOf<'message:send'>): Promise<NewMessage> {
      await requireMember(socket, input.roomId);
      const blockers = await mayPost(input.roomId, socket.data.user.id);
      const { message, preview, typing } = await messages.send(socket.data.user, input);
      const channel = roomChannel(message.roomId);
      // Whoever blocked the sender hears nothing of it, on any of their sockets.
      const room = blockers.length > 0 ? io.to(channel).except(blockers.map(userChannel)) : io.to(channel);
      // One frame per socket in the room: the message carries its position, from which the page
      // showing the room keeps its own unread count. Only sockets elsewhere (room list, other
      // rooms) are sent the preview.
      const sent: NewMessage = { ...message, seq: preview.seq };
      room.emit('message:new', sent);
      io.to(activityChannel(message.roomId))
        .except([channel, ...blockers.map(userChannel)])
        .emit('room:activity', { roomId: message.roomId, last: preview });
      if (typing) await announceTyping(message.roomId, 'text', typing);
      return sent;
    },

    async remove(socket: AppSocket, { roomId, messageId }: MessageRef): Promise<undefined> {
      await requireMember(socket, roomId);
      await limits.remove(socket.data.user.id);
      const { id } = socket.data.user;
      const update = await messages.remove(id, roomId, messageId, await isOwner(roomId, id));
      announceDeletion(io, messageId, update);
      return undefined;
    }
  };
}

export type MessageHandlers = ReturnType<typeof createMessageHandlers>;

/**
 * Messages deleted over REST (a deleted account's, docs/architecture.md#deleting-an-account) leave
 * the room's feeds and room lists live, on every process, as a member's own delete does.
 */
export function followMessageDeletions(io: IoServer, events: ServerEvents): { stop(): void } {
  return events.follow({ 'message:deleted': ({ messageId, update }) => announceDeletion(io, messageId, update) });
}

/** A deleted message leaves the room's feeds, and the room lists hear what is last now. */
function announceDeletion(io: IoServer, messageId: string, update: ActivityUpdate): void {
  io.to(roomChannel(update.roomId)).emit('message:deleted', { roomId: update.roomId, messageId });
  io.to(activityChannel(update.roomId)).emit('room:activity', update);
}
