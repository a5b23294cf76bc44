import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { pipeline } from 'node:stream/promises';
import { IMAGE_MAX_BYTES } from '../../src/lib/protocol/index.ts';
import { UPLOAD_CACHE } from '../infra/delivery.ts';
import { AppError } from '../infra/errors.ts';
import { currentUser } from '../infra/http.ts';
import type { UploadLimit } from '../infra/limits.ts';
import { contentTypeOf, UPLOADS_SUBFOLDER } from './files.ts';
import type { UploadService } from './service.ts';
import { TOO_LARGE } from './validate.ts';

// Memory storage: nothing reaches the disk before the bytes have been checked.
const receive = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: IMAGE_MAX_BYTES, files: 1, fields: 0, parts: 1, fieldNameSize: 100, headerPairs: 20 }
}).single('image');

const unreadable = () => new AppError('VALIDATION_ERROR', 'The upload could not be read');

/** Multer's errors as the answers the client shows. */
function receiveImage(req: Request, res: Response, next: NextFunction): void {
  receive(req, res, (err: unknown) => {
    if (!err) return next();
    if (!(err instanceof multer.MulterError)) return next(unreadable()); // busboy's complaints, or a client that went away
    if (err.code === 'LIMIT_FILE_SIZE') return next(new AppError('VALIDATION_ERROR', TOO_LARGE, { status: 413 }));
    if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FIELD_COUNT' || err.code === 'LIMIT_PART_COUNT') {
      return next(new AppError('VALIDATION_ERROR', 'Send exactly one file, in the "image" field'));
    }
    next(unreadable());
  });
}

export interface UploadRouterDeps {
  uploads: UploadService;
  limit: UploadLimit;
  requireAuth: RequestHandler;
}

/** POST /api/upload: one image in the multipart field `image`, answered with where it is served. */
export function createUploadRouter({ uploads, limit, requireAuth }: UploadRouterDeps): Router {
  const router = Router();
  // Counted before the body is read: a flood of uploads costs no parsing.
  const countUpload: RequestHandler = async (req, _res, next) => {
    await limit.take(currentUser(req).id);
    next();
  };

  router.post('/', requireAuth, countUpload, receiveImage, async (req, res) => {
    if (!req.file) throw new AppError('VALIDATION_ERROR', 'Choose an image to upload (multipart field "image")');
    res.status(201).json(await uploads.save(currentUser(req).id, req.file.buffer, req.file.mimetype));
  });

  return router;
}

/**
 * GET /uploads/messages/{filename}: an upload streamed from the folder or the bucket, with the
 * same headers from either (docs/scaling.md#uploads). Anything else under /uploads falls through.
 */
export function createServedUploadsRouter({ uploads }: { uploads: UploadService }): Router {
  const router = Router();
  router.get(`/${UPLOADS_SUBFOLDER}/:filename`, async (req, res, next) => {
    const upload = await uploads.open(req.params.filename);
    if (!upload) return next();
    res.set({
      // The type comes from the extension we chose after checking the bytes; opened directly, an
      // upload may run nothing (nosniff is already set for every response).
      'Content-Type': contentTypeOf(req.params.filename),
      'Content-Length': String(upload.size),
      'Cache-Control': UPLOAD_CACHE,
      'Last-Modified': upload.modified.toUTCString(),
      ETag: upload.etag,
      'Content-Security-Policy': "default-src 'none'; sandbox"
    });
    if (req.fresh || req.method === 'HEAD') {
      upload.body.destroy();
      res.status(req.fresh ? 304 : 200).end();
      return;
    }
    try {
      await pipeline(upload.body, res);
    } catch {
      // The client went away, or the store failed midway: the response is cut short either way.
      res.destroy();
    }
  });
  return router;
}
