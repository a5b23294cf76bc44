import { TYPING_EXPIRE_MS } from '../../src/lib/protocol/index.ts';
import type { AuthService, NamedUser } from '../auth/service.ts';
import type { TypingStore } from './storage.ts';

// Typing expires TYPING_EXPIRE_MS after the last typing:start (docs/architecture.md#typing-expires).
// Answers are named users, as typing:update carries them; null means nothing changed.

const cutoff = () => Date.now() - TYPING_EXPIRE_MS;

export function createTypingService({ store, users }: { store: TypingStore; users: Pick<AuthService, 'named'> }) {
  const named = (userIds: number[] | null) => userIds && users.named(userIds);

  return {
    async start(roomId: string, userId: number): Promise<NamedUser[] | null> {
      const now = Date.now();
      return named(await store.start(roomId, userId, now, now - TYPING_EXPIRE_MS));
    },

    async stop(roomId: string, userId: number): Promise<NamedUser[] | null> {
      return named(await store.stop(roomId, userId, cutoff()));
    },

    /** Everyone typing in the room now. */
    async current(roomId: string): Promise<NamedUser[]> {
      return users.named(await store.current(roomId, cutoff()));
    },

    /** Drops expired entries in these rooms; answers the rooms where that changed who types. */
    async sweep(roomIds: string[]): Promise<Map<string, NamedUser[]>> {
      const changed = new Map<string, NamedUser[]>();
      for (const [roomId, userIds] of await store.sweep(roomIds, cutoff())) changed.set(roomId, users.named(userIds));
      return changed;
    }
  };
}

export type TypingService = ReturnType<typeof createTypingService>;
