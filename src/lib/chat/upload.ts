import { IMAGE_MAX_BYTES, type UploadResult } from '$lib/protocol';

// Pictures for image messages: checked here first (no point sending 5 MB to be told no), then
// posted with XMLHttpRequest because fetch cannot report upload progress.

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
const MAX_MB = IMAGE_MAX_BYTES / (1024 * 1024);

/** Why this file cannot be sent, in words, or null when it can. */
export function checkImage(file: File): string | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) return 'Only PNG, JPEG, GIF and WebP images can be sent';
  if (file.size > IMAGE_MAX_BYTES) return `Image must be ${MAX_MB} MB or smaller`;
  return null;
}

export interface UploadHandle {
  done: Promise<UploadResult>;
  cancel(): void;
}

export function uploadImage(file: File, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadResult>((resolve, reject) => {
    xhr.open('POST', '/api/upload');
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body: unknown = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body === 'object' && 'url' in body && typeof body.url === 'string') {
        onProgress(1);
        resolve({ url: body.url });
        return;
      }
      const message =
        body && typeof body === 'object' && 'error' in body && typeof body.error === 'string'
          ? body.error
          : xhr.status === 413
            ? `Image must be ${MAX_MB} MB or smaller`
            : `Upload failed (${xhr.status})`;
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error('The upload failed. Check your connection and try again.'));
    xhr.onabort = () => reject(new Error('Upload cancelled'));
    const form = new FormData();
    form.append('image', file);
    xhr.send(form);
  });
  return { done, cancel: () => xhr.abort() };
}
