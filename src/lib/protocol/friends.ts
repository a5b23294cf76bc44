import { z } from 'zod';
import { usernameSchema } from './auth';

// Friends, blocks and direct messages: the REST shapes (docs/architecture.md#friends-and-direct-messages).

/** A user id in a path or body: a positive integer. */
export const userIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** POST /api/friends/requests: ask someone, by username. */
export const friendRequestSchema = z.object({ username: usernameSchema }).strict();

/** POST /api/friends/blocks: block someone, by username or by id. */
export const blockSchema = z.union([z.object({ username: usernameSchema }).strict(), z.object({ userId: userIdSchema }).strict()]);

export interface FriendPerson {
  userId: number;
  username: string;
}

export interface Friend extends FriendPerson {
  online: boolean;
  /** The direct-message room, once one of them opened it. */
  roomId: string | null;
}

export interface FriendRequest extends FriendPerson {
  /** ISO 8601. */
  createdAt: string;
  /** Not seen yet: counted in the badge. */
  unseen: boolean;
}

/** GET /api/friends: everything the friends page shows. */
export interface FriendsOverview {
  friends: Friend[];
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  blocked: FriendPerson[];
  /** Requests and answers not seen yet: the badge. */
  unseen: number;
}

/**
 * POST /api/friends/requests: `requested` (waiting for them) or `accepted` (they had asked too).
 * Someone who blocked the sender looks exactly like someone who has not answered yet.
 */
export interface FriendRequestResult {
  status: 'requested' | 'accepted';
}

/** POST /api/friends/:userId/direct: the direct-message room with a friend. */
export interface DirectRoomResult {
  roomId: string;
}

/** Why the friends lists changed, on the personal channel (`friends:changed`). */
export type FriendsChange = 'request' | 'accepted' | 'update';
