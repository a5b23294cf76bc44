import type { SqliteDb } from '../infra/db.ts';

// Account email addresses and mailed links (docs/architecture.md#email-and-password-resets): the
// interface the email service uses, and its SQLite implementation; storage-postgres.ts is the other.

export type LinkPurpose = 'verify' | 'reset';

export interface MailedLink {
  userId: number;
  /** The address the link was sent to. */
  email: string;
  /** ms since the epoch. */
  expiresAt: number;
}

export interface EmailStore {
  /** The account's verified address. */
  emailOf(userId: number): Promise<string | undefined>;
  /** The account whose verified address this is, in any case. */
  ownerOf(email: string): Promise<number | undefined>;
  /** Where the account's verification link went, while it is still valid. */
  pendingOf(userId: number, now: number): Promise<string | undefined>;
  /** Keeps a link's token hash, replacing any older link of the account for the same purpose. */
  saveLink(tokenHash: string, purpose: LinkPurpose, link: MailedLink): Promise<void>;
  /** Takes a link out (a second use finds nothing): what it was, expired or not. */
  takeLink(tokenHash: string, purpose: LinkPurpose): Promise<MailedLink | undefined>;
  /** Forgets the account's link for a purpose. */
  dropLink(userId: number, purpose: LinkPurpose): Promise<void>;
  /** Makes `email` the account's verified address; false when another account holds it. */
  setEmail(userId: number, email: string): Promise<boolean>;
}

interface LinkRow {
  user_id: number;
  email: string;
  expires_at: number;
}

const asLink = (row: LinkRow | undefined): MailedLink | undefined => row && { userId: row.user_id, email: row.email, expiresAt: Number(row.expires_at) };

export function createSqliteEmailStore(db: SqliteDb): EmailStore {
  const emailOf = db.prepare<[number], string>('SELECT email FROM user_emails WHERE user_id = ?').pluck();
  const ownerOf = db.prepare<[string], number>('SELECT user_id FROM user_emails WHERE email = ?').pluck();
  const pending = db.prepare<[number, number], string>("SELECT email FROM email_tokens WHERE user_id = ? AND purpose = 'verify' AND expires_at > ?").pluck();
  const save = db.prepare<[string, number, string, string, number], never>(
    `INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id, purpose) DO UPDATE SET token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at`
  );
  const take = db.prepare<[string, string], LinkRow>('DELETE FROM email_tokens WHERE token_hash = ? AND purpose = ? RETURNING user_id, email, expires_at');
  const drop = db.prepare<[number, string], never>('DELETE FROM email_tokens WHERE user_id = ? AND purpose = ?');
  const set = db.prepare<[number, string], never>(
    "INSERT INTO user_emails (user_id, email) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, verified_at = datetime('now')"
  );
  return {
    emailOf: async (userId) => emailOf.get(userId),
    ownerOf: async (email) => ownerOf.get(email),
    pendingOf: async (userId, now) => pending.get(userId, now),
    saveLink: async (tokenHash, purpose, { userId, email, expiresAt }) => void save.run(tokenHash, userId, purpose, email, expiresAt),
    takeLink: async (tokenHash, purpose) => asLink(take.get(tokenHash, purpose)),
    dropLink: async (userId, purpose) => void drop.run(userId, purpose),
    async setEmail(userId, email) {
      try {
        set.run(userId, email);
        return true;
      } catch (err) {
        // The unique address: another account verified it first.
        if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
        throw err;
      }
    }
  };
}
