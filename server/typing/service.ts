import { TYPING_EXPIRE_MS, TYPING_KINDS, type TypingKind, type TypingSnapshot } from '../../src/lib/protocol/index.ts';
import type { AuthService } from '../auth/service.ts';
import type { Typers, TypingStore } from './storage.ts';

// Typing expires TYPING_EXPIRE_MS after the last typing:start (docs/architecture.md#typing-expires).
// Answers are named users with the version of the list, as typing:update carries them; null means
// nothing changed.

const cutoff = () => Date.now() - TYPING_EXPIRE_MS;

export function createTypingService({ store, users }: { store: TypingStore; users: Pick<AuthService, 'named'> }) {
  const snapshot = async ({ userIds, version }: Typers): Promise<TypingSnapshot> => ({ users: await users.named(userIds), version });
  const changed = (typers: Typers | null) => (typers ? snapshot(typers) : null);

  return {
    async start(roomId: string, userId: number, kind: TypingKind = 'text'): Promise<TypingSnapshot | null> {
      const now = Date.now();
      return changed(await store.start(roomId, userId, now, now - TYPING_EXPIRE_MS, kind));
    },

    async stop(roomId: string, userId: number, kind: TypingKind = 'text'): Promise<TypingSnapshot | null> {
      return changed(await store.stop(roomId, userId, cutoff(), kind));
    },

    /** Everyone typing (or drawing) in the room now. */
    async current(roomId: string, kind: TypingKind = 'text'): Promise<TypingSnapshot> {
      return snapshot(await store.current(roomId, cutoff(), kind));
    },

    /** Drops expired entries in these rooms; answers each room and kind where that changed who types. */
    async sweep(roomIds: string[]): Promise<{ roomId: string; kind: TypingKind; snapshot: TypingSnapshot }[]> {
      const swept: { roomId: string; kind: TypingKind; snapshot: TypingSnapshot }[] = [];
      for (const kind of TYPING_KINDS) {
        for (const [roomId, typers] of await store.sweep(roomIds, cutoff(), kind)) swept.push({ roomId, kind, snapshot: await snapshot(typers) });
      }
      return swept;
    }
  };
}

export type TypingService = ReturnType<typeof createTypingService>;
