import { z } from 'zod';

// A user's profile: the picture other members see, and the settings that follow the user from
// browser to browser (docs/architecture.md#profiles).

/** Where a profile picture is served; the name is new for every picture, so it may be kept long. */
export const AVATAR_URL_PATTERN = /^\/uploads\/avatars\/[A-Za-z0-9_-]{21}\.webp$/;

/**
 * The sound choices the app offers: all sounds on or off (drawing sounds and the chime), the
 * chime for a new message on its own, and one volume for every sound.
 */
export const settingsSchema = z.strictObject({
  sounds: z.boolean({ error: 'sounds must be true or false' }),
  messageSound: z.boolean({ error: 'messageSound must be true or false' }),
  volume: z.number({ error: 'volume must be a number' }).min(0, 'volume must be between 0 and 1').max(1, 'volume must be between 0 and 1')
});
export type Settings = z.infer<typeof settingsSchema>;

/** What a user who never saved settings gets: what the app did before settings were kept. */
export const DEFAULT_SETTINGS: Settings = { sounds: true, messageSound: true, volume: 1 };

/** GET /api/account/profile, and the answer to a new or removed picture. */
export interface Profile {
  /** The picture's URL, or null for the initial-and-colour look. */
  avatar: string | null;
}
