// npm start: build the app and compile the server when either is missing or older than its
// sources, then run the one server process that serves everything on PORT (default 3001).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { buildServer, newestMtime, serverNodeFlags } from './build-server.mjs';

const built = 'build/index.html';
const sources = Math.max(newestMtime('src'), newestMtime('static'), statSync('svelte.config.js').mtimeMs, statSync('vite.config.ts').mtimeMs);
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  console.log('Building the app…');
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const serverEntry = await buildServer();
const server = spawn(process.execPath, [...serverNodeFlags, serverEntry], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
