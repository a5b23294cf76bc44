import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HISTORY_PAGE_SIZE } from '../src/lib/protocol/index.ts';
import { repoRoot } from './processes.ts';
import type { BenchReport } from './report.ts';

// Keeps the harness from rotting: `npm run bench -- --smoke` (the smallest size of every scenario)
// must run end to end against the real server and the relay and produce sane figures. It checks that figures exist and hang together,
// never how fast anything is (speed belongs in the bench itself, on a quiet machine).

const outDir = mkdtempSync(path.join(tmpdir(), 'bbb-bench-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function runSmoke(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--smoke', '--out', outDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), 150_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench -- --smoke', () => {
  it('measures the server beside the relay and reports every scenario with units', { timeout: 180_000 }, async () => {
    const { code, stdout, stderr } = await runSmoke();
    expect(code, stderr.slice(-3000)).toBe(0);

    const report = JSON.parse(readFileSync(path.join(outDir, 'latest-smoke.json'), 'utf8')) as BenchReport;
    expect(report.failures).toEqual([]);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);

    expect(report.mode).toBe('smoke');

    // Chat: both targets ran every smoke step, and the figures agree with each other.
    const chat = report.chat!;
    expect(chat.targets.map((t) => t.target).sort()).toEqual(['relay', 'server']);
    for (const target of chat.targets) {
      expect(target.error).toBeUndefined();
      expect(target.steps.length).toBeGreaterThan(0);
      for (const step of target.steps) {
        expect(step.sockets).toBe(step.rooms * chat.options.roomSize);
        expect(step.offeredMsgPerS).toBeGreaterThan(0);
        // Nobody receives more than every other member's copy of what was sent.
        expect(step.deliveredPerS).toBeLessThanOrEqual(step.expectedDeliveriesPerS + 0.5);
        expect(step.deliveredPerS).toBeGreaterThan(0);
        expect(step.latencyMs.p50).toBeGreaterThan(0);
        expect(step.latencyMs.p50).toBeLessThanOrEqual(step.latencyMs.p99);
        expect(step.latencyMs.p99).toBeLessThanOrEqual(step.latencyMs.max);
        expect(step.serverCores).toBeGreaterThanOrEqual(0);
        expect(step.serverRssMB).toBeGreaterThan(0);
        expect(step.generatorCores).toBeGreaterThan(0);
      }
    }
    const server = chat.targets.find((t) => t.target === 'server')!;
    expect(server.steps.every((s) => s.redisCores !== null)).toBe(true);
    expect(chat.ratio).toBeGreaterThan(0);

    // Join: the seeded room was measured; the history is one page, the newest (the scenario checks its last id).
    const join = report.join!;
    expect(join.sizes.map((s) => s.messages)).toEqual([100]);
    for (const size of join.sizes) {
      expect(size.medianMs).toBeGreaterThan(0);
      expect(size.historyMessages).toBeGreaterThan(0);
      expect(size.historyMessages).toBeLessThanOrEqual(HISTORY_PAGE_SIZE);
      expect(size.historyFrameBytes).toBeGreaterThan(size.historyMessages * 200);
    }
    expect(join.sizes[0].historyMessages).toBe(Math.min(100, HISTORY_PAGE_SIZE));
    expect(join.sizes[0].hasMore).toBe(HISTORY_PAGE_SIZE < 100);
    // The room of sketches opened at its newest page, then paged back to every sketch.
    const sketches = join.sketchRoom!;
    expect(sketches.form).toBe('packed');
    expect(sketches.firstPage.messages).toBeGreaterThan(0);
    expect(sketches.firstPage.bytes).toBeGreaterThan(sketches.firstPage.messages * sketches.sketchBytes);
    expect(sketches.allSketches.bytes).toBeGreaterThan(sketches.sketches * sketches.sketchBytes);
    expect(sketches.allSketches.medianMs).toBeGreaterThanOrEqual(sketches.firstPage.medianMs);

    // Drawing size: both sample drawings went through the server; the broadcast carries the drawing.
    const drawing = report.drawing!;
    expect(drawing.measuredThroughServer).toBe(true);
    expect(drawing.drawings.map((d) => d.name)).toEqual(['doodle', 'sketch']);
    for (const d of drawing.drawings) {
      expect(d.form).toBe('packed');
      expect(d.drawingBytes).toBe(d.packedBytes);
      expect(d.sendFrameBytes).toBe(d.packedSendFrameBytes);
      expect(d.newFrameBytes).toBeGreaterThan(d.drawingBytes);
      expect(d.unpackedSendFrameBytes).toBeGreaterThan(d.unpackedBytes);
      expect(d.unpackedBytes).toBeGreaterThan(d.packedBytes);
    }

    // Drawing room: both targets delivered drawings and counted the bytes they carried.
    const room = report.drawingRoom!;
    expect(room.targets.map((t) => t.target).sort()).toEqual(['relay', 'server']);
    for (const target of room.targets) {
      expect(target.error).toBeUndefined();
      for (const step of target.steps) {
        expect(step.deliveredPerS).toBeGreaterThan(0);
        expect(step.deliveredPerS).toBeLessThanOrEqual(step.expectedDeliveriesPerS + 0.5);
        // Every delivery is at least a doodle's message:new frame.
        const doodle = drawing.drawings.find((d) => d.name === 'doodle')!;
        expect(step.receivedBytesPerS).toBeGreaterThan(step.deliveredPerS * doodle.packedBytes);
        expect(step.latencyMs.p50).toBeLessThanOrEqual(step.latencyMs.p99);
      }
    }

    // Hostile: the attack ran and every kind of attacker left figures; its targets are only printed.
    const hostile = report.hostile!;
    expect(hostile.heavyRoom.drawings).toBeGreaterThan(0);
    expect(hostile.server.rssMB.peak).toBeGreaterThan(0);
    expect(hostile.normal.baseline?.delivered).toBeGreaterThan(0);
    expect(hostile.normal.attack).not.toBeNull();
    expect(hostile.nonReaders.connects.attempts).toBeGreaterThan(0);
    expect(hostile.fastReaders.connects.attempts).toBeGreaterThan(0);
    expect(hostile.guessing.attempts).toBeGreaterThan(0);
    expect(hostile.signIn.attempts).toBeGreaterThan(0);
    expect(hostile.checks.map((c) => c.goal)).toHaveLength(4);

    // The same figures reach stdout as markdown tables, and the targets are judged.
    expect(stdout).toContain('## Chat');
    expect(stdout).toContain('| relay |');
    expect(stdout).toContain('| server |');
    expect(stdout).toContain('## Join');
    expect(stdout).toContain('## Drawing size');
    expect(stdout).toContain('## Drawing room');
    expect(stdout).toContain('sketches');
    expect(stdout).toContain('## Hostile');
    expect(stdout).toContain('## Targets');
    expect(report.targets?.length).toBeGreaterThan(0);
  });
});
