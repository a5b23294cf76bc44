// npm test: type checks, the Vitest suites (unit + integration on SQLite, then the database's
// integration files again on PostgreSQL), a fresh build, then the browser suite. With
// TEST_OTHER_NODE and TEST_OTHER_NODE_TREE set (.ci/run sets them), the second pass is instead the
// whole integration suite on PostgreSQL and on that Node, in that copy of the app whose native
// modules are built for it. Ends with one line "N passed, N failed" summing every suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const totals = { passed: 0, failed: 0 };
const run = (cmd, args, env = {}, cwd = undefined) =>
  spawnSync(cmd, args, { stdio: 'inherit', cwd, env: { ...process.env, ...env } }).status ?? 1;
const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

mkdirSync('test-results', { recursive: true });

console.log('\n== Type check (svelte-check + tsc)');
if (run('npm', ['run', '--silent', 'check']) === 0) totals.passed += 1;
else totals.failed += 1;

/** Runs Vitest (on `node`, in `cwd`) and adds its counts; a run that fails without a failed test counts one. */
function vitest(node, cwd, files, env = {}) {
  const report = path.resolve('test-results', `vitest-${path.basename(node)}-${totals.passed + totals.failed}.json`);
  rmSync(report, { force: true });
  const cli = path.join(cwd, 'node_modules', 'vitest', 'vitest.mjs');
  const bin = path.dirname(node);
  const status = run(node, [cli, 'run', ...files, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { PATH: `${bin}${path.delimiter}${process.env.PATH}`, ...env }, cwd);
  const result = readJson(report);
  if (result) {
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests + (status !== 0 && result.numFailedTests === 0 ? 1 : 0);
  } else totals.failed += 1;
}

console.log('\n== Vitest: unit and integration');
vitest(process.execPath, process.cwd(), []);

const otherNode = process.env.TEST_OTHER_NODE;
const otherTree = process.env.TEST_OTHER_NODE_TREE;
if (otherNode && otherTree) {
  // One pass proves two things: the whole integration suite on the other Node, and on
  // PostgreSQL (every app on a private cluster, vitest.postgres.config.ts), as the pass above
  // proved it on this Node and SQLite.
  const version = spawnSync(otherNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n== Vitest: integration suite on Node ${version} and PostgreSQL (${otherTree})`);
  if (await otherTreeReady()) vitest(otherNode, otherTree, ['--config', 'vitest.postgres.config.ts'], { POSTGRES_PASS: 'all' });
  else totals.failed += 1;
} else {
  console.log('\n== Vitest: storage integration on PostgreSQL');
  // The integration files whose rules live in the database, again with every app on a private
  // PostgreSQL cluster (vitest.postgres.config.ts says which files and why).
  vitest(process.execPath, process.cwd(), ['--config', 'vitest.postgres.config.ts']);
}

/**
 * .ci/run builds the other Node's copy of the app in the background and writes the build's exit
 * status to TEST_OTHER_NODE_READY when done: wait for it (without it, the copy is ready already).
 */
async function otherTreeReady() {
  const ready = process.env.TEST_OTHER_NODE_READY;
  if (!ready) return true;
  const started = Date.now();
  while (!existsSync(ready)) {
    if (Date.now() - started > 15 * 60_000) {
      console.log('The native modules for the other Node were not built within 15 minutes');
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const status = readFileSync(ready, 'utf8').trim();
  const log = ready.replace(/\.ready$/, '.log');
  if (status === '0') {
    console.log(readFileSync(log, 'utf8').split('\n').find((line) => line.startsWith('Native modules load')) ?? '');
    return true;
  }
  console.log(`Rebuilding the native modules for the other Node failed (exit ${status}):\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : ''}`);
  return false;
}

console.log('\n== Build');
// Quiet unless it fails: SvelteKit's hints and the bundler's timing table are not test results.
const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { encoding: 'utf8' });
const buildStatus = build.status ?? 1;
if (buildStatus !== 0) {
  process.stdout.write(`${build.stdout}${build.stderr}`);
  totals.failed += 1;
} else console.log('built into build/');

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
