import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { pipeline } from 'node:stream/promises';
import { IMAGE_MAX_BYTES, IMAGE_TOO_LARGE, settingsSchema } from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import { currentUser, parseBody } from '../infra/http.ts';
import type { ProfileLimits } from '../infra/limits.ts';
import { AVATAR_SUBFOLDER, type ProfileService } from './service.ts';

// REST for the signed-in user's own profile, and the pictures served to everyone who sees them
// (docs/architecture.md#profiles).

/** A picture's name and bytes never change (a new picture gets a new name): kept for a year, by the browser only. */
export const AVATAR_CACHE = 'private, max-age=31536000, immutable';

// Memory storage, the uploads' caps: nothing reaches the disk before sharp has re-encoded it.
const receive = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: IMAGE_MAX_BYTES, files: 1, fields: 0, parts: 1, fieldNameSize: 100, headerPairs: 20 }
}).single('image');

function receiveImage(req: Request, res: Response, next: NextFunction): void {
  receive(req, res, (err: unknown) => {
    if (!err) return next();
    if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') return next(new AppError('VALIDATION_ERROR', IMAGE_TOO_LARGE, { status: 413 }));
    if (err instanceof multer.MulterError && ['LIMIT_UNEXPECTED_FILE', 'LIMIT_FIELD_COUNT', 'LIMIT_PART_COUNT'].includes(err.code)) {
      return next(new AppError('VALIDATION_ERROR', 'Send exactly one file, in the "image" field'));
    }
    next(new AppError('VALIDATION_ERROR', 'The upload could not be read'));
  });
}

export interface ProfileRouterDeps {
  profiles: ProfileService;
  limits: ProfileLimits;
  requireAuth: RequestHandler;
}

/** `/api/account`: my profile picture and my settings. */
export function createProfileRouter({ profiles, limits, requireAuth }: ProfileRouterDeps): Router {
  const router = Router();
  // Counted before the body is read: a flood of pictures costs no parsing or decoding.
  const countAvatar: RequestHandler = async (req, _res, next) => {
    await limits.takeAvatar(currentUser(req).id);
    next();
  };

  router.get('/profile', requireAuth, async (req, res) => {
    res.json(await profiles.profile(currentUser(req).id));
  });

  router.post('/avatar', requireAuth, countAvatar, receiveImage, async (req, res) => {
    if (!req.file) throw new AppError('VALIDATION_ERROR', 'Choose an image (multipart field "image")');
    res.status(201).json(await profiles.setAvatar(currentUser(req).id, req.file.buffer));
  });

  router.delete('/avatar', requireAuth, countAvatar, async (req, res) => {
    res.json(await profiles.removeAvatar(currentUser(req).id));
  });

  router.get('/settings', requireAuth, async (req, res) => {
    res.json(await profiles.settings(currentUser(req).id));
  });

  router.put('/settings', requireAuth, async (req, res) => {
    const user = currentUser(req);
    const settings = parseBody(req, settingsSchema);
    await limits.takeSettings(user.id);
    res.json(await profiles.saveSettings(user.id, settings));
  });

  return router;
}

/** GET /uploads/avatars/{filename}: a picture from the folder or the bucket; anything else falls through. */
export function createServedAvatarsRouter({ profiles }: { profiles: ProfileService }): Router {
  const router = Router();
  router.get(`/${AVATAR_SUBFOLDER}/:filename`, async (req, res, next) => {
    const picture = await profiles.open(req.params.filename);
    if (!picture) return next();
    res.set({
      // Every picture is WebP we wrote ourselves; nosniff is already set for every response.
      'Content-Type': 'image/webp',
      'Content-Length': String(picture.size),
      'Cache-Control': AVATAR_CACHE,
      'Last-Modified': picture.modified.toUTCString(),
      ETag: picture.etag,
      'Content-Security-Policy': "default-src 'none'; sandbox"
    });
    if (req.fresh || req.method === 'HEAD') {
      picture.body.destroy();
      res.status(req.fresh ? 304 : 200).end();
      return;
    }
    try {
      await pipeline(picture.body, res);
    } catch {
      res.destroy();
    }
  });
  return router;
}
