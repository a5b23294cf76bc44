import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { buildClient } from '../scripts/build-server.mjs';
import { runTag } from './api.ts';
import { parseOptions, type BenchOptions } from './options.ts';
import { WorkerPool } from './pool.ts';
import { repoRoot, startRelay, startServer, type Target } from './processes.ts';
import { checkTargets, formatReport, type BenchReport } from './report.ts';
import { CHAT_DEFAULTS, runChat } from './scenarios/chat.ts';
import { runDrawingSize } from './scenarios/drawing.ts';
import { runDrawingRoom } from './scenarios/drawingRoom.ts';
import { runFirstLoad } from './scenarios/firstload.ts';
import { hostileOptions, runHostile } from './scenarios/hostile.ts';
import { runJoin } from './scenarios/join.ts';

// `npm run bench`: starts what it measures, runs the scenarios, prints a markdown table and
// writes the same figures as JSON under bench/results/.

const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

function gitCommit(): string | null {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

async function startServerTarget(options: BenchOptions): Promise<Target> {
  if (options.url) {
    return { name: 'server', baseUrl: options.url, pid: options.pid, redisUrl: options.redisUrl, stop: async () => {} };
  }
  return startServer({ cpuProfileDir: options.profileDir });
}

/** Runs one scenario; a failure is recorded in the report instead of ending the run. */
async function attempt<T>(report: BenchReport, name: string, task: () => Promise<T>): Promise<T | undefined> {
  try {
    return await task();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`${name} failed: ${message}`);
    report.failures.push({ scenario: name, error: message });
    return undefined;
  }
}

async function runBench(options: BenchOptions): Promise<BenchReport> {
  const started = Date.now();
  const report: BenchReport = {
    startedAt: new Date(started).toISOString(),
    mode: options.mode,
    machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` },
    commit: gitCommit(),
    serverUrl: options.url ?? null,
    failures: [],
    durationS: 0
  };
  const tag = runTag();
  const stoppers: (() => Promise<void>)[] = [];
  let pool: WorkerPool | undefined;
  const stopAll = async () => {
    await pool?.stop();
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    stoppers.length = 0;
  };
  // Ctrl-C must not leave servers, Redis or workers behind.
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The started server serves build/ if it is there when it starts: the first-load scenario needs
    // it, and a build of these sources.
    if (!options.url && options.scenarios.includes('firstload')) buildClient(() => log('building the app (vite build)'));
    log(options.url ? `using the server at ${options.url}` : 'starting Redis and the server (production mode)');
    const server = await startServerTarget(options);
    stoppers.push(server.stop);
    log(`server at ${server.baseUrl}`);

    if (options.scenarios.includes('drawing')) {
      report.drawing = await attempt(report, 'drawing', () => runDrawingSize(server, options.drawingForm, tag));
    }
    if (options.scenarios.includes('firstload')) {
      report.firstLoad = await attempt(report, 'firstload', () => runFirstLoad(server, tag));
    }
    if (options.scenarios.includes('join')) {
      report.join = await attempt(report, 'join', () => runJoin(server, options, tag, log));
    }
    const targets: Target[] = [];
    if (options.relay && (options.scenarios.includes('chat') || options.scenarios.includes('drawing-room'))) {
      const relay = await startRelay({ cpuProfileDir: options.profileDir });
      stoppers.push(relay.stop);
      log(`relay at ${relay.baseUrl}`);
      targets.push(relay);
    }
    targets.push(server);
    if (options.scenarios.includes('chat')) {
      pool ??= await WorkerPool.start(options.workers);
      report.chat = await attempt(report, 'chat', () =>
        runChat(
          targets,
          pool!,
          {
            ...CHAT_DEFAULTS,
            steps: options.steps,
            warmupMs: options.warmupMs,
            measureMs: options.measureMs,
            drainMs: options.drainMs,
            timeBudgetMs: options.chatBudgetMs,
            attemptsAtSaturation: options.attemptsAtSaturation,
            quietWaitMs: options.quietWaitMs
          },
          tag,
          log
        )
      );
    }
    if (options.scenarios.includes('drawing-room')) {
      pool ??= await WorkerPool.start(options.workers);
      const workers = pool;
      // Members send every 5 s: the warm-up covers one interval, the window several.
      const timing = {
        warmupMs: options.mode === 'smoke' ? options.warmupMs : 5000,
        measureMs: options.mode === 'smoke' ? options.measureMs : options.mode === 'quick' ? 10_000 : 20_000,
        drainMs: options.drainMs
      };
      report.drawingRoom = await attempt(report, 'drawing-room', () =>
        runDrawingRoom(
          targets,
          workers,
          {
            steps: options.drawingRoomSteps,
            timeBudgetMs: options.drawingRoomBudgetMs,
            ...timing,
            attemptsAtSaturation: options.attemptsAtSaturation,
            quietWaitMs: options.quietWaitMs
          },
          options.drawingForm,
          tag,
          log
        )
      );
    }
    // Last: the server may not survive it.
    if (options.scenarios.includes('hostile')) {
      pool ??= await WorkerPool.start(options.workers);
      const workers = pool;
      report.hostile = await attempt(report, 'hostile', () => runHostile(server, workers, hostileOptions(options.mode, options.attackS), tag, log));
    }
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  report.durationS = Math.round((Date.now() - started) / 100) / 10;
  report.targets = checkTargets(report);
  for (const t of report.chat?.targets ?? []) {
    if (t.error) report.failures.push({ scenario: `chat ${t.target}`, error: t.error });
  }
  for (const t of report.drawingRoom?.targets ?? []) {
    if (t.error) report.failures.push({ scenario: `drawing-room ${t.target}`, error: t.error });
  }
  return report;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const report = await runBench(options);
  console.log(formatReport(report));
  const outDir = path.resolve(repoRoot, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${report.mode}-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(outDir, `latest-${report.mode}.json`), JSON.stringify(report, null, 2) + '\n');
  log(`results written to ${path.relative(repoRoot, file)}`);
  process.exitCode = report.failures.length ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
