import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { describeIssues, roomIdSchema, type ErrorCode, type ErrorPayload, type HandshakeRefusal } from '../../src/lib/protocol/index.ts';

// One error shape for the whole server: services throw AppError; REST answers it as
// `{ error: message }` with its status, the socket layer as `error { code, message }` plus a
// failed acknowledgement (docs/architecture.md#bad-input-never-crashes).

/** The HTTP status of each contract code, unless a refusal names its own. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 403,
  NOT_MEMBER: 403,
  NOT_FOUND: 404,
  ROOM_FULL: 409,
  RATE_LIMITED: 429,
  SESSION_EXPIRED: 401,
  UNAVAILABLE: 503,
  SLOW_CONNECTION: 503,
  DIRECT_CLOSED: 409
};

export interface AppErrorOptions {
  /** Overrides the code's status: 401 for sign-in, 409 for conflicts, 413/415/422 for uploads. */
  status?: number;
  /** Sent as Retry-After over HTTP. */
  retryAfterSeconds?: number;
}

/** A refusal the user should see, in the contract's words. */
export class AppError extends Error {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {}
  ) {
    super(message);
    this.name = 'AppError';
    this.status = options.status ?? HTTP_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A handshake refused only for now: the client is told to try again (`HandshakeRefusal`). */
export function refusedForNow(message: string): Error & { data: HandshakeRefusal } {
  return Object.assign(new Error(message), { data: { retry: true as const } });
}

export const rateLimited = (message: string, retryAfterSeconds?: number) => new AppError('RATE_LIMITED', message, { retryAfterSeconds });

/** Parses input (a REST body, a socket payload) with a contract schema; anything else is VALIDATION_ERROR. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('VALIDATION_ERROR', describeIssues(result.error));
  return result.data;
}

/** The REST side: `{ error }` with the status; anything unexpected is logged and answered 500. */
export const answerErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (err instanceof AppError) {
    if (res.headersSent) return;
    if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(err.status).json({ error: err.message });
    return;
  }
  const { status, type, message } = frameworkError.safeParse(err).data ?? {};
  const clientError = status !== undefined && status >= 400 && status < 500;
  if (!clientError) console.error(err);
  if (res.headersSent) return;
  const text =
    type === 'entity.parse.failed'
      ? 'Request body is not valid JSON'
      : type === 'entity.too.large'
        ? 'Request body is too large'
        : clientError
          ? String(message ?? 'Bad request')
          : 'Something went wrong';
  res.status(clientError ? status : 500).json({ error: text });
};

/** What errors of Express and body-parser carry: a 4xx status and a type. */
const frameworkError = z.object({ status: z.number().optional().catch(undefined), type: z.unknown(), message: z.unknown() });

const STORAGE_DOWN = "The chat server can't reach its storage right now. Try again in a moment.";
let lastLogged = 0;

/** The socket side: what the client is told about a failed event; storage trouble is UNAVAILABLE. */
export function errorPayload(err: unknown, event: string, payload: unknown): ErrorPayload {
  const roomId = roomIdOf(payload);
  const about = { event, ...(roomId ? { roomId } : {}) };
  if (err instanceof AppError) return { code: err.code, message: err.message, ...about };
  // Connection errors are expected while Redis is away (the client logs them, throttled); anything
  // else is a bug worth seeing, but still answered so the client is never left waiting.
  if (!isConnectionError(err) && Date.now() - lastLogged > 1000) {
    lastLogged = Date.now();
    console.error(`[socket] ${event} failed:`, err);
  }
  return { code: 'UNAVAILABLE', message: STORAGE_DOWN, ...about };
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
  return aboutRoom.safeParse(payload).data?.roomId;
}

const aboutRoom = z.object({ roomId: roomIdSchema });
