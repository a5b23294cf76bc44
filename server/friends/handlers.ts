import type { ServerEvents } from '../infra/events.ts';
import { userChannel, type AppSocket, type IoServer } from '../infra/socket.ts';
import type { FriendsService } from './service.ts';

// The socket side of friends (docs/architecture.md#friends-and-direct-messages): changes made over
// REST reach the people concerned on their personal channel, with the badge's new count; and a
// user's friends see their dot turn on when a socket opens and off when the last one closes.

const log = (what: string) => (err: unknown) => console.error(`[friends] ${what} failed:`, err);

export function followFriends({ io, events, friends }: { io: IoServer; events: ServerEvents; friends: Pick<FriendsService, 'unseenCount'> }) {
  return events.follow({
    'friends:changed': ({ userIds, reason }) => {
      for (const userId of userIds) {
        friends
          .unseenCount(userId)
          .then((unseen) => io.to(userChannel(userId)).emit('friends:changed', { reason, unseen }))
          .catch(log('announcing a change'));
      }
    }
  });
}

export function friendsPresence({
  io,
  friends,
  onlineUsers
}: {
  io: IoServer;
  friends: Pick<FriendsService, 'friendIds'>;
  /** Which of these users hold a socket anywhere (presence's socket slots). */
  onlineUsers: (userIds: number[]) => Promise<Set<number>>;
}) {
  async function announce(userId: number, online: boolean): Promise<void> {
    const friendIds = await friends.friendIds(userId);
    if (friendIds.length > 0) io.to(friendIds.map(userChannel)).emit('friend:presence', { userId, online });
  }
  return {
    /** Every new socket says "online": repeating it is harmless, and two tabs opening together cannot both miss it. */
    connected(socket: AppSocket): void {
      announce(socket.data.user.id, true).catch(log('announcing presence'));
    },
    /**
     * After the socket's slot was given back (that listener was registered first, on the same
     * Redis connection, so the count read here already misses it).
     */
    disconnected(socket: AppSocket): void {
      const userId = socket.data.user.id;
      onlineUsers([userId])
        .then((online) => (online.has(userId) ? undefined : announce(userId, false)))
        .catch(log('announcing presence'));
    }
  };
}
