import { Router, type RequestHandler } from 'express';
import { settingsSchema } from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import { currentUser, parseBody, receiveImage, sendStoredFile } from '../infra/http.ts';
import type { ProfileLimits } from '../infra/limits.ts';
import { AVATAR_SUBFOLDER, type ProfileService } from './service.ts';

// REST for the signed-in user's own profile, and the pictures served to everyone who sees them
// (docs/architecture.md#profiles).

/** A picture's name and bytes never change (a new picture gets a new name): kept for a year, by the browser only. */
export const AVATAR_CACHE = 'private, max-age=31536000, immutable';

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
    // Every picture is WebP we wrote ourselves.
    await sendStoredFile(req, res, picture, { type: 'image/webp', cache: AVATAR_CACHE });
  });
  return router;
}
