import { customAlphabet, nanoid } from 'nanoid';
import {
  ROOM_MAX_MEMBERS,
  USER_MAX_ROOMS,
  type Member,
  type PublicUser,
  type RoomDetails,
  type RoomInvitePreview,
  type RoomSummary
} from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import type { ServerEvents } from '../infra/events.ts';
import { isRefusal, tooMany, type RoomAttempts } from '../infra/limits.ts';
import { hashPassword, verifyPassword } from '../infra/passwords.ts';
import type { MessageService } from '../messages/service.ts';
import type { UploadService } from '../uploads/service.ts';
import type { RoomRow, RoomStore } from './storage.ts';

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
const tooManyRooms = () => new AppError('VALIDATION_ERROR', `You can be in at most ${USER_MAX_ROOMS} rooms`, { status: 409 });

export interface RoomServiceDeps {
  store: RoomStore;
  uploads: UploadService;
  messages: MessageService;
  events: ServerEvents;
  /** Counts wrong room passwords. */
  attempts: RoomAttempts;
}

/** SQLite says `2026-01-02 03:04:05` (UTC); the API speaks ISO 8601 so `new Date()` reads it right. */
function isoTime(sqliteTime: string): string {
  return `${sqliteTime.replace(' ', 'T')}Z`;
}

function summaryOf(room: RoomRow, memberCount: number, userId: number): RoomSummary {
  return {
    id: room.id,
    name: room.name,
    ownerId: room.owner_id,
    inviteCode: room.invite_code,
    hasPassword: room.password_hash !== null,
    maxMembers: room.max_members,
    memberCount,
    isOwner: room.owner_id === userId,
    createdAt: isoTime(room.created_at)
  };
}

/** Where a user stands with a room. */
type Standing = 'member' | 'may-join' | AppError;

/**
 * Rooms and their members. Every limit is checked inside the SQLite transaction that writes, so
 * racing requests (even from several server processes) cannot pass 16 members or 20 rooms; slow
 * work (bcrypt, file removal) happens outside it. Each membership change is announced on `events`.
 */
export function createRoomService({ store, uploads, messages, events, attempts }: RoomServiceDeps) {
  /**
   * A member, free to join, or turned away because the room is gone or full: the one answer REST
   * joins and room:join share (docs/architecture.md#joining-is-race-free).
   */
  function standing(roomId: string, userId: number): Standing {
    const room = store.findRoomById.get(roomId);
    if (!room) return roomNotFound();
    if (store.isRoomMember.get(roomId, userId)) return 'member';
    if (store.getRoomMemberCount.get(roomId)!.count >= room.max_members) return roomFull();
    return 'may-join';
  }

  const insertRoom = store.transaction((room: { id: string; name: string; ownerId: number; passwordHash: string | null }) => {
    if (store.getUserRoomCount.get(room.ownerId)!.count >= USER_MAX_ROOMS) throw tooManyRooms();
    store.createRoom.run(room.id, room.name, room.ownerId, room.passwordHash, newInviteCode(), ROOM_MAX_MEMBERS);
    store.addRoomMember.run(room.id, room.ownerId);
  });

  const insertMember = store.transaction((roomId: string, userId: number): 'joined' | 'already-member' => {
    // Asked again inside the transaction: the room may have gone or filled while bcrypt ran.
    const now = standing(roomId, userId);
    if (now === 'member') return 'already-member';
    if (now !== 'may-join') throw now;
    if (store.getUserRoomCount.get(userId)!.count >= USER_MAX_ROOMS) throw tooManyRooms();
    store.addRoomMember.run(roomId, userId);
    return 'joined';
  });

  /** Deletes the room's rows (members cascade) and its uploads' rows; the files go after commit. */
  const deleteRoomRows = store.transaction((roomId: string) => {
    const memberIds = store.getRoomMembers.all(roomId).map((m) => m.user_id);
    const filenames = uploads.forgetRoom(roomId);
    store.deleteRoom.run(roomId);
    return { memberIds, filenames };
  });

  const deleteMember = store.transaction((roomId: string, userId: number) => {
    const room = store.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    if (!store.isRoomMember.get(roomId, userId)) throw notMember();
    // The owner leaving takes the room with them.
    if (room.owner_id === userId) return { deleted: true as const, ...deleteRoomRows(roomId) };
    store.removeRoomMember.run(roomId, userId);
    return { deleted: false as const };
  });

  /** The owner takes a member out; answers the member's name. */
  const deleteOtherMember = store.transaction((roomId: string, ownerId: number, userId: number): string => {
    const room = store.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    if (room.owner_id !== ownerId) throw store.isRoomMember.get(roomId, ownerId) ? notOwnerOfMembers() : notMember();
    if (userId === ownerId) throw removeSelf();
    const member = store.getRoomMembers.all(roomId).find((m) => m.user_id === userId);
    if (!member) throw notAMember();
    store.removeRoomMember.run(roomId, userId);
    // The link they joined with would let them straight back in.
    store.setInviteCode.run(newInviteCode(), roomId);
    return member.username;
  });

  const deleteOwnedRoom = store.transaction((roomId: string, userId: number) => {
    const room = store.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    if (room.owner_id !== userId) throw store.isRoomMember.get(roomId, userId) ? notOwner() : notMember();
    return deleteRoomRows(roomId);
  });

  /** After the rows are gone: the room is closed everywhere, its messages and files go. */
  async function roomDeleted(roomId: string, outcome: { memberIds: number[]; filenames: string[] }): Promise<void> {
    events.emit('room:deleted', { roomId, memberIds: outcome.memberIds });
    messages.forgetRoom(roomId);
    await uploads.removeFiles(outcome.filenames);
  }

  function detailsFor(roomId: string, userId: number): RoomDetails {
    const room = store.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    const members = store.getRoomMembers.all(roomId);
    if (!members.some((m) => m.user_id === userId)) throw notMember();
    return {
      ...summaryOf(room, members.length, userId),
      members: members.map((m) => ({ userId: m.user_id, username: m.username, joinedAt: isoTime(m.joined_at) }))
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

  async function joinRoom(user: PublicUser, room: RoomRow, password: string | undefined): Promise<RoomDetails> {
    // A member re-joining is a no-op that succeeds, password or not.
    if (!store.isRoomMember.get(room.id, user.id)) {
      await checkPassword(user, room, password);
      // IMMEDIATE takes the write lock up front: check-then-insert cannot interleave with another process.
      if (insertMember.immediate(room.id, user.id) === 'joined') {
        events.emit('room:member-joined', { roomId: room.id, userId: user.id, username: user.username });
      }
    }
    return detailsFor(room.id, user.id);
  }

  return {
    async create(owner: PublicUser, input: { name: string; password?: string }): Promise<RoomDetails> {
      // An empty password means none.
      const passwordHash = input.password ? await hashPassword(input.password, 'room') : null;
      const id = nanoid();
      insertRoom.immediate({ id, name: input.name, ownerId: owner.id, passwordHash });
      events.emit('room:member-joined', { roomId: id, userId: owner.id, username: owner.username });
      return detailsFor(id, owner.id);
    },

    listFor(userId: number): RoomSummary[] {
      return store.getUserRooms.all(userId).map((row) => summaryOf(row, row.member_count, userId));
    },

    details: detailsFor,

    invitePreview(userId: number, inviteCode: string): RoomInvitePreview {
      const room = store.findRoomByInviteCode.get(inviteCode);
      if (!room) throw roomNotFound();
      return {
        id: room.id,
        name: room.name,
        hasPassword: room.password_hash !== null,
        memberCount: store.getRoomMemberCount.get(room.id)!.count,
        maxMembers: room.max_members,
        isMember: store.isRoomMember.get(room.id, userId) !== undefined
      };
    },

    joinById(user: PublicUser, roomId: string, password: string | undefined): Promise<RoomDetails> {
      const room = store.findRoomById.get(roomId);
      if (!room) throw roomNotFound();
      return joinRoom(user, room, password);
    },

    joinByInviteCode(user: PublicUser, inviteCode: string, password: string | undefined): Promise<RoomDetails> {
      const room = store.findRoomByInviteCode.get(inviteCode);
      if (!room) throw roomNotFound();
      return joinRoom(user, room, password);
    },

    /** Leaves a room; when the owner leaves, the room is deleted. */
    async leave(user: PublicUser, roomId: string): Promise<{ deleted: boolean }> {
      const outcome = deleteMember.immediate(roomId, user.id);
      if (outcome.deleted) {
        await roomDeleted(roomId, outcome);
      } else {
        events.emit('room:member-left', { roomId, userId: user.id, username: user.username, reason: 'left' });
      }
      return { deleted: outcome.deleted };
    },

    /**
     * The owner removes a member: taken out live, like leaving, and told why. The room's invite
     * code changes, so they come back only if someone sends them the new one.
     */
    removeMember(ownerId: number, roomId: string, userId: number): void {
      const username = deleteOtherMember.immediate(roomId, ownerId, userId);
      events.emit('room:member-left', { roomId, userId, username, reason: 'removed' });
    },

    isOwner(roomId: string, userId: number): boolean {
      return store.findRoomById.get(roomId)?.owner_id === userId;
    },

    /** The ids of the user's rooms. */
    roomIdsOf(userId: number): string[] {
      return store.getUserRoomIds.all(userId).map((row) => row.room_id);
    },

    /** Deletes a room with its memberships and uploaded images; owner only. */
    async remove(userId: number, roomId: string): Promise<void> {
      await roomDeleted(roomId, deleteOwnedRoom.immediate(roomId, userId));
    },

    /** Throws NOT_MEMBER unless the user belongs to the room. */
    requireMember(roomId: string, userId: number): void {
      if (!store.isRoomMember.get(roomId, userId)) throw notMember();
    },

    /** Before a socket enters a room: a member may; anyone else learns why not (gone, full, not a member). */
    requireEntry(roomId: string, userId: number): void {
      const now = standing(roomId, userId);
      if (now !== 'member') throw now === 'may-join' ? notMember() : now;
    },

    /** The room's members in the room's order, with who is online. */
    members(roomId: string, online: number[]): Member[] {
      const onlineIds = new Set(online);
      return store.getRoomMembers.all(roomId).map((m) => ({ userId: m.user_id, username: m.username, online: onlineIds.has(m.user_id) }));
    }
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
