import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The one database that several server processes share in tests/integration/machines.test.ts,
// each process with a DATA_DIR of its own.
//
// Today the server knows one database, SQLite in DATA_DIR/beebeebee.db, so this makes one SQLite
// file and links it into every process's DATA_DIR (SQLite follows the link and keeps its WAL
// beside the real file). Once the server takes DATABASE_URL (PostgreSQL), this is the one place
// to change: start a private cluster, answer its URL in `env`, and make `prepare` do nothing.

export interface SharedDatabase {
  /** What every server process adds to its environment to use this database. */
  env: Record<string, string>;
  /** Readies a process's own DATA_DIR before it starts. */
  prepare(dataDir: string): void;
  stop(): Promise<void>;
}

/** SQLite's file name inside DATA_DIR, as server/index.ts opens it. */
const SQLITE_FILE = 'beebeebee.db';

export async function startSharedDatabase(): Promise<SharedDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bbb-shared-db-'));
  const file = path.join(dir, SQLITE_FILE);
  writeFileSync(file, '');
  return {
    env: {},
    prepare(dataDir) {
      symlinkSync(file, path.join(dataDir, SQLITE_FILE));
    },
    async stop() {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
