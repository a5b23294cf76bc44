import type { ServerEventMap, ServerEvents } from '../infra/events.ts';
import { roomChannel, userChannel, type IoServer } from '../infra/socket.ts';

// Profile changes reach live sockets (docs/architecture.md#profiles): a new or removed picture
// every room its owner is in (their member lists and the pictures beside their messages) and the
// owner's own tabs; saved settings the user's own tabs and browsers.

type Event<K extends keyof ServerEventMap> = ServerEventMap[K][0];

export function followProfiles(deps: { io: IoServer; events: ServerEvents; roomIdsOf: (userId: number) => Promise<string[]> }): { stop(): void } {
  const { io, events, roomIdsOf } = deps;
  const avatarChanged = ({ userId, avatar }: Event<'profile:avatar-changed'>) => {
    roomIdsOf(userId)
      .then((roomIds) => {
        // One emit to every channel at once: a socket in several of them hears it once.
        io.to([userChannel(userId), ...roomIds.map(roomChannel)]).emit('profile:updated', { userId, avatar });
      })
      .catch((err: unknown) => console.error('[socket] announcing a new picture:', err));
  };
  const settingsSaved = ({ userId, settings }: Event<'profile:settings-saved'>) => {
    io.to(userChannel(userId)).emit('settings:updated', settings);
  };
  events.on('profile:avatar-changed', avatarChanged);
  events.on('profile:settings-saved', settingsSaved);
  return {
    stop() {
      events.off('profile:avatar-changed', avatarChanged);
      events.off('profile:settings-saved', settingsSaved);
    }
  };
}
