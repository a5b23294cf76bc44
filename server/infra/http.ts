import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import { IMAGE_MAX_BYTES, IMAGE_TOO_LARGE, type PublicUser } from '../../src/lib/protocol/index.ts';
import { AppError, parse } from './errors.ts';

// What every REST adapter reads from a request (its parsed body, its signed-in user, an uploaded
// image) and how a stored file is sent back.

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the sessions' requireAuth. */
      user?: PublicUser;
    }
  }
}

/** The body parsed with a contract schema; a request without one is an empty object. */
export function parseBody<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parse(schema, req.body ?? {});
}

/** The signed-in user of a request that passed requireAuth. */
export function currentUser(req: Request): PublicUser {
  if (!req.user) throw new Error('requireAuth must run before this handler');
  return req.user;
}

// Memory storage: nothing reaches the disk before the feature has checked (or re-encoded) the bytes.
const receive = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: IMAGE_MAX_BYTES, files: 1, fields: 0, parts: 1, fieldNameSize: 100, headerPairs: 20 }
}).single('image');

const unreadable = () => new AppError('VALIDATION_ERROR', 'The upload could not be read');

/**
 * Reads one image, the multipart field `image`, of at most IMAGE_MAX_BYTES into `req.file`; multer's
 * errors become the answers the client shows.
 */
export function receiveImage(req: Request, res: Response, next: NextFunction): void {
  receive(req, res, (err: unknown) => {
    if (!err) return next();
    if (!(err instanceof multer.MulterError)) return next(unreadable()); // busboy's complaints, or a client that went away
    if (err.code === 'LIMIT_FILE_SIZE') return next(new AppError('VALIDATION_ERROR', IMAGE_TOO_LARGE, { status: 413 }));
    if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FIELD_COUNT' || err.code === 'LIMIT_PART_COUNT') {
      return next(new AppError('VALIDATION_ERROR', 'Send exactly one file, in the "image" field'));
    }
    next(unreadable());
  });
}

/** A stored file opened for sending, from the uploads folder or the bucket. */
export interface StoredFile {
  body: Readable;
  size: number;
  modified: Date;
  /** A validator for conditional requests, quoted as HTTP writes it. */
  etag: string;
}

/**
 * Sends a stored file with its type and caching rule, the same from either store; opened directly
 * it may run nothing (nosniff is already set for every response). A conditional request that
 * matches gets 304 without the bytes.
 */
export async function sendStoredFile(req: Request, res: Response, file: StoredFile, { type, cache }: { type: string; cache: string }): Promise<void> {
  res.set({
    'Content-Type': type,
    'Content-Length': String(file.size),
    'Cache-Control': cache,
    'Last-Modified': file.modified.toUTCString(),
    ETag: file.etag,
    'Content-Security-Policy': "default-src 'none'; sandbox"
  });
  if (req.fresh || req.method === 'HEAD') {
    file.body.destroy();
    res.status(req.fresh ? 304 : 200).end();
    return;
  }
  try {
    await pipeline(file.body, res);
  } catch {
    // The client went away, or the store failed midway: the response is cut short either way.
    res.destroy();
  }
}
