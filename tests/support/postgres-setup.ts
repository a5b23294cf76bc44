import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres.ts';

// Global setup of the PostgreSQL pass (vitest.postgres.config.ts): one cluster for the whole run;
// each test file's apps get a database of their own on it (tests/support/app.ts).

declare module 'vitest' {
  export interface ProvidedContext {
    /** The admin URL of the run's PostgreSQL cluster; absent in the SQLite pass. */
    postgresUrl?: string;
  }
}

export default async function setup(project: TestProject) {
  const postgres = await startTestPostgres();
  project.provide('postgresUrl', postgres.url);
  return () => postgres.stop();
}
