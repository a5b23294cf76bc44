import { TYPING_EXPIRE_MS, TYPING_KINDS, type TypingKind } from '../../src/lib/protocol/index.ts';
import type { AuthService, NamedUser } from '../auth/service.ts';
import type { TypingStore } from './storage.ts';

// Typing expires TYPING_EXPIRE_MS after the last typing:start (docs/architecture.md#typing-expires).
// Answers are named users, as typing:update carries them; null means nothing changed.

const cutoff = () => Date.now() - TYPING_EXPIRE_MS;

export function createTypingService({ store, users }: { store: TypingStore; users: Pick<AuthService, 'named'> }) {
  const named = (userIds: number[] | null) => userIds && users.named(userIds);

  return {
    async start(roomId: string, userId: number, kind: TypingKind = 'text'): Promise<NamedUser[] | null> {
      const now = Date.now();
      return named(await store.start(roomId, userId, now, now - TYPING_EXPIRE_MS, kind));
    },

    async stop(roomId: string, userId: number, kind: TypingKind = 'text'): Promise<NamedUser[] | null> {
      return named(await store.stop(roomId, userId, cutoff(), kind));
    },

    /** Everyone typing (or drawing) in the room now. */
    async current(roomId: string, kind: TypingKind = 'text'): Promise<NamedUser[]> {
      return users.named(await store.current(roomId, cutoff(), kind));
    },

    /** Drops expired entries in these rooms; answers each room and kind where that changed who types. */
    async sweep(roomIds: string[]): Promise<{ roomId: string; kind: TypingKind; users: NamedUser[] }[]> {
      const changed: { roomId: string; kind: TypingKind; users: NamedUser[] }[] = [];
      for (const kind of TYPING_KINDS) {
        for (const [roomId, userIds] of await store.sweep(roomIds, cutoff(), kind)) changed.push({ roomId, kind, users: users.named(userIds) });
      }
      return changed;
    }
  };
}

export type TypingService = ReturnType<typeof createTypingService>;
