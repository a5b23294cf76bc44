// Compiles the server (and any other entry given) to plain JavaScript with esbuild: our own
// TypeScript becomes one ES module, packages stay imports from node_modules. Production runs this
// output with plain `node`, without a TypeScript loader in the process: that saves the loader's
// memory (about 25 MB) and the helpers it wraps around every named function.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const serverEntry = path.join(root, 'dist-server', 'index.mjs');

/**
 * Node flags the server runs with. Capping V8's heap growth at 50% kept RSS at 190-195 MB for
 * 3,200 chatting sockets where it was 229-281 MB without, at the same CPU per delivery (npm run
 * bench, 200 rooms; see bench/README.md, which also says what is and is not known of why).
 */
export const serverNodeFlags = ['--heap-growing-percent=50'];

/** Newest modification time of a file, or of any file under a folder. */
export function newestMtime(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Bundles `entry` (relative to the repository) to `outfile`; `files` are copied beside it. */
export async function compileEntry(entry, outfile, files = []) {
  mkdirSync(path.dirname(outfile), { recursive: true });
  await build({
    entryPoints: [path.join(root, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning'
  });
  for (const file of files) copyFileSync(path.join(root, file), path.join(path.dirname(outfile), path.basename(file)));
}

/** Files under `dir` (relative to the repository) whose names end with `suffix`. */
function filesEndingWith(dir, suffix) {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(suffix))
    .map((file) => path.join(dir, file));
}

/**
 * What the server reads at run time from beside its own module: the migrations (.sql, server/infra/db.ts) and every Lua script
 * (server/infra/lua.ts). In the bundle every module is index.mjs, so they all land in one folder
 * and their names must not clash.
 */
function runtimeFiles() {
  const files = [...filesEndingWith('server/infra', '.sql'), ...filesEndingWith('server', '.lua')];
  const seen = new Map();
  for (const file of files) {
    const name = path.basename(file);
    if (seen.has(name)) throw new Error(`${file} and ${seen.get(name)} would both be copied to dist-server/${name}: rename one`);
    seen.set(name, file);
  }
  return files;
}

/**
 * Builds the app into build/ with `vite build` unless build/index.html is newer than every source
 * of the page. Quiet: its output (SvelteKit's hints, the plugin timing table) is shown only when
 * the build fails. `announce` is told before a build starts.
 */
export function buildClient(announce = () => {}) {
  const page = path.join(root, 'build', 'index.html');
  const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'].map((name) => newestMtime(path.join(root, name)));
  if (existsSync(page) && statSync(page).mtimeMs >= Math.max(...inputs)) return;
  announce();
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
  }
}

/** Compiles the server unless its output is newer than every source it is made of. */
export async function buildServer() {
  const sources = Math.max(newestMtime(path.join(root, 'server')), newestMtime(path.join(root, 'src/lib/protocol')));
  if (existsSync(serverEntry) && statSync(serverEntry).mtimeMs >= sources) return serverEntry;
  await compileEntry('server/index.ts', serverEntry, runtimeFiles());
  return serverEntry;
}
