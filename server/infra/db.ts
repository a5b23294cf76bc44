import Database from 'better-sqlite3';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

// The database of users, rooms, memberships and the upload index: a SQLite file by default, or
// PostgreSQL when DATABASE_URL names one (docs/architecture.md#database-tables). Each feature's
// storage has one implementation per engine over what this module opens; both engines get the
// same versioned migrations, applied at every start.

export type SqliteDb = Database.Database;

interface Connection {
  /** Checks the database answers (the health endpoint). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Any statement, with `?` placeholders on both engines: for tests and diagnostics only. The
   * features go through their storage modules.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export type AppDatabase = ({ engine: 'sqlite'; db: SqliteDb } | { engine: 'postgres'; pool: pg.Pool }) & Connection;

/**
 * The migrations, oldest first. Each is a file per engine beside this module,
 * `{engine}-{version:000}-{name}.sql`; a database records the versions it has in
 * `schema_migrations`. Add a migration by appending here and writing both files; never edit one
 * that has shipped.
 */
export const MIGRATIONS = [
  { version: 1, name: 'initial' },
  { version: 2, name: 'friends' },
  { version: 3, name: 'public-rooms' },
  { version: 4, name: 'profiles' },
  { version: 5, name: 'email' }
] as const;

function migrationSql(engine: AppDatabase['engine'], migration: (typeof MIGRATIONS)[number]): string {
  const file = `${engine}-${String(migration.version).padStart(3, '0')}-${migration.name}.sql`;
  return readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
}

/** Opens PostgreSQL when a URL is given, else the SQLite file (created when needed); migrated. */
export async function openDatabase({ url, sqliteFile }: { url?: string; sqliteFile: string }): Promise<AppDatabase> {
  return url ? openPostgres(url) : openSqlite(sqliteFile);
}

/** The SQLite file with WAL and foreign keys, migrated to the newest schema. */
export function openSqlite(file: string): AppDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))`);
  // IMMEDIATE: two processes starting on one file migrate one after the other.
  db.transaction(() => {
    const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all());
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      db.exec(migrationSql('sqlite', migration));
      db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(migration.version, migration.name);
    }
  }).immediate();
  return {
    engine: 'sqlite',
    db,
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      db.close();
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const statement = db.prepare(sql);
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
    }
  };
}

/** Any number will do, as long as nothing else of ours takes this advisory lock. */
const MIGRATION_LOCK = 4_816_001;
/** A request fails rather than waits this long for a connection (PostgreSQL down or saturated). */
const CONNECT_TIMEOUT_MS = 5000;
const POOL_SIZE = 10;

/** A pool on the PostgreSQL of `url`, migrated to the newest schema. */
export async function openPostgres(url: string): Promise<AppDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection that breaks (the server restarts) must not crash the process; the pool
  // opens a new one for the next query.
  pool.on('error', (err) => console.error('[db] a PostgreSQL connection failed:', err.message));
  try {
    await inTransaction(pool, async (client) => {
      // Processes starting together on one database migrate one after the other.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query(migrationSql('postgres', migration));
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      }
    });
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    engine: 'postgres',
    pool,
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
    async query<T>(sql: string, params: unknown[] = []) {
      let n = 0;
      const { rows } = await pool.query(sql.replace(/\?/g, () => `$${++n}`), params);
      return rows as T[];
    }
  };
}

/**
 * Runs `work` in one PostgreSQL transaction on one connection: committed when it resolves, rolled
 * back when it throws (the error goes on to the caller).
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** PostgreSQL's code for a unique constraint that refused a row. */
export const PG_UNIQUE_VIOLATION = '23505';

/** SQLite writes `2026-01-02 03:04:05` (UTC); the stores answer ISO 8601, as PostgreSQL's times become. */
export function sqliteTimeToIso(sqliteTime: string): string {
  return `${sqliteTime.replace(' ', 'T')}Z`;
}
