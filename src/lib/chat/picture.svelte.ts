// The picture waiting in the composer: a local preview at once, the upload's progress or its
// error (with another try), and the address the server gave it, which is what an image message
// sends. A newer picture, or removing it, abandons the older upload and ignores its late news.

import { UploadRefused } from '$lib/api';
import { uploadImage, type UploadHandle } from './upload';

export interface Picture {
  readonly file: File;
  /** An object URL of the file itself, shown before (and while) it uploads. */
  readonly preview: string;
  /** 0..1 */
  readonly progress: number;
  /** Where the server keeps it; null until the upload has finished. */
  readonly url: string | null;
  readonly error: string | null;
  /** The file itself is the problem (refused by the server, or not a picture the browser can show). */
  readonly refused: boolean;
}

interface Attempt {
  file: File;
  preview: string;
  progress: number;
  url: string | null;
  error: string | null;
  refused: boolean;
  upload: UploadHandle | null;
}

export class PictureUpload {
  #current = $state<Attempt | null>(null);

  get current(): Picture | null {
    return this.#current;
  }

  /** Shows the file and starts uploading it, in place of any earlier picture (see checkImage first). */
  attach(file: File): void {
    this.clear();
    this.#current = { file, preview: URL.createObjectURL(file), progress: 0, url: null, error: null, refused: false, upload: null };
    this.retry();
  }

  /** Uploads the current picture from the start (after an error, again). */
  retry(): void {
    const current = this.#current;
    if (!current || current.refused) return;
    current.error = null;
    current.progress = 0;
    const upload = uploadImage(current.file, (fraction) => {
      if (this.#current === current) current.progress = fraction;
    });
    current.upload = upload;
    upload.done.then(
      ({ url }) => {
        if (this.#current === current) current.url = url;
      },
      (err: unknown) => {
        // Abandoned, or already known to be no picture (its upload was stopped for that).
        if (this.#current !== current || current.refused) return;
        current.error = err instanceof Error ? err.message : 'Upload failed';
        current.refused = err instanceof UploadRefused;
      }
    );
  }

  /** The browser cannot draw the file: it is no picture, whatever its name says; no upload of it. */
  unreadable(): void {
    const current = this.#current;
    if (!current) return;
    current.upload?.cancel();
    current.refused = true;
    current.url = null;
    current.error = 'This file is not an image that can be shown: choose another picture.';
  }

  /** No picture any more: its upload stops and its preview is let go. */
  clear(): void {
    const current = this.#current;
    if (!current) return;
    current.upload?.cancel();
    URL.revokeObjectURL(current.preview);
    this.#current = null;
  }
}
