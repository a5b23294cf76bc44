// Error codes of the real-time contract and the shapes errors travel in.

export const ERROR_CODES = [
  'RATE_LIMITED',
  'ROOM_FULL',
  'NOT_MEMBER',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'VALIDATION_ERROR',
  // The server could not reach its storage (Redis down); try again.
  'UNAVAILABLE',
  // Added: the client did not read what the server sent it fast enough; the server closed the
  // connection and the client may reconnect.
  'SLOW_CONNECTION',
  // Added: the session token ran out while the socket was open; the server closes it.
  'SESSION_EXPIRED',
  // Added: a direct conversation whose two people are no longer friends takes no new messages.
  'DIRECT_CLOSED'
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The socket's `error` event and the failure side of every acknowledgement. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** The client event that failed, so a client can show the error where the user acted. */
  event?: string;
  roomId?: string;
}

/** Every JSON error over HTTP. */
export interface HttpError {
  error: string;
}
