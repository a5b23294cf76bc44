import type { DB } from '../infra/db.ts';

// Accounts in SQLite (docs/architecture.md#sqlite-tables).

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  token_version: number;
  created_at: string;
}

export function createUserStore(db: DB) {
  return {
    createUser: db.prepare<[string, string], never>('INSERT INTO users (username, password_hash) VALUES (?, ?)'),
    findUserByUsername: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
    findUserById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    bumpTokenVersion: db.prepare<[number], never>('UPDATE users SET token_version = token_version + 1 WHERE id = ?'),
    deleteUser: db.prepare<[number], never>('DELETE FROM users WHERE id = ?')
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
