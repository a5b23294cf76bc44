import type { Message, MessageRef, ParsedPayloadOf } from '../../src/lib/protocol/index.ts';
import type { SocketLimits } from '../infra/limits.ts';
import { roomChannel, type AppSocket, type IoServer, type MemberGate } from '../infra/socket.ts';
import type { MessageService } from './service.ts';

// message:send and message:delete (docs/architecture.md#message-path).

export interface MessageHandlerDeps {
  io: IoServer;
  messages: MessageService;
  limits: SocketLimits;
  requireMember: MemberGate;
}

export function createMessageHandlers({ io, messages, limits, requireMember }: MessageHandlerDeps) {
  return {
    async send(socket: AppSocket, input: ParsedPayloadOf<'message:send'>): Promise<Message> {
      await requireMember(socket, input.roomId);
      const { message, typing } = await messages.send(socket.data.user, input);
      const room = io.to(roomChannel(message.roomId));
      room.emit('message:new', message);
      if (typing) room.emit('typing:update', { roomId: message.roomId, ...typing });
      return message;
    },

    async remove(socket: AppSocket, { roomId, messageId }: MessageRef): Promise<undefined> {
      await requireMember(socket, roomId);
      await limits.remove(socket.data.user.id);
      await messages.remove(socket.data.user.id, roomId, messageId);
      io.to(roomChannel(roomId)).emit('message:deleted', { roomId, messageId });
      return undefined;
    }
  };
}

export type MessageHandlers = ReturnType<typeof createMessageHandlers>;
