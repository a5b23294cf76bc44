import { Router, type RequestHandler } from 'express';
import { UPLOAD_CACHE } from '../infra/delivery.ts';
import { AppError } from '../infra/errors.ts';
import { currentUser, receiveImage, sendStoredFile } from '../infra/http.ts';
import type { UploadLimit } from '../infra/limits.ts';
import { contentTypeOf, UPLOADS_SUBFOLDER } from './files.ts';
import type { UploadService } from './service.ts';

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
    // The type comes from the extension we chose after checking the bytes.
    await sendStoredFile(req, res, upload, { type: contentTypeOf(req.params.filename), cache: UPLOAD_CACHE });
  });
  return router;
}
