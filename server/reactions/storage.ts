import type { Emoji, Reaction } from '../../src/lib/protocol/index.ts';
import { messageKey, reactionRateKey } from '../infra/keys.ts';
import { asArray, loadLua, LUA_HELPERS } from '../infra/lua.ts';
import type { Redis } from '../infra/redis.ts';

// Reactions live inside the stored message, first in its JSON (see messages/storage.ts), so the
// script rewrites them without decoding the rest (docs/architecture.md#reactions-are-atomic).

const reactionScript = loadLua(LUA_HELPERS.roomOfMessage, new URL('./reaction-update.lua', import.meta.url));

export interface ReactionChange {
  roomId: string;
  messageId: string;
  userId: number;
  emoji: Emoji;
  add: boolean;
  /** The user's reactions allowed per second, counted in the same step. */
  perSecond: number;
}

export type ReactionResult =
  | { status: 'rate-limited' }
  | { status: 'missing' }
  /** `version`: the message's reactionsVersion after the change (docs/architecture.md#snapshots-carry-versions). */
  | { status: 'ok'; changed: boolean; reactions: Reaction[]; version: number };

export function createReactionStore(redis: Redis) {
  return {
    /**
     * Adds or removes one user's emoji on a message of the room, atomically (sixteen people
     * reacting at once all count) and keeping the message's remaining TTL. Also spends one of the
     * user's reactions for this second. A change bumps the message's reactionsVersion, in the
     * same step.
     */
    async update(change: ReactionChange): Promise<ReactionResult> {
      const reply = asArray(
        await reactionScript.run(
          redis,
          [messageKey(change.messageId), reactionRateKey(change.userId)],
          [change.roomId, change.userId, change.emoji, change.add ? '1' : '0', change.perSecond]
        )
      );
      const status = String(reply[0]);
      if (status === 'rate') return { status: 'rate-limited' };
      if (status !== 'ok') return { status: 'missing' };
      return { status: 'ok', changed: Number(reply[1]) === 1, reactions: JSON.parse(String(reply[2])) as Reaction[], version: Number(reply[3]) };
    }
  };
}

export type ReactionStore = ReturnType<typeof createReactionStore>;
