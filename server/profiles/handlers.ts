import type { ServerEvents, ServerEventMap } from '../infra/events.ts';
import { roomChannel, userChannel, type IoServer } from '../infra/socket.ts';

// A new or removed picture reaches, live, every room its owner is in (their member lists and the
// pictures beside their messages) and the owner's own tabs (docs/architecture.md#profiles).

export function followAvatars(deps: { io: IoServer; events: ServerEvents; roomIdsOf: (userId: number) => Promise<string[]> }): { stop(): void } {
  const { io, events, roomIdsOf } = deps;
  const changed = ({ userId, avatar }: ServerEventMap['profile:avatar-changed'][0]) => {
    roomIdsOf(userId)
      .then((roomIds) => {
        // One emit to every channel at once: a socket in several of them hears it once.
        io.to([userChannel(userId), ...roomIds.map(roomChannel)]).emit('profile:updated', { userId, avatar });
      })
      .catch((err: unknown) => console.error('[socket] announcing a new picture:', err));
  };
  events.on('profile:avatar-changed', changed);
  return { stop: () => void events.off('profile:avatar-changed', changed) };
}
