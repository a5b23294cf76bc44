import type { ChatResult, ChatTargetResult } from './scenarios/chat.ts';
import type { DrawingResult } from './scenarios/drawing.ts';
import type { JoinResult } from './scenarios/join.ts';

// The run's figures as JSON (every field name carries its unit) and as markdown tables.

export interface BenchReport {
  startedAt: string;
  mode: 'quick' | 'full';
  machine: { cores: number; cpuModel: string; node: string; platform: string };
  commit: string | null;
  serverUrl: string | null;
  chat?: ChatResult;
  join?: JoinResult;
  drawing?: DrawingResult;
  targets?: TargetCheck[];
  failures: { scenario: string; error: string }[];
  durationS: number;
}

export interface TargetCheck {
  goal: string;
  measured: string;
  met: boolean | null;
}

const fmt = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function errorsText(errors: Record<string, number>, disconnects: number): string {
  const parts = Object.entries(errors).map(([code, n]) => `${code} ${n}`);
  if (disconnects) parts.push(`disconnects ${disconnects}`);
  return parts.length ? parts.join(', ') : '0';
}

/** The issue's targets, judged from this run's figures. */
export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const chat = report.chat;
  const server = chat?.targets.find((t) => t.target === 'server');
  if (chat) {
    checks.push({
      goal: 'saturation deliveries/s >= 0.9 x relay',
      measured: chat.ratio === null ? 'no relay figure' : `${fmt(chat.ratio, 3)} x`,
      met: chat.ratio === null ? null : chat.ratio >= 0.9
    });
  }
  if (server) {
    const at100 = server.steps.find((s) => s.rooms === 100);
    checks.push({
      goal: 'p99 < 20 ms at 100 rooms x 16',
      measured: at100 ? `${fmt(at100.latencyMs.p99, 2)} ms` : 'step not reached',
      met: at100 ? at100.latencyMs.p99 < 20 : null
    });
    const last = server.steps.at(-1);
    checks.push({
      goal: 'server RSS < 64 KB per socket at the largest step',
      measured:
        server.rssPerSocketKB === null
          ? 'no RSS figure'
          : `${fmt(server.rssPerSocketKB)} KB per added socket (${fmt(server.rssTotalPerSocketKB)} KB total RSS / sockets) at ${fmt(last?.sockets, 0)} sockets`,
      // Under a thousand sockets, garbage-collector timing outweighs what the sockets add.
      met: server.rssPerSocketKB === null || (last?.sockets ?? 0) < 1000 ? null : server.rssPerSocketKB < 64
    });
  }
  const join = report.join;
  if (join) {
    const largest = join.sizes.at(-1);
    checks.push({
      goal: 'join of a 100,000-message room: median < 5 ms',
      measured: largest ? `${fmt(largest.medianMs, 2)} ms at ${fmt(largest.messages, 0)} messages` : '-',
      met: largest && largest.messages >= 100_000 ? largest.medianMs < 5 : null
    });
    checks.push({
      goal: 'join: largest room within 2x of a 100-message room',
      measured: join.largestOverSmallest === null ? '-' : `${fmt(join.largestOverSmallest, 2)} x`,
      met: join.largestOverSmallest === null ? null : join.largestOverSmallest <= 2
    });
  }
  return checks;
}

function chatTable(chat: ChatResult): string {
  const rows: string[][] = [];
  for (const t of chat.targets) {
    for (const s of t.steps) {
      rows.push([
        t.target,
        fmt(s.rooms, 0),
        fmt(s.sockets, 0),
        fmt(s.offeredMsgPerS, 0),
        fmt(s.expectedDeliveriesPerS, 0),
        fmt(s.deliveredPerS, 0),
        `${fmt(s.deliveredShare * 100, 1)}%`,
        fmt(s.latencyMs.p50, 2),
        fmt(s.latencyMs.p95, 2),
        fmt(s.latencyMs.p99, 2),
        fmt(s.latencyMs.max, 1),
        errorsText(s.errors, s.disconnects),
        fmt(s.serverCores, 2),
        fmt(s.redisCores, 2),
        fmt(s.generatorCores, 2),
        fmt(s.otherCores, 2),
        fmt(s.cpuMicrosPerDelivery, 1),
        fmt(s.serverRssMB, 0),
        fmt(s.attempts, 0),
        s.saturated ? `**yes** (${s.reason})` : 'no'
      ]);
    }
  }
  return table(
    [
      'target', 'rooms', 'sockets', 'offered msg/s', 'expected deliveries/s', 'delivered/s', 'delivered share',
      'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'server cores', 'redis cores', 'generator cores',
      'other cores', 'CPU µs per delivery', 'server RSS MB', 'attempts', 'saturated'
    ],
    rows
  );
}

function chatSummary(chat: ChatResult): string {
  const line = (t: ChatTargetResult) => [
    t.target,
    t.saturationRooms === null ? `not reached (${chat.stoppedBy})` : fmt(t.saturationRooms, 0),
    fmt(t.saturationDeliveriesPerS, 0),
    fmt(t.idleRssMB, 0),
    fmt(t.rssPerSocketKB, 1),
    fmt(t.rssTotalPerSocketKB, 1)
  ];
  return (
    table(
      ['target', 'saturation step (rooms)', 'saturation deliveries/s', 'idle RSS MB', 'RSS KB per added socket', 'RSS KB / sockets at largest step'],
      chat.targets.map(line)
    ) + `\n\nServer / relay saturation throughput: **${chat.ratio === null ? '-' : `${fmt(chat.ratio, 3)} x`}**`
  );
}

export function formatReport(report: BenchReport): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(`# BeeBeeBee benchmark (${report.mode})`);
  out.push('');
  out.push(
    `${report.startedAt}, commit ${report.commit ?? '-'}, ${m.cores} cores (${m.cpuModel}), Node ${m.node}, ${m.platform}, ` +
      `${report.serverUrl ? `server at ${report.serverUrl}` : 'server and relay started by the bench'}, ${fmt(report.durationS, 0)} s`
  );
  const chat = report.chat;
  if (chat) {
    const o = chat.options;
    out.push('', '## Chat: rooms of 16, each member sending a text every 2 s');
    out.push('');
    out.push(
      `${o.roomSize} members a room, a ${o.textBytes}-byte text every ${o.sendIntervalMs / 1000} s +- ${o.jitterMs / 1000} s each; ` +
        `${o.warmupMs / 1000} s warm-up, ${o.measureMs / 1000} s measured, ${o.drainMs / 1000} s drain per step. ` +
        `Latency: sender's hrtime in the content to the receiver's, other members only. Saturated: p99 > ${o.p99LimitMs} ms ` +
        `or under ${o.deliveryFloor * 100}% of expected deliveries; a saturated step is measured up to ${o.attemptsAtSaturation} times ` +
        `(after waiting up to ${o.quietWaitMs / 1000} s for other work to drop under ${o.quietCores} cores) and the best attempt is shown. ` +
        'Cores: CPU time / wall time (1 = one core busy); the generator and the server share the machine; other cores = ' +
        'whole-machine CPU minus server, Redis and generator (other people\'s work); CPU µs per delivery = (server + Redis) ' +
        'CPU time / deliveries, the cost of one delivery whatever the load around it.'
    );
    out.push('', chatTable(chat), '', chatSummary(chat));
  }
  const join = report.join;
  if (join) {
    out.push('', '## Join: room:join to room:history');
    out.push('');
    out.push(
      table(
        ['messages in room', 'first join ms', 'median ms', 'p90 ms', 'min ms', 'repeats', 'history frame bytes', 'messages sent', 'hasMore'],
        join.sizes.map((s) => [
          fmt(s.messages, 0),
          fmt(s.firstMs, 2),
          fmt(s.medianMs, 2),
          fmt(s.p90Ms, 2),
          fmt(s.minMs, 2),
          fmt(s.repeats, 0),
          fmt(s.historyFrameBytes, 0),
          fmt(s.historyMessages, 0),
          String(s.hasMore)
        ])
      )
    );
    out.push('', `Largest room / smallest room median join: **${fmt(join.largestOverSmallest, 2)} x**`);
  }
  const drawing = report.drawing;
  if (drawing) {
    out.push('', `## Drawing size on the wire${drawing.measuredThroughServer ? '' : ` (computed: ${drawing.note})`}`);
    out.push('');
    out.push(
      table(
        ['drawing', 'strokes', 'points', 'drawing JSON bytes', 'message:send frame bytes', 'message:new frame bytes'],
        drawing.drawings.map((d) => [
          `${d.name} (${d.description})`,
          fmt(d.strokes, 0),
          fmt(d.points, 0),
          fmt(d.drawingBytes, 0),
          fmt(d.sendFrameBytes, 0),
          fmt(d.newFrameBytes, 0)
        ])
      )
    );
  }
  const checks = report.targets ?? checkTargets(report);
  if (checks.length) {
    out.push('', '## Targets');
    out.push('');
    out.push(table(['target', 'measured', 'met'], checks.map((c) => [c.goal, c.measured, c.met === null ? '-' : c.met ? 'yes' : 'no'])));
  }
  if (report.failures.length) {
    out.push('', '## Failures');
    for (const f of report.failures) out.push(`- ${f.scenario}: ${f.error}`);
  }
  return out.join('\n');
}
