import { z } from 'zod';
import { utf8Bytes } from './auth';
import { PASSWORD_MAX_BYTES, ROOM_NAME_MAX, ROOM_PASSWORD_MAX, ROOM_PASSWORD_MIN, ROOM_SEARCH_MAX_OFFSET, ROOM_SEARCH_QUERY_MAX } from './limits';
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
  password: newRoomPasswordSchema.optional(),
  // Findable rooms appear in the room search and take members without an invite; off by default.
  findable: z.boolean({ error: 'findable must be true or false' }).optional()
});
/** PATCH /api/rooms/:id, owner only: what the owner tools change. */
export const roomSettingsSchema = z.strictObject({ findable: z.boolean({ error: 'findable must be true or false' }) });
/** GET /api/rooms/search?q=&offset=: the query string, as strings arrive. */
export const roomSearchSchema = z.strictObject({
  q: z
    .string({ error: 'Search text is required' })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'Search text is required').max(ROOM_SEARCH_QUERY_MAX, `Search text must be at most ${ROOM_SEARCH_QUERY_MAX} characters`)),
  offset: z
    .string({ error: 'offset must be a number' })
    .regex(/^[0-9]{1,6}$/, 'offset must be a number')
    .transform(Number)
    .pipe(z.number().max(ROOM_SEARCH_MAX_OFFSET, `offset must be at most ${ROOM_SEARCH_MAX_OFFSET}`))
    .optional()
});
export const joinRoomSchema = z.object({ password: roomPasswordSchema.optional() });
export const joinByCodeSchema = z.object({
  inviteCode: z.string({ error: 'Invite code is required' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid invite code'),
  password: roomPasswordSchema.optional()
});

/** POST /api/rooms */
export type CreateRoomRequest = z.input<typeof createRoomSchema>;
/** POST /api/rooms/:id/join: a findable room only (or one I am already in) */
export type JoinRoomRequest = z.input<typeof joinRoomSchema>;
/** POST /api/rooms/join-by-code */
export type JoinByCodeRequest = z.input<typeof joinByCodeSchema>;
/** PATCH /api/rooms/:id */
export type RoomSettingsRequest = z.input<typeof roomSettingsSchema>;

export interface RoomSummary {
  id: string;
  name: string;
  ownerId: number;
  inviteCode: string;
  hasPassword: boolean;
  maxMembers: number;
  memberCount: number;
  isOwner: boolean;
  /** Listed in the room search, joinable without an invite. */
  findable: boolean;
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

/** A findable room as the search shows it. */
export interface FoundRoom {
  id: string;
  name: string;
  memberCount: number;
  maxMembers: number;
  hasPassword: boolean;
  isMember: boolean;
}

/** GET /api/rooms/search: one page of findable rooms whose name contains the text. */
export interface RoomSearchResult {
  rooms: FoundRoom[];
  /** More rooms match past this page (ask again with `offset` + the page's length). */
  hasMore: boolean;
}
