import type { PublicUser } from '../../src/lib/protocol/index.ts';
import type { AuthService } from '../auth/service.ts';
import { AppError } from '../infra/errors.ts';
import type { ServerEvents } from '../infra/events.ts';
import type { MessageService } from '../messages/service.ts';
import type { ProfileService } from '../profiles/service.ts';
import type { RoomService } from '../rooms/service.ts';
import type { UploadService } from '../uploads/service.ts';

// Deleting an account (docs/architecture.md#deleting-an-account): the password confirms it, one
// transaction removes the account with its memberships and hands its rooms on, and then what lives
// outside the database goes: sockets, messages in every room, files.

export interface AccountDeletionDeps {
  auth: Pick<AuthService, 'confirmPassword'>;
  rooms: Pick<RoomService, 'removeAccount'>;
  messages: Pick<MessageService, 'removeAllBy'>;
  uploads: Pick<UploadService, 'removeFiles'>;
  profiles: Pick<ProfileService, 'removeAvatar'>;
  events: ServerEvents;
}

/**
 * A message whose send passed its membership check just before the account went may be stored a
 * moment later: the messages are looked for once more after this long.
 */
const SECOND_PASS_MS = 5000;

export function createAccountDeletion({ auth, rooms, messages, uploads, profiles, events }: AccountDeletionDeps) {
  const timers = new Set<NodeJS.Timeout>();
  const log = (err: unknown) => console.error('[account] removing a deleted account’s messages:', err);

  /** Deletes the user's live messages everywhere; each room and room list hears it. */
  async function removeMessages(userId: number): Promise<void> {
    for (const { messageId, update } of await messages.removeAllBy(userId)) events.emit('message:deleted', { messageId, update });
  }

  return {
    async deleteAccount(ip: string | undefined, user: PublicUser, password: string): Promise<void> {
      await auth.confirmPassword(ip, user, password);
      // The picture's file lives outside the database: it goes first, while the row still names it.
      await profiles.removeAvatar(user.id);
      const removal = await rooms.removeAccount(user);
      if (!removal) throw new AppError('NOT_FOUND', 'This account no longer exists');
      // Every session is over: the row is gone, and open sockets close on every process.
      events.emit('user:signed-out', user.id);
      await removeMessages(user.id);
      await uploads.removeFiles(removal.uploads);
      const timer = setTimeout(() => {
        timers.delete(timer);
        removeMessages(user.id).catch(log);
      }, SECOND_PASS_MS);
      timer.unref();
      timers.add(timer);
    },

    stop(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    }
  };
}

export type AccountDeletion = ReturnType<typeof createAccountDeletion>;
