import type { Reaction, ReactionRequest } from '../../src/lib/protocol/index.ts';
import { rateLimited } from '../infra/errors.ts';
import { REACTIONS_PER_SECOND } from '../infra/limits.ts';
import { messageMissing } from '../messages/service.ts';
import type { ReactionStore } from './storage.ts';

// One user's emoji on one message; the caller hears whether anything changed.

export function createReactionService({ store }: { store: ReactionStore }) {
  return {
    async react(userId: number, { roomId, messageId, emoji }: ReactionRequest, add: boolean): Promise<{ changed: boolean; reactions: Reaction[]; version: number }> {
      const result = await store.update({ roomId, messageId, userId, emoji, add, perSecond: REACTIONS_PER_SECOND });
      if (result.status === 'rate-limited') throw rateLimited('Too many reactions: slow down');
      if (result.status === 'missing') throw messageMissing();
      return result;
    }
  };
}

export type ReactionService = ReturnType<typeof createReactionService>;
