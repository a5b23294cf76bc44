import type { ServerEvents, ServerListeners } from '../infra/events.ts';
import { roomChannel, userChannel, type IoServer } from '../infra/socket.ts';

// Profile changes reach live sockets (docs/architecture.md#profiles): a new or removed picture
// every room its owner is in (their member lists and the pictures beside their messages) and the
// owner's own tabs; saved settings the user's own tabs and browsers.

export function followProfiles(deps: { io: IoServer; events: ServerEvents; roomIdsOf: (userId: number) => Promise<string[]> }): { stop(): void } {
  const { io, events, roomIdsOf } = deps;
  const avatarChanged: ServerListeners['profile:avatar-changed'] = ({ userId, avatar }) => {
    roomIdsOf(userId)
      .then((roomIds) => {
        // One emit to every channel at once: a socket in several of them hears it once.
        io.to([userChannel(userId), ...roomIds.map(roomChannel)]).emit('profile:updated', { userId, avatar });
      })
      .catch((err: unknown) => console.error('[socket] announcing a new picture:', err));
  };
  const settingsSaved: ServerListeners['profile:settings-saved'] = ({ userId, settings }) => {
    io.to(userChannel(userId)).emit('settings:updated', settings);
  };
  return events.follow({ 'profile:avatar-changed': avatarChanged, 'profile:settings-saved': settingsSaved });
}
