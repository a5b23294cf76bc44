import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { nanoid } from 'nanoid';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_MAX_BYTES, UPLOADS_PER_HOUR, type UploadResult } from '../../src/lib/protocol/index.ts';
import type { AppContext } from '../app.ts';
import { currentUser } from '../auth/session.ts';
import type { Redis } from '../infra/redis.ts';
import { imageUrlFor, removeUpload, uploadPath } from '../uploads/files.ts';
import { checkImage } from '../uploads/validate.ts';

const TOO_LARGE = 'Image must be 2 MB or smaller';

/** Counts every attempt (valid or not) in a fixed one-hour window shared by all server processes. */
function limitUploads(redis: Redis): RequestHandler {
  return async (req, res, next) => {
    const key = `bbb:uploadlimit:${currentUser(req).id}`;
    let count: number;
    try {
      const [[, incr]] = (await redis.multi().incr(key).expire(key, 3600, 'NX').exec()) as [[Error | null, number]];
      count = incr;
    } catch {
      // Redis away: messages cannot be sent either, and the hourly cleanup still bounds the disk.
      return next();
    }
    if (count <= UPLOADS_PER_HOUR) return next();
    const ttl = await redis.ttl(key).catch(() => 3600);
    res.setHeader('Retry-After', String(Math.max(ttl, 1)));
    res.status(429).json({ error: `Too many uploads: at most ${UPLOADS_PER_HOUR} an hour. Try again later.` });
  };
}

// Memory storage: nothing reaches the disk before the bytes have been checked.
const receive = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: IMAGE_MAX_BYTES, files: 1, fields: 0, parts: 1, fieldNameSize: 100, headerPairs: 20 }
}).single('image');

/** Multer's errors as the JSON answers the client shows. */
function receiveImage(req: Request, res: Response, next: NextFunction): void {
  receive(req, res, (err: unknown) => {
    if (!err) return next();
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') {
        res.status(413).json({ error: TOO_LARGE });
      } else if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FIELD_COUNT' || err.code === 'LIMIT_PART_COUNT') {
        res.status(400).json({ error: 'Send exactly one file, in the "image" field' });
      } else {
        res.status(400).json({ error: 'The upload could not be read' });
      }
      return;
    }
    // Busboy's complaints about a malformed multipart body, or a client that went away.
    res.status(400).json({ error: 'The upload could not be read' });
  });
}

/** POST /api/upload: one image in the multipart field `image`, answered with where it is served. */
export function createUploadRouter(ctx: AppContext): Router {
  const router = Router();
  const messagesDir = path.join(ctx.config.uploadsDir, 'messages');

  router.post('/', ctx.sessions.requireAuth, limitUploads(ctx.redis), receiveImage, async (req, res) => {
    const file = req.file;
    if (!file) {
      res.status(400).json({ error: 'Choose an image to upload (multipart field "image")' });
      return;
    }
    const check = checkImage(file.buffer, file.mimetype);
    if (!check.ok) {
      res.status(check.status).json({ error: check.error });
      return;
    }

    // Our own name, our own extension: nothing of the client's filename reaches the disk.
    const filename = `${nanoid()}.${check.ext}`;
    try {
      await mkdir(messagesDir, { recursive: true });
      await writeFile(uploadPath(ctx.config.uploadsDir, filename), file.buffer, { flag: 'wx' });
      ctx.queries.recordUpload.run(filename, currentUser(req).id);
    } catch (err) {
      await removeUpload(ctx.config.uploadsDir, filename).catch(() => undefined);
      throw err;
    }
    res.status(201).json({ url: imageUrlFor(filename) } satisfies UploadResult);
  });

  return router;
}
