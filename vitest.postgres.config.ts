import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The integration suite again, with every app on PostgreSQL instead of SQLite: one private cluster
// for the run (tests/support/postgres-setup.ts), a database per test file (tests/support/app.ts).
// `npm test` runs it after the main pass; alone: `npx vitest run --config vitest.postgres.config.ts`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/integration/**/*.test.ts'],
    globalSetup: ['tests/support/postgres-setup.ts']
  }
});
