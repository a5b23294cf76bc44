import { startTestPostgres } from './postgres.ts';

// The one database that several server processes share in tests/integration/machines.test.ts,
// each process with a DATA_DIR of its own: a private PostgreSQL cluster (postgres.ts) with one
// database on it, named to every process by DATABASE_URL. SQLite lives in one machine's folder,
// so it cannot be what machines share (docs/scaling.md).

export interface SharedDatabase {
  /** What every server process adds to its environment to use this database. */
  env: Record<string, string>;
  /** Readies a process's own DATA_DIR before it starts: nothing to do, the database is elsewhere. */
  prepare(dataDir: string): void;
  stop(): Promise<void>;
}

export async function startSharedDatabase(): Promise<SharedDatabase> {
  const cluster = await startTestPostgres();
  try {
    const url = await cluster.createDatabase();
    return {
      env: { DATABASE_URL: url },
      prepare() {},
      stop: () => cluster.stop()
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
