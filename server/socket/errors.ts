import type { z } from 'zod';
import { describeIssues, roomIdSchema, type ErrorCode, type ErrorPayload } from '../../src/lib/protocol/index.ts';

/** A refusal the user should see: becomes `error { code, message }` and the failed acknowledgement. */
export class SocketError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message);
  }
}

export const notMember = () => new SocketError('NOT_MEMBER', 'You are not a member of this room');
export const rateLimited = (message: string) => new SocketError('RATE_LIMITED', message);

/** Parses an inbound payload with the contract's schema; anything else is VALIDATION_ERROR. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new SocketError('VALIDATION_ERROR', describeIssues(result.error));
  return result.data;
}

const STORAGE_DOWN = "The chat server can't reach its storage right now. Try again in a moment.";
let lastLogged = 0;

/** What the client is told about a failure; storage trouble (Redis away) is UNAVAILABLE. */
export function toErrorPayload(err: unknown, event: string, payload: unknown): ErrorPayload {
  const roomId = roomIdOf(payload);
  if (err instanceof SocketError) return { code: err.code, message: err.message, event, ...(roomId ? { roomId } : {}) };
  // Connection errors are expected while Redis is away (the client logs them, throttled); anything
  // else is a bug worth seeing, but still answered so the client is never left waiting.
  if (!isConnectionError(err) && Date.now() - lastLogged > 1000) {
    lastLogged = Date.now();
    console.error(`[socket] ${event} failed:`, err);
  }
  return { code: 'UNAVAILABLE', message: STORAGE_DOWN, event, ...(roomId ? { roomId } : {}) };
}

function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|Stream isn't writeable/i.test(err.message)
  );
}

/** The room an event was about, when the payload names a valid one (for the client's error routing). */
function roomIdOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || !Object.hasOwn(payload, 'roomId')) return undefined;
  const parsed = roomIdSchema.safeParse((payload as { roomId: unknown }).roomId);
  return parsed.success ? parsed.data : undefined;
}
