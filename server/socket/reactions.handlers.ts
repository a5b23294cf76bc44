import { reactionSchema, type Reaction } from '../../src/lib/protocol/index.ts';
import { updateReaction } from '../redis/messages.ts';
import { roomChannel, type AppSocket, type Realtime } from './context.ts';
import { parsePayload, rateLimited, SocketError } from './errors.ts';
import { REACTIONS_PER_SECOND } from './rateLimiter.ts';

// reaction:add and reaction:remove: one user's emoji on one message, answered with the message's
// reactions; the room hears only real changes.

export function createReactionHandlers(socket: AppSocket, rt: Realtime) {
  const { user } = socket.data;

  async function react(payload: unknown, add: boolean): Promise<Reaction[]> {
    const { roomId, messageId, emoji } = parsePayload(reactionSchema, payload);
    rt.requireMember(socket, roomId);
    const result = await updateReaction(rt.app.redis, { roomId, messageId, userId: user.id, emoji, add, perSecond: REACTIONS_PER_SECOND });
    if (result.status === 'rate-limited') throw rateLimited('Too many reactions: slow down');
    if (result.status === 'missing') throw new SocketError('NOT_FOUND', 'That message does not exist (it may have expired or been deleted)');
    if (result.changed) rt.io.to(roomChannel(roomId)).emit('reaction:updated', { roomId, messageId, reactions: result.reactions });
    return result.reactions;
  }

  return {
    add: (payload: unknown) => react(payload, true),
    remove: (payload: unknown) => react(payload, false)
  };
}
