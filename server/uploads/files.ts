import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_URL_PATTERN, type ImageExtension } from '../../src/lib/protocol/index.ts';
import type { StoredFile } from '../infra/http.ts';

// Where uploaded images are kept: one interface, two places behind it (docs/scaling.md#uploads).
// The uploads folder is the zero-setup default; an S3-compatible bucket (bucket.ts) is for
// processes on several machines. Both know an upload only by its name, which this module checks
// before any path or key is built from it.

/** `{nanoid}.{ext}` exactly; nothing with a slash, dots or other characters can name a file. */
const FILENAME_PATTERN = /^[A-Za-z0-9_-]{21}\.(png|jpg|gif|webp)$/;

/** Uploads sit under this folder of UPLOADS_DIR, or under this key prefix in the bucket. */
export const UPLOADS_SUBFOLDER = 'messages';

export function isUploadFilename(name: string): boolean {
  return FILENAME_PATTERN.test(name);
}

/** Throws for anything that is not an upload name; answers the name for chaining. */
export function checkedName(filename: string): string {
  if (!isUploadFilename(filename)) throw new Error(`Not an upload filename: ${JSON.stringify(filename)}`);
  return filename;
}

/** The filename an image message's content points at, or null when it is not one of ours. */
export function filenameFromImageUrl(url: string): string | null {
  const match = IMAGE_URL_PATTERN.exec(url);
  return match ? `${match[1]}.${match[2]}` : null;
}

export function imageUrlFor(filename: string): string {
  return `/uploads/${UPLOADS_SUBFOLDER}/${filename}`;
}

/** The type an upload is served as: from the extension we gave it after checking its bytes. */
export const CONTENT_TYPES: Record<ImageExtension, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp'
};

export function contentTypeOf(filename: string): string {
  return CONTENT_TYPES[path.extname(checkedName(filename)).slice(1) as ImageExtension];
}

/** One stored upload as a listing sees it. */
export interface ListedUpload {
  filename: string;
  modifiedMs: number;
}

export interface UploadFiles {
  /** Where uploads go, for the start-up line ("the folder …", "the bucket …"). */
  readonly place: string;
  /** Makes sure the place exists and answers; throws with a clear message when it does not. */
  ready(): Promise<void>;
  /** Stores checked bytes under a fresh name of ours. */
  put(filename: string, bytes: Buffer): Promise<void>;
  has(filename: string): Promise<boolean>;
  /** The upload to stream to a client, or null when there is none of that name. */
  open(filename: string): Promise<StoredFile | null>;
  /** Deletes one upload; one already gone is not an error. */
  remove(filename: string): Promise<void>;
  /** Every stored object named like our uploads, with when it was written; nothing else. */
  list(): AsyncIterable<ListedUpload>;
  /** Lets go of connections; nothing can be asked afterwards. */
  close(): void;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Uploads as files in `UPLOADS_DIR/messages/`, or in another folder beside it (profile pictures
 * keep their own, out of reach of the hourly cleanup of message images).
 */
export function createFolderFiles(uploadsDir: string, subfolder: string = UPLOADS_SUBFOLDER): UploadFiles {
  const dir = path.join(uploadsDir, subfolder);
  const pathOf = (filename: string) => path.join(dir, checkedName(filename));
  // Only a regular file counts: a symlink or folder named like an upload is never served or
  // deleted (lstat does not follow links).
  const regularFile = (filename: string) =>
    lstat(pathOf(filename)).then(
      (stats) => (stats.isFile() ? stats : null),
      (err: unknown) => {
        if (isMissing(err)) return null;
        throw err;
      }
    );

  return {
    place: `the folder ${dir}`,

    async ready() {
      await mkdir(dir, { recursive: true });
    },

    async put(filename, bytes) {
      await mkdir(dir, { recursive: true });
      await writeFile(pathOf(filename), bytes, { flag: 'wx' });
    },

    async has(filename) {
      return (await regularFile(filename)) !== null;
    },

    async open(filename) {
      const stats = await regularFile(filename);
      if (!stats) return null;
      return {
        body: createReadStream(pathOf(filename)),
        size: stats.size,
        modified: stats.mtime,
        etag: `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`
      };
    },

    async remove(filename) {
      try {
        await unlink(pathOf(filename));
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    },

    async *list() {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      for (const entry of entries) {
        // Dirent types come from lstat: a symlink is never isFile(), whatever it points at.
        if (!entry.isFile() || !isUploadFilename(entry.name)) continue;
        const stats = await regularFile(entry.name).catch(() => null);
        if (stats) yield { filename: entry.name, modifiedMs: stats.mtimeMs };
      }
    },

    close() {}
  };
}
