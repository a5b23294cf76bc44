import { customAlphabet, nanoid } from 'nanoid';
import {
  ROOM_MAX_MEMBERS,
  USER_MAX_ROOMS,
  type PublicUser,
  type RoomDetails,
  type RoomInvitePreview,
  type RoomSummary
} from '../../src/lib/protocol/index.ts';
import { isRefusal, waitInWords, type Refusal } from '../auth/attempts.ts';
import { hashPassword, verifyPassword } from '../infra/passwords.ts';
import type { RoomAttempts } from '../auth/roomAttempts.ts';
import type { DB } from '../infra/db.ts';
import type { Queries, RoomRow } from '../db/queries.ts';
import type { ServerEvents } from '../infra/events.ts';
import { removeUpload } from '../uploads/files.ts';

// Invite codes end up in links and are sometimes typed: no look-alike characters (0/O, 1/l/I).
// 55^12 is about 2^69 codes, far beyond guessing.
const INVITE_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
const newInviteCode = customAlphabet(INVITE_ALPHABET, 12);

/** A refusal the API answers with `{ error }` and this status (and Retry-After when set). */
export class RoomError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 429,
    message: string,
    readonly retryAfterSeconds?: number
  ) {
    super(message);
    this.name = 'RoomError';
  }
}

export const roomNotFound = () => new RoomError(404, 'Room not found');
const notMember = () => new RoomError(403, 'You are not a member of this room');
const notOwner = () => new RoomError(403, 'Only the owner can delete this room');
const needsPassword = () => new RoomError(403, 'This room needs a password');
const wrongPassword = () => new RoomError(403, 'Wrong password');
const tooManyGuesses = ({ retryAfterSeconds }: Refusal) =>
  new RoomError(429, `Too many wrong passwords for this room. Try again in ${waitInWords(retryAfterSeconds)}.`, retryAfterSeconds);
const roomFull = () => new RoomError(409, 'This room is full');
const tooManyRooms = () => new RoomError(409, `You can be in at most ${USER_MAX_ROOMS} rooms`);

export interface RoomServiceDeps {
  db: DB;
  queries: Queries;
  events: ServerEvents;
  uploadsDir: string;
  /** Counts wrong room passwords (see auth/roomAttempts.ts). */
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

/**
 * Rooms and their members. Every limit is checked inside the SQLite transaction that writes, so
 * racing requests (even from several server processes) cannot pass 16 members or 20 rooms; slow
 * work (bcrypt, file removal) happens outside it. Each membership change is announced on `events`.
 */
export function createRoomService({ db, queries, events, uploadsDir, attempts }: RoomServiceDeps) {
  const insertRoom = db.transaction((room: { id: string; name: string; ownerId: number; passwordHash: string | null }) => {
    if (queries.getUserRoomCount.get(room.ownerId)!.count >= USER_MAX_ROOMS) throw tooManyRooms();
    queries.createRoom.run(room.id, room.name, room.ownerId, room.passwordHash, newInviteCode(), ROOM_MAX_MEMBERS);
    queries.addRoomMember.run(room.id, room.ownerId);
  });

  const insertMember = db.transaction((roomId: string, userId: number): 'joined' | 'already-member' => {
    // Read again inside the transaction: the room may have gone while bcrypt ran.
    const room = queries.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    if (queries.isRoomMember.get(roomId, userId)) return 'already-member';
    if (queries.getRoomMemberCount.get(roomId)!.count >= room.max_members) throw roomFull();
    if (queries.getUserRoomCount.get(userId)!.count >= USER_MAX_ROOMS) throw tooManyRooms();
    queries.addRoomMember.run(roomId, userId);
    return 'joined';
  });

  /** Deletes the room's rows (members cascade) and its uploads' rows; the files go after commit. */
  const deleteRoomRows = db.transaction((roomId: string) => {
    const memberIds = queries.getRoomMembers.all(roomId).map((m) => m.user_id);
    const filenames = queries.getRoomUploads.all(roomId).map((u) => u.filename);
    for (const filename of filenames) queries.deleteUpload.run(filename);
    queries.deleteRoom.run(roomId);
    return { memberIds, filenames };
  });

  const deleteMember = db.transaction((roomId: string, userId: number) => {
    const room = queries.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    if (!queries.isRoomMember.get(roomId, userId)) throw notMember();
    // The owner leaving takes the room with them.
    if (room.owner_id === userId) return { deleted: true as const, ...deleteRoomRows(roomId) };
    queries.removeRoomMember.run(roomId, userId);
    return { deleted: false as const };
  });

  const deleteOwnedRoom = db.transaction((roomId: string, userId: number) => {
    const room = queries.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    if (room.owner_id !== userId) throw queries.isRoomMember.get(roomId, userId) ? notOwner() : notMember();
    return deleteRoomRows(roomId);
  });

  async function removeRoomFiles(filenames: string[]): Promise<void> {
    const results = await Promise.allSettled(filenames.map((f) => removeUpload(uploadsDir, f)));
    for (const result of results) {
      // The room is gone either way; a file that could not be removed is left to the hourly cleanup.
      if (result.status === 'rejected') console.error('Could not remove an upload of a deleted room:', result.reason);
    }
  }

  function detailsFor(roomId: string, userId: number): RoomDetails {
    const room = queries.findRoomById.get(roomId);
    if (!room) throw roomNotFound();
    const members = queries.getRoomMembers.all(roomId);
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
    if (isRefusal(attempt)) throw tooManyGuesses(attempt);
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
    if (!queries.isRoomMember.get(room.id, user.id)) {
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
      return queries.getUserRooms.all(userId).map((row) => summaryOf(row, row.member_count, userId));
    },

    details: detailsFor,

    invitePreview(userId: number, inviteCode: string): RoomInvitePreview {
      const room = queries.findRoomByInviteCode.get(inviteCode);
      if (!room) throw roomNotFound();
      return {
        id: room.id,
        name: room.name,
        hasPassword: room.password_hash !== null,
        memberCount: queries.getRoomMemberCount.get(room.id)!.count,
        maxMembers: room.max_members,
        isMember: queries.isRoomMember.get(room.id, userId) !== undefined
      };
    },

    joinById(user: PublicUser, roomId: string, password: string | undefined): Promise<RoomDetails> {
      const room = queries.findRoomById.get(roomId);
      if (!room) throw roomNotFound();
      return joinRoom(user, room, password);
    },

    joinByInviteCode(user: PublicUser, inviteCode: string, password: string | undefined): Promise<RoomDetails> {
      const room = queries.findRoomByInviteCode.get(inviteCode);
      if (!room) throw roomNotFound();
      return joinRoom(user, room, password);
    },

    /** Leaves a room; when the owner leaves, the room is deleted. */
    async leave(user: PublicUser, roomId: string): Promise<{ deleted: boolean }> {
      const outcome = deleteMember.immediate(roomId, user.id);
      if (outcome.deleted) {
        events.emit('room:deleted', { roomId, memberIds: outcome.memberIds });
        await removeRoomFiles(outcome.filenames);
      } else {
        events.emit('room:member-left', { roomId, userId: user.id, username: user.username });
      }
      return { deleted: outcome.deleted };
    },

    /** Deletes a room with its memberships and uploaded images; owner only. */
    async remove(userId: number, roomId: string): Promise<void> {
      const outcome = deleteOwnedRoom.immediate(roomId, userId);
      events.emit('room:deleted', { roomId, memberIds: outcome.memberIds });
      await removeRoomFiles(outcome.filenames);
    }
  };
}

export type RoomService = ReturnType<typeof createRoomService>;
