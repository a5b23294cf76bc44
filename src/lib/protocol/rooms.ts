import { z } from 'zod';
import { utf8Bytes } from './auth';
import { PASSWORD_MAX_BYTES, ROOM_NAME_MAX, ROOM_PASSWORD_MAX, ROOM_PASSWORD_MIN } from './limits';
import { nameProblem } from './text';

// Rooms over REST: request bodies and the room objects the API answers with.

export const roomNameSchema = z
  .string({ error: 'Room name must be a string' })
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'Room name is required').max(ROOM_NAME_MAX, `Room name must be at most ${ROOM_NAME_MAX} characters`))
  .superRefine((name, ctx) => {
    const problem = nameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

// What a join may send: rooms made before the length rules keep their passwords.
const roomPasswordSchema = z
  .string({ error: 'Password must be a string' })
  .max(ROOM_PASSWORD_MAX, `Password must be at most ${ROOM_PASSWORD_MAX} characters`);

/** Counted in code points, so an emoji is one character as the user sees it. */
const characters = (text: string) => Array.from(text).length;

/** A new room's password: empty means none, otherwise long enough to resist a few guesses. */
export const newRoomPasswordSchema = z
  .string({ error: 'Password must be a string' })
  .refine((p) => p === '' || characters(p) >= ROOM_PASSWORD_MIN, `Room password must be at least ${ROOM_PASSWORD_MIN} characters`)
  .refine((p) => utf8Bytes(p) <= PASSWORD_MAX_BYTES, `Room password must be at most ${PASSWORD_MAX_BYTES} bytes (letters like é take 2, emoji 4)`);

export const createRoomSchema = z.object({
  name: roomNameSchema,
  // An empty password means none.
  password: newRoomPasswordSchema.optional()
});
export const joinRoomSchema = z.object({ password: roomPasswordSchema.optional() });
export const joinByCodeSchema = z.object({
  inviteCode: z.string({ error: 'Invite code is required' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid invite code'),
  password: roomPasswordSchema.optional()
});

/** POST /api/rooms */
export type CreateRoomRequest = z.input<typeof createRoomSchema>;
/** POST /api/rooms/:id/join */
export type JoinRoomRequest = z.input<typeof joinRoomSchema>;
/** POST /api/rooms/join-by-code */
export type JoinByCodeRequest = z.input<typeof joinByCodeSchema>;

export interface RoomSummary {
  id: string;
  name: string;
  ownerId: number;
  inviteCode: string;
  hasPassword: boolean;
  maxMembers: number;
  memberCount: number;
  isOwner: boolean;
  createdAt: string;
  /** A direct-message room: the other person (docs/architecture.md#friends-and-direct-messages); null for group rooms. */
  direct: { userId: number; username: string } | null;
}

export interface RoomMember {
  userId: number;
  username: string;
  joinedAt: string;
}

export interface RoomDetails extends RoomSummary {
  members: RoomMember[];
}

/** GET /api/rooms/invite/:code/public, for a signed-out visitor: which room the link leads to. */
export interface PublicInvitePreview {
  name: string;
  hasPassword: boolean;
}

/** GET /api/rooms/invite/:code: what the invite page shows before joining. */
export interface RoomInvitePreview {
  id: string;
  name: string;
  hasPassword: boolean;
  memberCount: number;
  maxMembers: number;
  isMember: boolean;
}

/** POST /api/rooms/:id/leave. `deleted` is true when the owner left, which deletes the room. */
export interface LeaveRoomResult {
  ok: true;
  deleted: boolean;
}

/** POST /api/upload (multipart, field `image`): where the stored image is served. */
export interface UploadResult {
  url: string;
}
