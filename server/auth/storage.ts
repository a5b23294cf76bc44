import type { SqliteDb } from '../infra/db.ts';

// Accounts (docs/architecture.md#database-tables): the interface the auth service uses, and its
// SQLite implementation; storage-postgres.ts is the other.

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  token_version: number;
}

export interface UserStore {
  /** The new account, or null when the name is taken (any case): the unique index decides a race. */
  createUser(username: string, passwordHash: string): Promise<UserRow | null>;
  /** Names compare without case: "Ann" finds "ann". */
  findUserByUsername(username: string): Promise<UserRow | undefined>;
  findUserById(id: number): Promise<UserRow | undefined>;
  /** Every token issued before stops working (docs/architecture.md#signing-out-ends-the-session). */
  bumpTokenVersion(id: number): Promise<void>;
  /** A new password, and every token issued before stops working; the row as it is now. */
  setPassword(id: number, passwordHash: string): Promise<UserRow | undefined>;
}

const USER_COLUMNS = 'id, username, password_hash, token_version';

export function createSqliteUserStore(db: SqliteDb): UserStore {
  const insert = db.prepare<[string, string], UserRow>(`INSERT INTO users (username, password_hash) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`);
  const byName = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`);
  const byId = db.prepare<[number], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
  const bump = db.prepare<[number], never>('UPDATE users SET token_version = token_version + 1 WHERE id = ?');
  const newPassword = db.prepare<[string, number], UserRow>(
    `UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE id = ? RETURNING ${USER_COLUMNS}`
  );
  return {
    createUser: async (username, passwordHash) => insert.get(username, passwordHash) ?? null,
    findUserByUsername: async (username) => byName.get(username),
    findUserById: async (id) => byId.get(id),
    bumpTokenVersion: async (id) => void bump.run(id),
    setPassword: async (id, passwordHash) => newPassword.get(passwordHash, id)
  };
}
