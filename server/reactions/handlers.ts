import type { Reaction, ReactionRequest } from '../../src/lib/protocol/index.ts';
import { roomChannel, type AppSocket, type IoServer, type MemberGate } from '../infra/socket.ts';
import type { ReactionService } from './service.ts';

// reaction:add and reaction:remove, answered with the message's reactions; the room hears only
// real changes (docs/architecture.md#deleting-and-reacting).

export function createReactionHandlers({ io, reactions, requireMember }: { io: IoServer; reactions: ReactionService; requireMember: MemberGate }) {
  async function react(socket: AppSocket, request: ReactionRequest, add: boolean): Promise<Reaction[]> {
    await requireMember(socket, request.roomId);
    const { changed, reactions: now, version } = await reactions.react(socket.data.user.id, request, add);
    if (changed) io.to(roomChannel(request.roomId)).emit('reaction:updated', { roomId: request.roomId, messageId: request.messageId, reactions: now, version });
    return now;
  }

  return {
    add: (socket: AppSocket, request: ReactionRequest) => react(socket, request, true),
    remove: (socket: AppSocket, request: ReactionRequest) => react(socket, request, false)
  };
}

export type ReactionHandlers = ReturnType<typeof createReactionHandlers>;
