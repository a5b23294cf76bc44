import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestApp } from './app.ts';

// What a test app has stored as uploads, seen from outside the app: its uploads folder read from
// disk, or its bucket read with the test's own S3 client. Names are relative to the folder or the
// bucket (`messages/{filename}` for an upload), so the same assertions hold for both.

export interface StoredUploads {
  /** Every stored file or object, sorted. */
  list(): Promise<string[]>;
  /** The bytes stored at a relative name, or null. */
  read(name: string): Promise<Buffer | null>;
  /** Stores bytes at a relative name (things the app did not write), dated `hours` ago. */
  write(name: string, bytes: Buffer, hours?: number): Promise<void>;
  /** Makes a stored file or object look written `hours` ago. */
  age(name: string, hours: number): void;
}

function folderUploads(root: string): StoredUploads {
  const age = (name: string, hours: number) => {
    const when = new Date(Date.now() - hours * 60 * 60 * 1000);
    utimesSync(path.join(root, name), when, when);
  };
  return {
    async list() {
      return (readdirSync(root, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
        .sort();
    },
    async read(name) {
      try {
        return readFileSync(path.join(root, name));
      } catch {
        return null;
      }
    },
    async write(name, bytes, hours = 0) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), bytes);
      age(name, hours);
    },
    age
  };
}

export function storedUploads(app: TestApp): StoredUploads {
  const s3 = app.s3;
  if (!s3) return folderUploads(app.config.uploadsDir);
  return {
    list: () => s3.keys(),
    read: (name) => s3.read(name),
    async write(name, bytes, hours = 0) {
      await s3.put(name, bytes);
      s3.age(name, hours);
    },
    age: (name, hours) => s3.age(name, hours)
  };
}
