import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The integration suite again, with every app on PostgreSQL instead of SQLite: one private cluster
// for the run (tests/support/postgres-setup.ts), a database per test file (tests/support/app.ts).
// A plain `npm test` runs it after the main pass on the files whose rules live in the database
// (accounts, sessions, rooms and memberships, the owner removing members, the upload index, profiles, the
// member gate of socket events, processes sharing a database). POSTGRES_PASS=all takes every
// integration file, as CI does on its second Node:
// `POSTGRES_PASS=all npx vitest run --config vitest.postgres.config.ts`.
const STORAGE_FILES = [
  'account-email',
  'account-delete',
  'auth',
  'auth-limits',
  'blocks',
  'cleanup',
  'activity',
  'database-races',
  'friends',
  'health',
  'origin',
  'public-rooms',
  'profiles',
  'room-passwords',
  'rooms',
  'session-expiry',
  'socket',
  'socket-cluster',
  'upload'
].map((name) => `tests/integration/${name}.test.ts`);

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: process.env.POSTGRES_PASS === 'all' ? ['tests/integration/**/*.test.ts'] : STORAGE_FILES,
    globalSetup: ['tests/support/postgres-setup.ts']
  }
});
