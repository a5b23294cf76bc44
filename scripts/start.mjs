// npm start: build the app and compile the server when either is missing or older than its
// sources, then run the one server process that serves everything on PORT (default 3001). The
// server itself says what it chose (address, Redis, database, uploads); the build is silent
// unless it fails.
import { spawn } from 'node:child_process';
import { buildClient, buildServer, serverNodeFlags } from './build-server.mjs';

try {
  buildClient(() => console.log('Building the app into build/ (once per change of its sources)…'));
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

const serverEntry = await buildServer();
const server = spawn(process.execPath, [...serverNodeFlags, serverEntry], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
