import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_URL_PATTERN } from '../../src/lib/protocol/index.ts';

/** `{nanoid}.{ext}` exactly; nothing with a slash, dots or other characters can name a file. */
const FILENAME_PATTERN = /^[A-Za-z0-9_-]{21}\.(png|jpg|gif|webp)$/;

export function isUploadFilename(name: string): boolean {
  return FILENAME_PATTERN.test(name);
}

/** The filename an image message's content points at, or null when it is not one of ours. */
export function filenameFromImageUrl(url: string): string | null {
  const match = IMAGE_URL_PATTERN.exec(url);
  return match ? `${match[1]}.${match[2]}` : null;
}

export function imageUrlFor(filename: string): string {
  return `/uploads/messages/${filename}`;
}

/** Absolute path inside UPLOADS_DIR/messages; throws for anything that is not an upload name. */
export function uploadPath(uploadsDir: string, filename: string): string {
  if (!isUploadFilename(filename)) throw new Error(`Not an upload filename: ${JSON.stringify(filename)}`);
  return path.join(uploadsDir, 'messages', filename);
}

/** Deletes one uploaded file; a file already gone is not an error. */
export async function removeUpload(uploadsDir: string, filename: string): Promise<void> {
  try {
    await unlink(uploadPath(uploadsDir, filename));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
