import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UPLOAD_MAX_AGE_HOURS } from '../../src/lib/protocol/index.ts';
import type { UploadStore } from './storage.ts';
import { isUploadFilename, removeUpload } from './files.ts';

const HOUR_MS = 60 * 60 * 1000;

export interface CleanupDeps {
  uploadsDir: string;
  queries: Pick<UploadStore, 'deleteUpload' | 'deleteUploadsCreatedBefore'>;
}

/**
 * Deletes uploaded images older than UPLOAD_MAX_AGE_HOURS (they outlive the 48 h messages that
 * show them by a margin) with their rows. Only regular files named like our uploads, directly in
 * `uploads/messages/`, are candidates: no directory, symlink or foreign file is touched.
 * Answers how many files it removed.
 */
export async function removeExpiredUploads({ uploadsDir, queries }: CleanupDeps, now = Date.now()): Promise<number> {
  const dir = path.join(uploadsDir, 'messages');
  const cutoff = now - UPLOAD_MAX_AGE_HOURS * HOUR_MS;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const entry of entries) {
    // Dirent types come from lstat: a symlink is never isFile(), whatever it points at.
    if (!entry.isFile() || !isUploadFilename(entry.name)) continue;
    const stats = await lstat(path.join(dir, entry.name)).catch(() => null);
    if (!stats?.isFile() || stats.mtimeMs >= cutoff) continue;
    await removeUpload(uploadsDir, entry.name);
    await queries.deleteUpload(entry.name);
    removed++;
  }
  // Rows whose file is already gone (removed with its message) need not wait for their file.
  await queries.deleteUploadsCreatedBefore(new Date(cutoff));
  return removed;
}

/** Runs the cleanup now and then every hour; `stop()` ends the timer and waits for a running pass. */
export function startUploadCleanup(deps: CleanupDeps, intervalMs = HOUR_MS) {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running.then(() =>
      removeExpiredUploads(deps).then(
        () => undefined,
        (err: unknown) => console.error('Upload cleanup failed:', err)
      )
    );
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    }
  };
}
