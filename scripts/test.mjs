// npm test: type checks, the Vitest suites (unit + integration, then integration again on
// PostgreSQL), a fresh build, then the browser suite. Ends with one line "N passed, N failed"
// summing every suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const totals = { passed: 0, failed: 0 };
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

mkdirSync('test-results', { recursive: true });

console.log('\n== Type check (svelte-check + tsc)');
if (run('npm', ['run', '--silent', 'check']) === 0) totals.passed += 1;
else totals.failed += 1;

console.log('\n== Vitest: unit and integration');
rmSync('test-results/vitest.json', { force: true });
const vitestStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']);
const vitest = readJson('test-results/vitest.json');
if (vitest) {
  totals.passed += vitest.numPassedTests;
  totals.failed += vitest.numFailedTests + (vitestStatus !== 0 && vitest.numFailedTests === 0 ? 1 : 0);
} else totals.failed += 1;

console.log('\n== Vitest: storage integration on PostgreSQL');
// The integration files whose rules live in the database, again with every app on a private
// PostgreSQL cluster (vitest.postgres.config.ts says which files and why).
rmSync('test-results/vitest-postgres.json', { force: true });
const postgresStatus = run('npx', [
  'vitest',
  'run',
  '--config',
  'vitest.postgres.config.ts',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest-postgres.json'
]);
const postgres = readJson('test-results/vitest-postgres.json');
if (postgres) {
  totals.passed += postgres.numPassedTests;
  totals.failed += postgres.numFailedTests + (postgresStatus !== 0 && postgres.numFailedTests === 0 ? 1 : 0);
} else totals.failed += 1;

console.log('\n== Build');
const buildStatus = run('npx', ['vite', 'build', '--logLevel', 'warn']);
if (buildStatus !== 0) totals.failed += 1;

console.log('\n== Playwright: end to end in Chromium');
rmSync('test-results/e2e.json', { force: true });
if (buildStatus === 0) {
  const e2eStatus = run('npx', ['playwright', 'test']);
  const e2e = readJson('test-results/e2e.json');
  if (e2e) {
    totals.passed += e2e.stats.expected + e2e.stats.flaky;
    totals.failed += e2e.stats.unexpected + (e2eStatus !== 0 && e2e.stats.unexpected === 0 ? 1 : 0);
  } else totals.failed += 1;
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 && totals.passed > 0 ? 0 : 1);
