import { nanoid } from 'nanoid';
import type { Message, UploadResult } from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import type { StoredFile } from '../infra/http.ts';
import { filenameFromImageUrl, imageUrlFor, isUploadFilename, type UploadFiles } from './files.ts';
import type { UploadStore } from './storage.ts';
import { checkImage } from './validate.ts';

// Uploaded images: saved once checked, claimed by exactly one message, removed with it or with its
// room (docs/architecture.md#image-messages-point-only-at-our-own-uploads).

export interface UploadServiceDeps {
  store: UploadStore;
  /** The uploads folder or the bucket (files.ts). */
  files: UploadFiles;
}

/** A claim on an upload for one message, given back when that message is not stored. */
export interface UploadClaim {
  release(): Promise<void>;
}

// The folder's disk or the bucket's server failing: the user may simply try again.
const storeUnavailable = () => new AppError('UNAVAILABLE', 'Images cannot be stored or shown right now; try again in a moment');

const imageRefused = () => new AppError('VALIDATION_ERROR', 'Send an image you uploaded yourself; each upload can be sent once');

export function createUploadService({ store, files }: UploadServiceDeps) {
  return {
    /** Checks the bytes, stores them under a name of our own and records the uploader. */
    async save(userId: number, bytes: Buffer, declaredMime: string): Promise<UploadResult> {
      const check = checkImage(bytes, declaredMime);
      if (!check.ok) throw new AppError('VALIDATION_ERROR', check.error, { status: check.status });
      // Our own name, our own extension: nothing of the client's filename reaches the disk.
      const filename = `${nanoid()}.${check.ext}`;
      try {
        await files.put(filename, bytes);
      } catch (err) {
        console.error('[uploads] could not store an image:', err);
        await files.remove(filename).catch(() => undefined);
        throw storeUnavailable();
      }
      try {
        await store.recordUpload(filename, userId);
      } catch (err) {
        await files.remove(filename).catch(() => undefined);
        throw err;
      }
      return { url: imageUrlFor(filename) };
    },

    /**
     * Claims the upload an image message points at for that message: it must be the sender's own,
     * unused so far and still stored. The conditional claim settles a race between two sends.
     */
    async claim(message: Message & { type: 'image' }): Promise<UploadClaim> {
      const filename = filenameFromImageUrl(message.content);
      const upload = filename ? await store.findUpload(filename) : undefined;
      if (!filename || !upload || upload.user_id !== message.userId || upload.message_id !== null) throw imageRefused();
      if (!(await files.has(filename))) throw imageRefused();
      if (!(await store.claimUpload(message.roomId, message.id, filename, message.userId))) throw imageRefused();
      return { release: () => store.releaseUpload(filename, message.id) };
    },

    /** An upload to send to whoever asks for its URL (uploads are public by their unguessable name); null when there is none. */
    async open(filename: string): Promise<StoredFile | null> {
      if (!isUploadFilename(filename)) return null;
      try {
        return await files.open(filename);
      } catch (err) {
        console.error('[uploads] could not read an image:', err);
        throw storeUnavailable();
      }
    },

    /** Deletes exactly the file a deleted image message claimed, and its record. */
    async removeForMessage(message: Message): Promise<void> {
      const filename = message.type === 'image' ? filenameFromImageUrl(message.content) : null;
      if (!filename || (await store.findUpload(filename))?.message_id !== message.id) return;
      await store.deleteUpload(filename);
      await files.remove(filename).catch((err: unknown) => console.error('[uploads] could not remove an image:', err));
    },

    /** Removes files of a deleted room; one that cannot be removed is left to the hourly cleanup. */
    async removeFiles(filenames: string[]): Promise<void> {
      const results = await Promise.allSettled(filenames.map((f) => files.remove(f)));
      for (const result of results) {
        if (result.status === 'rejected') console.error('Could not remove an upload of a deleted room:', result.reason);
      }
    }
  };
}

export type UploadService = ReturnType<typeof createUploadService>;
