import type { Reaction, ReactionRequest } from '../../src/lib/protocol/index.ts';
import { updateReaction } from '../redis/messages.ts';
import { roomChannel, type AppSocket, type Realtime } from './context.ts';
import { rateLimited, SocketError } from './errors.ts';
import { REACTIONS_PER_SECOND } from './rateLimiter.ts';

// reaction:add and reaction:remove: one user's emoji on one message, answered with the message's
// reactions; the room hears only real changes.

async function react(socket: AppSocket, rt: Realtime, { roomId, messageId, emoji }: ReactionRequest, add: boolean): Promise<Reaction[]> {
  rt.requireMember(socket, roomId);
  const userId = socket.data.user.id;
  const result = await updateReaction(rt.app.redis, { roomId, messageId, userId, emoji, add, perSecond: REACTIONS_PER_SECOND });
  if (result.status === 'rate-limited') throw rateLimited('Too many reactions: slow down');
  if (result.status === 'missing') throw new SocketError('NOT_FOUND', 'That message does not exist (it may have expired or been deleted)');
  if (result.changed) rt.io.to(roomChannel(roomId)).emit('reaction:updated', { roomId, messageId, reactions: result.reactions });
  return result.reactions;
}

// Methods, not arrow properties, and the helper above at module level: see handlers.ts.
export function createReactionHandlers(socket: AppSocket, rt: Realtime) {
  return {
    add(payload: ReactionRequest): Promise<Reaction[]> {
      return react(socket, rt, payload, true);
    },
    remove(payload: ReactionRequest): Promise<Reaction[]> {
      return react(socket, rt, payload, false);
    }
  };
}
