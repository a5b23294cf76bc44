import { nanoid } from 'nanoid';
import sharp from 'sharp';
import { AVATAR_SIZE, DEFAULT_SETTINGS, IMAGE_MAX_PIXELS, settingsSchema, type Profile, type Settings } from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import type { ServerEvents } from '../infra/events.ts';
import type { StoredFile } from '../infra/http.ts';
import type { WorkGate } from '../infra/limits.ts';
import type { ProfileStore } from './storage.ts';

// Profile pictures and settings (docs/architecture.md#profiles). A picture is never stored as
// sent: it is decoded (refusing anything past the pixel bound before decoding), cut to a centred
// square of AVATAR_SIZE, and written anew as WebP, which leaves behind metadata, animation frames
// after the first and anything else the file carried.

/** Where pictures are kept: the uploads folder's or bucket's `avatars` place (uploads/files.ts). */
export interface AvatarFiles {
  put(filename: string, bytes: Buffer): Promise<void>;
  open(filename: string): Promise<StoredFile | null>;
  remove(filename: string): Promise<void>;
}

export interface ProfileServiceDeps {
  store: ProfileStore;
  files: AvatarFiles;
  events: ServerEvents;
  /** How many pictures are decoded at once (createAvatarEncodeGate). */
  encoding: Pick<WorkGate, 'run'>;
}

export const AVATAR_SUBFOLDER = 'avatars';
/** A fresh nanoid per picture: a new picture is a new URL, so browsers may keep each one for good. */
const AVATAR_NAME = /^[A-Za-z0-9_-]{21}\.webp$/;
/** Formats a picture may arrive in, as sharp names them from the file's own bytes. */
const ACCEPTED_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);

export const avatarUrlFor = (filename: string) => `/uploads/${AVATAR_SUBFOLDER}/${filename}`;

const notAnImage = () => new AppError('VALIDATION_ERROR', 'Only PNG, JPEG, GIF and WebP images can be used as a picture', { status: 415 });
const tooManyPixels = () =>
  new AppError('VALIDATION_ERROR', `Image is too large: at most ${IMAGE_MAX_PIXELS / 1_000_000} megapixels`, { status: 422 });
const storeUnavailable = () => new AppError('UNAVAILABLE', 'Pictures cannot be stored right now; try again in a moment');

/** sharp's refusal of an image past limitInputPixels (it has no error codes, only words). */
const isPixelLimit = (err: unknown) => err instanceof Error && /pixel limit/i.test(err.message);

/** The picture as we store it: a centred AVATAR_SIZE square of WebP, or a refusal. */
async function reencode(bytes: Buffer): Promise<Buffer> {
  // limitInputPixels makes sharp refuse a bomb from its header, before any pixel is decoded.
  const input = () => sharp(bytes, { limitInputPixels: IMAGE_MAX_PIXELS, failOn: 'error' });
  let format: string | undefined;
  let pixels = 0;
  try {
    const meta = await input().metadata();
    format = meta.format;
    pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
  } catch (err) {
    throw isPixelLimit(err) ? tooManyPixels() : notAnImage();
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) throw notAnImage();
  if (pixels > IMAGE_MAX_PIXELS) throw tooManyPixels();
  try {
    return await input()
      .rotate() // the camera's orientation, before the EXIF that tells it is dropped
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'centre' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch (err) {
    if (isPixelLimit(err)) throw tooManyPixels();
    throw new AppError('VALIDATION_ERROR', 'This image is damaged or not really an image', { status: 415 });
  }
}

/** Stored settings as the contract has them; anything unreadable counts as never saved. */
function settingsFrom(stored: string | null | undefined): Settings {
  if (!stored) return DEFAULT_SETTINGS;
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function createProfileService({ store, files, events, encoding }: ProfileServiceDeps) {
  /** Deletes a replaced picture's file; one left behind costs a few kilobytes, never a wrong picture. */
  const removeFile = (filename: string | null) =>
    filename ? files.remove(filename).catch((err: unknown) => console.error('[profiles] could not remove a picture:', err)) : Promise.resolve();

  async function swap(userId: number, filename: string | null): Promise<Profile> {
    const old = await store.swapAvatar(userId, filename);
    await removeFile(old);
    const avatar = filename && avatarUrlFor(filename);
    if (old !== filename) events.emit('profile:avatar-changed', { userId, avatar });
    return { avatar };
  }

  return {
    async profile(userId: number): Promise<Profile> {
      const row = await store.getProfile(userId);
      return { avatar: row?.avatar ? avatarUrlFor(row.avatar) : null };
    },

    /** Re-encodes the picture, stores it under a new name, and removes the one it replaces. */
    async setAvatar(userId: number, bytes: Buffer): Promise<Profile> {
      const square = await encoding.run(() => reencode(bytes));
      const filename = `${nanoid()}.webp`;
      try {
        await files.put(filename, square);
      } catch (err) {
        console.error('[profiles] could not store a picture:', err);
        await files.remove(filename).catch(() => undefined);
        throw storeUnavailable();
      }
      try {
        return await swap(userId, filename);
      } catch (err) {
        await files.remove(filename).catch(() => undefined);
        throw err;
      }
    },

    /** Back to the initial-and-colour look. */
    removeAvatar(userId: number): Promise<Profile> {
      return swap(userId, null);
    },

    /** The picture URL of each of these users who has one (member lists). */
    async avatarsOf(userIds: number[]): Promise<Map<number, string>> {
      const names = await store.getAvatars(userIds);
      return new Map([...names].map(([id, name]) => [id, avatarUrlFor(name)]));
    },

    /** A picture to send to whoever asks for its URL; null when there is none of that name. */
    async open(filename: string) {
      if (!AVATAR_NAME.test(filename)) return null;
      try {
        return await files.open(filename);
      } catch (err) {
        console.error('[profiles] could not read a picture:', err);
        throw storeUnavailable();
      }
    },

    async settings(userId: number): Promise<Settings> {
      return settingsFrom((await store.getProfile(userId))?.settings);
    },

    /** Replaces the user's settings with checked ones (the route parses them with the contract). */
    async saveSettings(userId: number, settings: Settings): Promise<Settings> {
      await store.setSettings(userId, JSON.stringify(settings));
      events.emit('profile:settings-saved', { userId, settings });
      return settings;
    }
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
