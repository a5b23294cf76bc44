import { api } from '$lib/api';
import { IMAGE_MAX_BYTES, IMAGE_TOO_LARGE } from '$lib/protocol/limits';

// Pictures for image messages: checked here first (no point sending 5 MB to be told no), then
// posted through the REST client, which reports upload progress.

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** Why this file cannot be sent, in words, or null when it can. */
export function checkImage(file: File): string | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) return 'Only PNG, JPEG, GIF and WebP images can be sent';
  if (file.size > IMAGE_MAX_BYTES) return IMAGE_TOO_LARGE;
  return null;
}

export type { UploadHandle } from '$lib/api';
export const uploadImage = api.upload.image;
