import { nanoid } from 'nanoid';
import type { ServerEventMap } from '../infra/events.ts';
import { deleteRoomMessages } from '../redis/messages.ts';
import { getOnline } from '../redis/presence.ts';
import { roomChannel, userChannel, type Realtime } from './context.ts';
import type { Presence } from './presence.ts';

// What the REST side announces, applied to live sockets on every process (through the adapter):
// a member who leaves or is removed stops receiving the room at once, a deleted room is closed
// for everyone in it and its Redis keys go, and a signed-out user's sockets are disconnected.

type Listener<E extends keyof ServerEventMap> = (...args: ServerEventMap[E]) => void;

/**
 * A deleted room's keys are removed again after this long: an event that passed its membership
 * check just before the deletion may still write to the room meanwhile.
 */
const SECOND_CLEANUP_MS = 5000;

export function followMembership(rt: Realtime, presence: Presence): { stop(): void } {
  const { io, app } = rt;
  const log = (what: string) => (err: unknown) => console.error(`[socket] ${what}:`, err);

  async function sendMembers(roomId: string): Promise<void> {
    const online = await getOnline(app.redis, roomId);
    io.to(roomChannel(roomId)).emit('room:members', { roomId, members: rt.membersOf(roomId, online) });
  }

  const memberJoined: Listener<'room:member-joined'> = ({ roomId }) => {
    sendMembers(roomId).catch(log('announcing a new member'));
  };

  const memberLeft: Listener<'room:member-left'> = ({ roomId, userId }) => {
    io.in(userChannel(userId)).socketsLeave(roomChannel(roomId));
    io.to(userChannel(userId)).emit('room:closed', { roomId, reason: 'left' });
    presence
      .removeUser(roomId, userId)
      .then(() => sendMembers(roomId))
      .catch(log('removing a member'));
  };

  const cleanups = new Set<NodeJS.Timeout>();
  const roomDeleted: Listener<'room:deleted'> = ({ roomId, memberIds }) => {
    const channel = roomChannel(roomId);
    // Everyone in the room, and every member's other tabs (their room lists), hear it once.
    io.to([channel, ...memberIds.map(userChannel)]).emit('room:closed', { roomId, reason: 'deleted' });
    io.in(channel).socketsLeave(channel);
    const cleanup = () => deleteRoomMessages(app.redis, roomId, nanoid()).catch(log('deleting a room from Redis'));
    void cleanup();
    const timer = setTimeout(() => {
      cleanups.delete(timer);
      void cleanup();
    }, SECOND_CLEANUP_MS);
    timer.unref();
    cleanups.add(timer);
  };

  const signedOut: Listener<'user:signed-out'> = (userId) => {
    io.in(userChannel(userId)).disconnectSockets(true);
  };

  app.events.on('room:member-joined', memberJoined);
  app.events.on('room:member-left', memberLeft);
  app.events.on('room:deleted', roomDeleted);
  app.events.on('user:signed-out', signedOut);
  return {
    stop() {
      for (const timer of cleanups) clearTimeout(timer);
      app.events.off('room:member-joined', memberJoined);
      app.events.off('room:member-left', memberLeft);
      app.events.off('room:deleted', roomDeleted);
      app.events.off('user:signed-out', signedOut);
    }
  };
}
