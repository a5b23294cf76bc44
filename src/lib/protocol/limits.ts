// Every number the product promises lives here once; server, client, tests and bench import it.

export const MESSAGE_TTL_SECONDS = 48 * 60 * 60;
export const ROOM_MAX_MEMBERS = 16;
export const USER_MAX_ROOMS = 20;
export const ROOM_NAME_MAX = 50;
export const ROOM_PASSWORD_MAX = 128;
export const TEXT_MAX_CHARS = 2000;
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const UPLOAD_MAX_AGE_HOURS = 50;
export const HISTORY_PAGE_SIZE = 50;
export const TYPING_EXPIRE_MS = 5000;
/** One message:send per user per this many seconds. */
export const SEND_INTERVAL_SECONDS = 1;
/** Socket.IO refuses frames larger than this (a full drawing plus envelope fits). */
export const SOCKET_MAX_FRAME_BYTES = 512 * 1024;

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 20;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Sign-in and register attempts per minute per IP unless AUTH_RATE_LIMIT says otherwise. */
export const AUTH_RATE_LIMIT_DEFAULT = 10;
export const SESSION_DAYS = 7;

/** Uploads per user per hour, so nobody fills the disk. */
export const UPLOADS_PER_HOUR = 60;
/** Larger images decode to hundreds of megabytes in every member's browser. */
export const IMAGE_MAX_PIXELS = 40_000_000;
export const IMAGE_MAX_SIDE = 16_384;
