import {
  MAX_BLOCKED,
  MAX_FRIENDS,
  MAX_OUTGOING_FRIEND_REQUESTS,
  type FriendRequestResult,
  type FriendsChange,
  type FriendsOverview,
  type PublicUser
} from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import type { ServerEvents } from '../infra/events.ts';
import type { FriendLimitsGuard } from '../infra/limits.ts';
import type { RoomService } from '../rooms/service.ts';
import type { FriendsStore, PersonRow } from './storage.ts';

// Friends, blocks and the rules of direct messages (docs/architecture.md#friends-and-direct-messages).
// The storage checks every rule inside the transaction that writes; this module turns outcomes into
// answers and tells the people concerned on their personal channel. A block is silent: the blocked
// person's requests look merely unanswered, and they lose the friendship as if removed.

const nobody = () => new AppError('NOT_FOUND', 'No one has that username');
const noRequest = () => new AppError('NOT_FOUND', 'There is no such request');
const notFriends = () => new AppError('NOT_FOUND', 'You are not friends');
const self = () => new AppError('VALIDATION_ERROR', 'That is you');
const youBlocked = () => new AppError('VALIDATION_ERROR', 'You blocked this person: unblock them first', { status: 409 });
const tooManyFriends = () => new AppError('VALIDATION_ERROR', `A person can have at most ${MAX_FRIENDS} friends`, { status: 409 });
const tooManyPending = () =>
  new AppError('VALIDATION_ERROR', `You have ${MAX_OUTGOING_FRIEND_REQUESTS} requests waiting for an answer: cancel one first`, { status: 409 });
const tooManyBlocked = () => new AppError('VALIDATION_ERROR', `You can block at most ${MAX_BLOCKED} people`, { status: 409 });
export const directClosed = () => new AppError('DIRECT_CLOSED', 'This conversation is closed: you are no longer friends');

export interface FriendsServiceDeps {
  store: FriendsStore;
  rooms: Pick<RoomService, 'openDirect' | 'directPeer'>;
  events: ServerEvents;
  limits: FriendLimitsGuard;
  /** Which of these users have a socket open anywhere. */
  onlineUsers: (userIds: number[]) => Promise<Set<number>>;
}

export function createFriendsService({ store, rooms, events, limits, onlineUsers }: FriendsServiceDeps) {
  const tell = (userIds: number[], reason: FriendsChange) => events.emit('friends:changed', { userIds, reason });

  async function person(userId: number): Promise<PersonRow> {
    const found = await store.findUserById(userId);
    if (!found) throw nobody();
    return found;
  }

  return {
    async overview(me: number): Promise<FriendsOverview> {
      const [friends, incoming, outgoing, blocked, unseen] = await Promise.all([
        store.friends(me),
        store.incoming(me),
        store.outgoing(me),
        store.blocked(me),
        store.unseenCount(me)
      ]);
      const online = await onlineUsers(friends.map((f) => f.id));
      const request = (r: (typeof incoming)[number]) => ({ userId: r.id, username: r.username, createdAt: r.created_at, unseen: r.unseen });
      return {
        friends: friends.map((f) => ({ userId: f.id, username: f.username, online: online.has(f.id), roomId: f.room_id })),
        incoming: incoming.map(request),
        outgoing: outgoing.map(request),
        blocked: blocked.map((b) => ({ userId: b.id, username: b.username })),
        unseen
      };
    },

    /** Asks `username`; if they had asked too, this answers their request. */
    async request(user: PublicUser, username: string): Promise<FriendRequestResult> {
      const other = await store.findUserByName(username);
      if (!other) throw nobody();
      if (other.id === user.id) throw self();
      await limits.request(user.id);
      const outcome = await store.request(user.id, other.id, { maxFriends: MAX_FRIENDS, maxOutgoing: MAX_OUTGOING_FRIEND_REQUESTS });
      switch (outcome) {
        case 'requested':
          tell([user.id, other.id], 'request');
          return { status: 'requested' };
        case 'already-requested':
          return { status: 'requested' };
        case 'unheard':
          // The same answer as any request; only the sender's own lists change.
          tell([user.id], 'update');
          return { status: 'requested' };
        case 'accepted':
          tell([user.id, other.id], 'accepted');
          return { status: 'accepted' };
        case 'already-friends':
          return { status: 'accepted' };
        case 'you-blocked':
          throw youBlocked();
        case 'too-many-friends':
          throw tooManyFriends();
        case 'too-many-pending':
          throw tooManyPending();
      }
    },

    async accept(user: PublicUser, otherId: number): Promise<void> {
      await limits.action(user.id);
      const outcome = await store.accept(user.id, otherId, MAX_FRIENDS);
      if (outcome === 'not-found') throw noRequest();
      if (outcome === 'too-many-friends') throw tooManyFriends();
      tell([user.id, otherId], 'accepted');
    },

    /** Turns down a request; the sender is not told why, their request just goes. */
    async decline(user: PublicUser, otherId: number): Promise<void> {
      await limits.action(user.id);
      if (!(await store.deleteRequest(otherId, user.id))) throw noRequest();
      tell([user.id, otherId], 'update');
    },

    /** Takes back one's own request. */
    async cancel(user: PublicUser, otherId: number): Promise<void> {
      await limits.action(user.id);
      if (!(await store.deleteRequest(user.id, otherId))) throw noRequest();
      tell([user.id, otherId], 'update');
    },

    async remove(user: PublicUser, otherId: number): Promise<void> {
      await limits.action(user.id);
      if (!(await store.unfriend(user.id, otherId))) throw notFriends();
      tell([user.id, otherId], 'update');
    },

    /** Blocks by id or username; ends their friendship and requests. Blocking twice is fine. */
    async block(user: PublicUser, target: { userId: number } | { username: string }): Promise<void> {
      const other = 'userId' in target ? await person(target.userId) : await store.findUserByName(target.username);
      if (!other) throw nobody();
      if (other.id === user.id) throw self();
      await limits.action(user.id);
      if ((await store.block(user.id, other.id, MAX_BLOCKED)) === 'too-many') throw tooManyBlocked();
      // To them it looks like being removed: their lists change, nothing says why.
      tell([user.id, other.id], 'update');
    },

    async unblock(user: PublicUser, otherId: number): Promise<void> {
      await limits.action(user.id);
      if (!(await store.unblock(user.id, otherId))) throw new AppError('NOT_FOUND', 'You have not blocked this person');
      tell([user.id], 'update');
    },

    /** The badge goes to zero on all the user's tabs. */
    async markSeen(user: PublicUser): Promise<void> {
      await store.markSeen(user.id);
      tell([user.id], 'update');
    },

    unseenCount: (userId: number) => store.unseenCount(userId),
    friendIds: (userId: number) => store.friendIds(userId),
    /** The people whose messages the user does not want to see, and who do not see them online. */
    blockedIds: async (userId: number) => (await store.blocked(userId)).map((b) => b.id),
    /** Who blocked the user: to the user, they always look offline. */
    blockersOf: (userId: number) => store.blockersOf(userId),
    blocksAmong: (userIds: number[]) => store.blocksAmong(userIds),
    /** Blocks between these people (typing in a room) and its members, as [blocker, blocked]. */
    blocksInRoom: (roomId: string, userIds: number[]) => store.blocksInRoom(roomId, userIds),

    /** The direct-message room with a friend, made the first time either opens it. */
    async openDirect(user: PublicUser, otherId: number): Promise<string> {
      await limits.action(user.id);
      if (!(await store.areFriends(user.id, otherId))) throw notFriends();
      return rooms.openDirect(user, await person(otherId));
    },

    /**
     * Before a message goes into a room: a direct conversation takes them only between friends.
     * Answers who blocked the sender, whose sockets are not sent the message.
     */
    async requireOpenDirect(roomId: string, userId: number): Promise<number[]> {
      const [peer, blockers] = await Promise.all([rooms.directPeer(roomId, userId), store.blockersOf(userId)]);
      if (peer !== null && !(await store.areFriends(userId, peer))) throw directClosed();
      return blockers;
    }
  };
}

export type FriendsService = ReturnType<typeof createFriendsService>;
