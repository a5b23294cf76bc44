import { customAlphabet, nanoid } from 'nanoid';
import {
  ROOM_MAX_MEMBERS,
  ROOM_SEARCH_PAGE_SIZE,
  USER_MAX_ROOMS,
  type Member,
  type PublicUser,
  type RoomDetails,
  type RoomInvitePreview,
  type RoomSearchResult,
  type RoomSummary
} from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import type { ServerEvents } from '../infra/events.ts';
import { isRefusal, tooMany, type RoomAttempts } from '../infra/limits.ts';
import { hashPassword, verifyPassword } from '../infra/passwords.ts';
import type { MessageService } from '../messages/service.ts';
import type { ProfileService } from '../profiles/service.ts';
import type { UploadService } from '../uploads/service.ts';
import type { RoomDeletion, RoomRow, RoomStore } from './storage.ts';

// Invite codes end up in links and are sometimes typed: no look-alike characters (0/O, 1/l/I).
// 55^12 is about 2^69 codes, far beyond guessing.
const INVITE_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
const newInviteCode = customAlphabet(INVITE_ALPHABET, 12);

export const roomNotFound = () => new AppError('NOT_FOUND', 'Room not found');
const notMember = () => new AppError('NOT_MEMBER', 'You are not a member of this room');
const notOwner = () => new AppError('UNAUTHORIZED', 'Only the owner can delete this room');
const needsPassword = () => new AppError('UNAUTHORIZED', 'This room needs a password');
const wrongPassword = () => new AppError('UNAUTHORIZED', 'Wrong password');
const notOwnerOfMembers = () => new AppError('UNAUTHORIZED', 'Only the owner can remove members');
const notAMember = () => new AppError('NOT_FOUND', 'That person is not a member of this room');
const removeSelf = () => new AppError('VALIDATION_ERROR', 'The owner cannot remove themselves: leave or delete the room instead');
const roomFull = () => new AppError('ROOM_FULL', 'This room is full');
const notOwnerOfSettings = () => new AppError('UNAUTHORIZED', 'Only the owner can change this room');
const tooManyRooms = () => new AppError('VALIDATION_ERROR', `You can be in at most ${USER_MAX_ROOMS} rooms`, { status: 409 });

export interface RoomServiceDeps {
  store: RoomStore;
  uploads: UploadService;
  messages: MessageService;
  events: ServerEvents;
  /** Counts wrong room passwords. */
  attempts: RoomAttempts;
  /** Members' profile pictures, for the member list (docs/architecture.md#profiles). */
  profiles: Pick<ProfileService, 'avatarsOf'>;
}

const directIsFixed = () => new AppError('VALIDATION_ERROR', 'A direct conversation is between its two people: it cannot be left, deleted or changed', { status: 409 });

/** "minId:maxId": one key per pair, whoever opens it. */
export const directKeyOf = (a: number, b: number) => `${Math.min(a, b)}:${Math.max(a, b)}`;

/** Rooms remembered as direct (with their key) or not; a room's kind never changes. */
const DIRECT_KINDS_CACHED = 10_000;

function summaryOf(room: RoomRow, memberCount: number, userId: number, direct: RoomSummary['direct'] = null): RoomSummary {
  return {
    id: room.id,
    name: room.name,
    ownerId: room.owner_id,
    inviteCode: room.invite_code,
    hasPassword: room.password_hash !== null,
    maxMembers: room.max_members,
    memberCount,
    isOwner: room.owner_id === userId,
    findable: room.findable,
    createdAt: room.created_at,
    direct
  };
}

/** Where a user stands with a room. */
type Standing = 'member' | 'may-join' | AppError;

/**
 * Rooms and their members. Every limit is checked by the storage inside the transaction that
 * writes, so racing requests (even from server processes on different machines) cannot pass 16
 * members or 20 rooms; slow work (bcrypt, file removal) happens outside it. Each membership change
 * is announced on `events`.
 */
export function createRoomService({ store, uploads, messages, events, attempts, profiles }: RoomServiceDeps) {
  /**
   * A member, free to join, or turned away because the room is gone or full: the one answer REST
   * joins and room:join share (docs/architecture.md#joining-is-race-free).
   */
  async function standing(roomId: string, userId: number): Promise<Standing> {
    const room = await store.findRoomById(roomId);
    if (!room) return roomNotFound();
    if (await store.isRoomMember(roomId, userId)) return 'member';
    if ((await store.getRoomMemberCount(roomId)) >= room.max_members) return roomFull();
    return 'may-join';
  }

  /** After the rows are gone: the room is closed everywhere, its messages and files go. */
  async function roomDeleted(roomId: string, outcome: RoomDeletion): Promise<void> {
    events.emit('room:deleted', { roomId, memberIds: outcome.memberIds });
    messages.forgetRoom(roomId);
    await uploads.removeFiles(outcome.filenames);
  }

  async function detailsFor(roomId: string, userId: number): Promise<RoomDetails> {
    const room = await store.findRoomById(roomId);
    if (!room) throw roomNotFound();
    const members = await store.getRoomMembers(roomId);
    if (!members.some((m) => m.user_id === userId)) throw notMember();
    const peer = room.direct_key === null ? undefined : members.find((m) => m.user_id !== userId);
    return {
      ...summaryOf(room, members.length, userId, peer ? { userId: peer.user_id, username: peer.username } : null),
      members: members.map((m) => ({ userId: m.user_id, username: m.username, joinedAt: m.joined_at }))
    };
  }

  async function checkPassword(user: PublicUser, room: RoomRow, password: string | undefined): Promise<void> {
    if (room.password_hash === null) return;
    // An empty try guesses nothing and costs no bcrypt run: it is not counted.
    if (!password) throw needsPassword();
    const attempt = await attempts.admit(room.id, user.id);
    if (isRefusal(attempt)) throw tooMany(attempt, 'Too many wrong passwords for this room.');
    let matches: boolean;
    try {
      matches = await verifyPassword(password, room.password_hash, 'room');
    } catch (err) {
      await attempt.abandon();
      throw err;
    }
    if (!matches) {
      attempt.failed();
      throw wrongPassword();
    }
    await attempt.succeeded();
  }

  async function joinRoom(user: PublicUser, room: RoomRow, password: string | undefined, findableOnly = false): Promise<RoomDetails> {
    // A member re-joining is a no-op that succeeds, password or not.
    if (!(await store.isRoomMember(room.id, user.id))) {
      // A direct conversation has its two people and nobody else, invite code or not.
      if (room.direct_key !== null) throw roomNotFound();
      await checkPassword(user, room, password);
      // Asked again inside the transaction: the room may have gone, filled or stopped being
      // findable while bcrypt ran.
      const outcome = await store.addMember(room.id, user.id, USER_MAX_ROOMS, findableOnly);
      if (outcome === 'gone') throw roomNotFound();
      if (outcome === 'full') throw roomFull();
      if (outcome === 'too-many-rooms') throw tooManyRooms();
      if (outcome === 'joined') events.emit('room:member-joined', { roomId: room.id, userId: user.id, username: user.username });
    }
    return detailsFor(room.id, user.id);
  }

  async function roomFor(found: Promise<RoomRow | undefined>): Promise<RoomRow> {
    const room = await found;
    if (!room) throw roomNotFound();
    return room;
  }

  /** Refuses group-room tools (leave, delete, remove a member, settings) on a direct conversation. */
  async function requireGroupRoom(roomId: string): Promise<void> {
    if ((await store.findRoomById(roomId))?.direct_key != null) throw directIsFixed();
  }

  const directKinds = new Map<string, string | null>();
  /** The room's direct key (null for a group room, undefined when there is no such room). */
  async function directKeyOfRoom(roomId: string): Promise<string | null | undefined> {
    if (directKinds.has(roomId)) return directKinds.get(roomId);
    const room = await store.findRoomById(roomId);
    if (!room) return undefined;
    if (directKinds.size >= DIRECT_KINDS_CACHED) directKinds.clear();
    directKinds.set(roomId, room.direct_key);
    return room.direct_key;
  }

  return {
    async create(owner: PublicUser, input: { name: string; password?: string; findable?: boolean }): Promise<RoomDetails> {
      // An empty password means none.
      const passwordHash = input.password ? await hashPassword(input.password, 'room') : null;
      const id = nanoid();
      const room = {
        id,
        name: input.name,
        ownerId: owner.id,
        passwordHash,
        inviteCode: newInviteCode(),
        maxMembers: ROOM_MAX_MEMBERS,
        findable: input.findable ?? false
      };
      if ((await store.createRoom(room, USER_MAX_ROOMS)) === 'too-many-rooms') throw tooManyRooms();
      events.emit('room:member-joined', { roomId: id, userId: owner.id, username: owner.username });
      return detailsFor(id, owner.id);
    },

    async listFor(userId: number): Promise<RoomSummary[]> {
      return (await store.getUserRooms(userId)).map((row) =>
        summaryOf(row, row.member_count, userId, row.peer_id !== null && row.peer_name !== null ? { userId: row.peer_id, username: row.peer_name } : null)
      );
    },

    details: detailsFor,

    async invitePreview(userId: number, inviteCode: string): Promise<RoomInvitePreview> {
      const room = await roomFor(store.findRoomByInviteCode(inviteCode));
      if (room.direct_key !== null) throw roomNotFound();
      return {
        id: room.id,
        name: room.name,
        hasPassword: room.password_hash !== null,
        memberCount: await store.getRoomMemberCount(room.id),
        maxMembers: room.max_members,
        isMember: await store.isRoomMember(room.id, userId)
      };
    },

    /**
     * Joins by room id, which is no invite (docs/architecture.md#public-rooms): only a findable
     * room admits a newcomer this way. An invite-only room answers as if it did not exist, so room
     * ids reveal nothing and a removed member needs the new invite code; members re-join freely.
     */
    async joinFindable(user: PublicUser, roomId: string, password: string | undefined): Promise<RoomDetails> {
      const room = await roomFor(store.findRoomById(roomId));
      if (!room.findable && !(await store.isRoomMember(room.id, user.id))) throw roomNotFound();
      return joinRoom(user, room, password, true);
    },

    /** One page of findable rooms whose name contains `text`. */
    async search(userId: number, text: string, offset = 0): Promise<RoomSearchResult> {
      // One row more than the page says whether another page follows.
      const rows = await store.searchFindable(text, userId, ROOM_SEARCH_PAGE_SIZE + 1, offset);
      return {
        rooms: rows.slice(0, ROOM_SEARCH_PAGE_SIZE).map((r) => ({
          id: r.id,
          name: r.name,
          memberCount: r.member_count,
          maxMembers: r.max_members,
          hasPassword: r.has_password,
          isMember: r.is_member
        })),
        hasMore: rows.length > ROOM_SEARCH_PAGE_SIZE
      };
    },

    /** The owner makes the room findable or invite-only; answers the room as it is now. */
    async changeSettings(ownerId: number, roomId: string, settings: { findable: boolean }): Promise<RoomDetails> {
      // A direct conversation is never findable.
      await requireGroupRoom(roomId);
      const outcome = await store.setFindable(roomId, ownerId, settings.findable);
      if (outcome !== 'updated') throw { gone: roomNotFound, 'not-member': notMember, 'not-owner': notOwnerOfSettings }[outcome]();
      return detailsFor(roomId, ownerId);
    },

    /**
     * Deletes the account's row with its memberships (docs/architecture.md#deleting-an-account):
     * the rooms it was in hear that it left (and the longest-standing member owns the ones it
     * owned), rooms where it was alone are deleted like any room. Answers the account's upload
     * files still to remove, or null when the account was already gone.
     */
    async removeAccount(user: PublicUser): Promise<{ uploads: string[] } | null> {
      const removal = await store.removeAccount(user.id);
      if (!removal) return null;
      for (const { roomId, passedTo } of removal.left) {
        const left = { roomId, userId: user.id, username: user.username, reason: 'left' as const };
        events.emit('room:member-left', passedTo === undefined ? left : { ...left, newOwnerId: passedTo });
      }
      for (const { roomId, deletion } of removal.deleted) await roomDeleted(roomId, deletion);
      return { uploads: removal.uploads };
    },

    async joinByInviteCode(user: PublicUser, inviteCode: string, password: string | undefined): Promise<RoomDetails> {
      return joinRoom(user, await roomFor(store.findRoomByInviteCode(inviteCode)), password);
    },

    /** Leaves a room; when the owner leaves, the room is deleted. */
    async leave(user: PublicUser, roomId: string): Promise<{ deleted: boolean }> {
      await requireGroupRoom(roomId);
      const outcome = await store.leaveRoom(roomId, user.id);
      if (outcome.status === 'deleted') {
        await roomDeleted(roomId, outcome);
        return { deleted: true };
      }
      if (outcome.status !== 'left') throw { gone: roomNotFound, 'not-member': notMember }[outcome.status]();
      events.emit('room:member-left', { roomId, userId: user.id, username: user.username, reason: 'left' });
      return { deleted: false };
    },

    /**
     * The owner removes a member: taken out live, like leaving, and told why. The room's invite
     * code changes, so they come back only if someone sends them the new one.
     */
    async removeMember(ownerId: number, roomId: string, userId: number): Promise<void> {
      await requireGroupRoom(roomId);
      const outcome = await store.removeOtherMember(roomId, ownerId, userId, newInviteCode());
      if (outcome.status !== 'removed') {
        throw { gone: roomNotFound, 'not-member': notMember, 'not-owner': notOwnerOfMembers, self: removeSelf, 'not-a-member': notAMember }[outcome.status]();
      }
      events.emit('room:member-left', { roomId, userId, username: outcome.username, reason: 'removed' });
    },

    async isOwner(roomId: string, userId: number): Promise<boolean> {
      return (await store.findRoomById(roomId))?.owner_id === userId;
    },

    /** The ids of the user's rooms. */
    roomIdsOf(userId: number): Promise<string[]> {
      return store.getUserRoomIds(userId);
    },

    /** Deletes a room with its memberships and uploaded images; owner only. */
    async remove(userId: number, roomId: string): Promise<void> {
      await requireGroupRoom(roomId);
      const outcome = await store.deleteRoom(roomId, userId);
      if (outcome.status !== 'deleted') throw { gone: roomNotFound, 'not-member': notMember, 'not-owner': notOwner }[outcome.status]();
      await roomDeleted(roomId, outcome);
    },

    /**
     * The direct-message room of two people, created with both as members the first time
     * (docs/architecture.md#friends-and-direct-messages). Whether they may talk is the caller's rule.
     */
    async openDirect(user: PublicUser, other: { id: number; username: string }): Promise<string> {
      const [low, high] = user.id < other.id ? [user, other] : [other, user];
      const { roomId, created } = await store.openDirectRoom({
        id: nanoid(),
        name: `${low.username} & ${high.username}`,
        ownerId: low.id,
        otherId: high.id,
        passwordHash: null,
        inviteCode: newInviteCode(),
        maxMembers: 2,
        directKey: directKeyOf(user.id, other.id)
      });
      if (created) {
        events.emit('room:member-joined', { roomId, userId: low.id, username: low.username });
        events.emit('room:member-joined', { roomId, userId: high.id, username: high.username });
      }
      return roomId;
    },

    /** The other person of a direct-message room for `userId`; null for a group room or no room. */
    async directPeer(roomId: string, userId: number): Promise<number | null> {
      const key = await directKeyOfRoom(roomId);
      if (!key) return null;
      const [a, b] = key.split(':').map(Number);
      return a === userId ? b : a;
    },

    /** Throws NOT_MEMBER unless the user belongs to the room. */
    async requireMember(roomId: string, userId: number): Promise<void> {
      if (!(await store.isRoomMember(roomId, userId))) throw notMember();
    },

    /** Before a socket enters a room: a member may; anyone else learns why not (gone, full, not a member). */
    async requireEntry(roomId: string, userId: number): Promise<void> {
      const now = await standing(roomId, userId);
      if (now !== 'member') throw now === 'may-join' ? notMember() : now;
    },

    /** The room's members in the room's order, with who is online and their pictures. */
    async members(roomId: string, online: number[]): Promise<Member[]> {
      const onlineIds = new Set(online);
      const rows = await store.getRoomMembers(roomId);
      const avatars = await profiles.avatarsOf(rows.map((m) => m.user_id));
      return rows.map((m) => ({ userId: m.user_id, username: m.username, online: onlineIds.has(m.user_id), avatar: avatars.get(m.user_id) ?? null }));
    }
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
