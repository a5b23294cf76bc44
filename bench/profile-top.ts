import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// Where a server's CPU went: reads a V8 .cpuprofile (node --cpu-prof) and prints the functions
// and the files with the most self time.
// Usage: tsx bench/profile-top.ts <file or dir> [count] [fromMicros toMicros]
// The window is a chat step's `windowMicros` from the bench JSON: V8 stamps samples with the same
// monotonic clock as process.hrtime, so only the measured load is counted.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function newest(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files.length) throw new Error(`no .cpuprofile in ${dir}`);
  return files[0];
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const repo = url.indexOf('/server/');
  if (repo !== -1) return url.slice(repo + 1);
  return url.replace(/^file:\/\//, '') || '(native)';
}

const arg = process.argv[2] ?? 'bench/results/prof';
const count = Number(process.argv[3] ?? 30);
const from = Number(process.argv[4] ?? -Infinity);
const to = Number(process.argv[5] ?? Infinity);
const file = statSync(arg).isDirectory() ? newest(arg) : arg;
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

// Self time per node: each sample's time delta belongs to the node it landed in.
const selfMicros = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at >= from && at <= to) selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
});
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (!micros) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = shortUrl(url);
  const fn = `${functionName || '(anonymous)'}  ${where}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  const pkg = where.startsWith('@') ? where.split('/').slice(0, 2).join('/') : where.split('/')[0];
  const fileKey = url.includes('node_modules/') ? pkg : where;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros);
}

const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('Self time by function', byFunction);
show('Self time by package or file', byFile);
