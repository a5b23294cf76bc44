// Every number the product promises lives here once; server, client, tests and bench import it.

export const MESSAGE_TTL_SECONDS = 48 * 60 * 60;
export const ROOM_MAX_MEMBERS = 16;
export const USER_MAX_ROOMS = 20;
export const ROOM_NAME_MAX = 50;
export const ROOM_PASSWORD_MAX = 128;
export const TEXT_MAX_CHARS = 2000;
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/** Why an image over IMAGE_MAX_BYTES is refused. */
export const IMAGE_TOO_LARGE = `Image must be ${IMAGE_MAX_BYTES / (1024 * 1024)} MB or smaller`;
export const UPLOAD_MAX_AGE_HOURS = 50;
export const HISTORY_PAGE_SIZE = 50;
/**
 * A history page also stops at this many bytes of stored messages (it always holds at least one),
 * so a room of large drawings cannot make every join a many-megabyte answer.
 */
export const HISTORY_PAGE_MAX_BYTES = 512 * 1024;
export const TYPING_EXPIRE_MS = 5000;
/** One message:send per user per this many seconds. */
export const SEND_INTERVAL_SECONDS = 1;
/** Socket.IO refuses frames larger than this (a full drawing plus envelope fits). */
export const SOCKET_MAX_FRAME_BYTES = 512 * 1024;

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 20;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Wrong sign-in passwords per minute per client address unless AUTH_RATE_LIMIT says otherwise. */
export const AUTH_RATE_LIMIT_DEFAULT = 10;
export const SESSION_DAYS = 7;
/** bcrypt reads only this many bytes of a password; a new password may not be longer. */
export const PASSWORD_MAX_BYTES = 72;

// Sign-in limits, counted in failed attempts (see server/auth/rateLimit.ts). AUTH_RATE_LIMIT is the
// per-minute count per address; an address gets this many times that per day.
export const SIGN_IN_DAILY_FACTOR = 10;
/** Wrong passwords in a row for one username from one address before it must wait. */
export const SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS = 10;
export const SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS = 60 * 60;
/**
 * Wrong passwords for one username from all addresses together in a window; past it, an address
 * that already failed for the name waits, an address that did not still gets its try.
 */
export const SIGN_IN_FAILS_PER_USERNAME = 20;
export const SIGN_IN_USERNAME_WINDOW_SECONDS = 15 * 60;
/** Accounts one address may try to create per hour (counted once the request is valid). */
export const REGISTRATIONS_PER_ADDRESS_PER_HOUR = 10;

/** Shortest password a new room may have; older rooms keep whatever they had. */
export const ROOM_PASSWORD_MIN = 4;
/** Wrong room passwords one user may try on one room per window. */
export const ROOM_PASSWORD_FAILS_PER_USER = 5;
/**
 * Wrong passwords on one room from all users together per window; past it, users who already
 * failed on the room wait, a user's first try still goes through.
 */
export const ROOM_PASSWORD_FAILS_PER_ROOM = 5;
export const ROOM_PASSWORD_WINDOW_SECONDS = 60;

/** Uploads per user per hour, so nobody fills the disk. */
export const UPLOADS_PER_HOUR = 60;
/** Invite links looked up while signed out, per address per minute (the sign-in page names the room). */
export const INVITE_LOOKUPS_PER_MINUTE = 30;
/** Larger images decode to hundreds of megabytes in every member's browser. */
export const IMAGE_MAX_PIXELS = 40_000_000;
export const IMAGE_MAX_SIDE = 16_384;

// What one client may make the server spend on the socket. Past a limit the client gets a
// RATE_LIMITED error (or, for the unsent-bytes budget, is disconnected with SLOW_CONNECTION).

/** Live sockets per user over every server process (tabs, devices). */
export const SOCKETS_PER_USER = 10;
/**
 * Bytes the server may hold for one socket that it could not send yet. A client that stops
 * reading passes it and is disconnected, so it never makes the server buffer without end.
 */
export const SOCKET_MAX_UNSENT_BYTES = 4 * 1024 * 1024;
/** A history read waits until less than this is still unsent to the socket. */
export const SOCKET_READ_UNSENT_BYTES = 2 * 1024 * 1024;
/** room:join and room:history-older per socket, and per user over all sockets, in READS_WINDOW_SECONDS. */
export const READS_PER_SOCKET = 10;
export const READS_PER_USER = 20;
export const READS_WINDOW_SECONDS = 10;
/**
 * Bytes of history (pages sent on join or when scrolling up) per user in READS_WINDOW_SECONDS,
 * over all sockets; the page that spends the last of it may go past it. Opening a room costs one
 * page, at most HISTORY_PAGE_MAX_BYTES; scrolling back through a room of large drawings slows to
 * about two such pages per window.
 */
export const HISTORY_BYTES_PER_USER = 1024 * 1024;
/** room:join plus room:leave per user per minute: switching rooms, reconnecting, never a loop. */
export const ROOM_SWITCHES_PER_MINUTE = 60;
/** message:delete per user per second. */
export const DELETES_PER_SECOND = 5;

// The room list (docs/architecture.md#room-activity).

/** Characters of a text message the room list shows. */
export const PREVIEW_TEXT_CHARS = 120;
/** A drawing's thumbnail is thinned until it takes at most this many bytes of JSON. */
export const THUMBNAIL_MAX_BYTES = 12 * 1024;
/** Unread messages are counted up to this many per room ("99+" past it). */
export const UNREAD_MAX = 99;
/** rooms:activity requests per user per minute (the list is asked for on each connect). */
export const ACTIVITY_READS_PER_MINUTE = 60;
/** room:read per user per minute: a page marks a room read at most every couple of seconds. */
export const READ_MARKS_PER_MINUTE = 120;

// Account email and passwords (docs/architecture.md#email-and-password-resets).

/** Longest email address accepted (the SMTP path limit). */
export const EMAIL_MAX = 254;
/** A verification link works this long, once. */
export const EMAIL_VERIFY_HOURS = 24;
/** A password-reset link works this long, once. */
export const PASSWORD_RESET_MINUTES = 60;
/** Mails (verification, notice or reset) one email address may be sent per hour, whoever asks. */
export const MAILS_PER_ADDRESS_PER_HOUR = 3;
/** Verification mails one account may ask for per hour. */
export const VERIFY_MAILS_PER_ACCOUNT_PER_HOUR = 5;
/**
 * Reset mails one account may be sent per hour, to whichever address it has verified: past it the
 * request is answered as always and nothing is mailed.
 */
export const RESET_MAILS_PER_ACCOUNT_PER_HOUR = 3;
/** Forgot-password requests one client address may make per hour, for any addresses. */
export const RESET_REQUESTS_PER_CLIENT_PER_HOUR = 20;
/** Links (verification or reset) one client address may try per hour. */
export const LINK_TRIES_PER_CLIENT_PER_HOUR = 30;
/** Wrong current passwords one account may give when changing its password, per window. */
export const PASSWORD_CHANGE_FAILS = 5;
export const PASSWORD_CHANGE_WINDOW_SECONDS = 15 * 60;

// Public rooms and account deletion (docs/architecture.md#public-rooms).

/** Longest search text for findable rooms (a room name is never longer). */
export const ROOM_SEARCH_QUERY_MAX = ROOM_NAME_MAX;
/** Findable rooms one search answers at most; the next page starts at an offset. */
export const ROOM_SEARCH_PAGE_SIZE = 20;
/** How far the pages of one search reach; past it, a more precise name is the way. */
export const ROOM_SEARCH_MAX_OFFSET = 200;
/** Room searches per user per minute (each is a scan of the findable rooms' names). */
export const ROOM_SEARCHES_PER_MINUTE = 30;

// Friends (docs/architecture.md#friends-and-direct-messages).

/** Friends a user may have; a direct-message room comes with each, so this also bounds those. */
export const MAX_FRIENDS = 200;
/** Requests a user may have waiting for an answer at once. */
export const MAX_OUTGOING_FRIEND_REQUESTS = 20;
/** Friend requests a user may send per hour. */
export const FRIEND_REQUESTS_PER_HOUR = 30;
/** Other friend actions (answers, removals, blocks, opening direct messages) per user per minute. */
export const FRIEND_ACTIONS_PER_MINUTE = 60;
/** People a user may block. */
export const MAX_BLOCKED = 500;

// Profiles: a picture and settings per user (docs/architecture.md#profiles).

/** A profile picture is re-encoded to a square this many pixels on a side. */
export const AVATAR_SIZE = 128;
/** New or removed profile pictures per user per hour: each one is decoded and re-encoded. */
export const AVATAR_CHANGES_PER_HOUR = 20;
/** Saved settings per user per minute: a slider sends a few while it is dragged. */
export const SETTINGS_WRITES_PER_MINUTE = 30;
