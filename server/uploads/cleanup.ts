import { UPLOAD_MAX_AGE_HOURS } from '../../src/lib/protocol/index.ts';
import type { UploadFiles } from './files.ts';
import type { UploadStore } from './storage.ts';

const HOUR_MS = 60 * 60 * 1000;

export interface CleanupDeps {
  files: UploadFiles;
  queries: Pick<UploadStore, 'deleteUpload' | 'deleteUploadsCreatedBefore'>;
}

/**
 * Deletes uploaded images older than UPLOAD_MAX_AGE_HOURS (they outlive the 48 h messages that
 * show them by a margin) with their rows, in the folder or the bucket alike. Only what the store
 * lists as ours is a candidate: regular files named like our uploads directly in
 * `uploads/messages/`, or objects of such names directly under `messages/` in the bucket; no
 * directory, symlink or foreign file is touched. Answers how many it removed.
 */
export async function removeExpiredUploads({ files, queries }: CleanupDeps, now = Date.now()): Promise<number> {
  const cutoff = now - UPLOAD_MAX_AGE_HOURS * HOUR_MS;
  let removed = 0;
  for await (const { filename, modifiedMs } of files.list()) {
    if (modifiedMs >= cutoff) continue;
    await files.remove(filename);
    await queries.deleteUpload(filename);
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
