import type { BenchMode } from './options.ts';
import type { ChatResult, ChatTargetResult } from './scenarios/chat.ts';
import type { DrawingResult } from './scenarios/drawing.ts';
import type { DrawingRoomResult } from './scenarios/drawingRoom.ts';
import type { FirstLoadResult } from './scenarios/firstload.ts';
import type { HostileResult, RequestTally } from './scenarios/hostile.ts';
import type { JoinResult } from './scenarios/join.ts';

// The run's figures as JSON (every field name carries its unit) and as markdown tables.

export interface BenchReport {
  startedAt: string;
  mode: BenchMode;
  machine: { cores: number; cpuModel: string; node: string; platform: string };
  commit: string | null;
  serverUrl: string | null;
  chat?: ChatResult;
  join?: JoinResult;
  drawing?: DrawingResult;
  drawingRoom?: DrawingRoomResult;
  firstLoad?: FirstLoadResult;
  hostile?: HostileResult;
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
  for (const d of report.drawing?.drawings ?? []) {
    const limit = d.name === 'doodle' ? 5 * 1024 : d.name === 'sketch' ? 50 * 1024 : null;
    if (limit === null) continue;
    const frame = d.form === 'packed' ? d.sendFrameBytes : d.packedSendFrameBytes;
    checks.push({ goal: `${d.name} message:send frame <= ${fmt(limit / 1024, 0)} KB (packed)`, measured: `${fmt(frame, 0)} bytes`, met: frame <= limit });
  }
  const sketches = report.join?.sketchRoom;
  const sketchSample = report.drawing?.drawings.find((d) => d.name === 'sketch');
  if (sketches && sketches.form === 'packed' && sketchSample) {
    const unpacked = sketches.sketches * sketchSample.unpackedBytes;
    checks.push({
      goal: `opening a room of ${sketches.sketches} sketches: bytes <= 1/3 of the sketches unpacked`,
      measured: `${fmt(sketches.allSketches.bytes, 0)} bytes received vs ${fmt(unpacked, 0)} unpacked (${fmt(sketches.allSketches.bytes / unpacked, 3)} x)`,
      met: sketches.allSketches.bytes * 3 <= unpacked
    });
  }
  for (const route of report.firstLoad?.routes.filter((r) => r.limited) ?? []) {
    const limit = report.firstLoad!.limitBytes;
    checks.push({
      goal: `${route.description}: at most ${fmt(limit / 1024, 0)} KB of compressed JavaScript`,
      measured: `${fmt(route.scriptWireBytes / 1024)} KB in ${route.scripts} scripts`,
      met: route.scriptWireBytes <= limit
    });
  }
  for (const c of report.hostile?.checks ?? []) checks.push({ goal: c.goal, measured: c.measured, met: c.pass });
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
    const sk = join.sketchRoom;
    if (sk) {
      out.push('', `### A room of ${sk.sketches} sketches (${sk.form}, ${fmt(sk.sketchBytes, 0)} bytes each as stored), opened ${sk.repeats} times (medians)`, '');
      out.push(
        table(
          ['what', 'ms', 'bytes received', 'pages', 'messages'],
          [
            ['room:join to room:history (newest page)', fmt(sk.firstPage.medianMs, 2), fmt(sk.firstPage.bytes, 0), '1', fmt(sk.firstPage.messages, 0)],
            [`room:join, then older pages until all ${sk.sketches} sketches`, fmt(sk.allSketches.medianMs, 2), fmt(sk.allSketches.bytes, 0), fmt(sk.allSketches.pages, 0), fmt(sk.sketches, 0)]
          ]
        )
      );
    }
  }
  const drawing = report.drawing;
  if (drawing) {
    out.push('', `## Drawing size on the wire${drawing.measuredThroughServer ? '' : ` (computed: ${drawing.note})`}`);
    out.push('');
    out.push(
      table(
        [
          'drawing',
          'strokes',
          'points',
          'JSON bytes unpacked',
          'JSON bytes packed',
          'message:send unpacked (computed)',
          'message:send packed (computed)',
          'form sent',
          'message:send frame bytes (measured)',
          'message:new frame bytes (measured)'
        ],
        drawing.drawings.map((d) => [
          `${d.name} (${d.description})`,
          fmt(d.strokes, 0),
          fmt(d.points, 0),
          fmt(d.unpackedBytes, 0),
          fmt(d.packedBytes, 0),
          fmt(d.unpackedSendFrameBytes, 0),
          fmt(d.packedSendFrameBytes, 0),
          d.form,
          fmt(d.sendFrameBytes, 0),
          fmt(d.newFrameBytes, 0)
        ])
      )
    );
  }
  const room = report.drawingRoom;
  if (room) {
    out.push('', `## Drawing room: rooms of 16, each member sends a drawing every 5 s (${fmt(room.sketchShare * 100, 0)}% sketches, the rest doodles; ${room.form})`);
    out.push('');
    out.push(
      table(
        ['target', 'rooms', 'sockets', 'sent/s', 'delivered/s', 'delivered', 'p50 ms', 'p99 ms', 'max ms', 'received MB/s', 'errors', 'server cores', 'saturated'],
        room.targets.flatMap((t) =>
          t.steps.map((s) => [
            t.target,
            fmt(s.rooms, 0),
            fmt(s.sockets, 0),
            fmt(s.offeredMsgPerS, 1),
            fmt(s.deliveredPerS, 0),
            `${fmt(s.deliveredShare * 100, 1)}%`,
            fmt(s.latencyMs.p50, 2),
            fmt(s.latencyMs.p99, 2),
            fmt(s.latencyMs.max, 1),
            fmt(s.receivedBytesPerS / (1024 * 1024), 2),
            errorsText(s.errors, s.disconnects),
            fmt(s.serverCores, 2),
            s.saturated ? `**yes** (${s.reason})` : 'no'
          ])
        )
      )
    );
    out.push('', `Saturation deliveries/s, server over relay: **${fmt(room.ratio, 3)} x**`);
  }
  const firstLoad = report.firstLoad;
  if (firstLoad) {
    out.push('', '## First load in Chromium (empty cache)');
    out.push('');
    out.push(
      table(
        ['page', 'route', 'scripts', 'JS on the wire KB', 'JS decoded KB', 'script encodings', 'CSS on the wire KB', 'everything on the wire KB'],
        firstLoad.routes.map((r) => [
          r.description,
          r.route,
          fmt(r.scripts, 0),
          fmt(r.scriptWireBytes / 1024),
          fmt(r.scriptBytes / 1024),
          Object.entries(r.encodings)
            .map(([encoding, n]) => `${encoding} ${n}`)
            .join(', '),
          fmt(r.cssWireBytes / 1024),
          fmt(r.totalWireBytes / 1024)
        ])
      )
    );
  }
  if (report.hostile) out.push('', hostileSection(report.hostile));
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

function codes(map: Record<string, number>): string {
  const parts = Object.entries(map).map(([code, n]) => `${code} ${fmt(n, 0)}`);
  return parts.length ? parts.join(', ') : 'none';
}

function requests(t: RequestTally): string {
  return `${fmt(t.sent, 0)} sent, ${fmt(t.answered, 0)} answered, refused: ${codes(t.refused)}, ${fmt(t.timeouts, 0)} timed out, ${fmt(t.unanswered, 0)} cut off by a drop, ${fmt(t.inFlightAtEnd, 0)} in flight at the end`;
}

const mb = (bytes: number) => `${fmt(bytes / (1024 * 1024), 1)} MB`;

function hostileSection(h: HostileResult): string {
  const o = h.options;
  const s = h.server;
  const n = h.normal;
  const run = (label: string, r: typeof n.baseline) =>
    r
      ? `${label}: p50 ${fmt(r.latencyMs.p50, 2)} / p95 ${fmt(r.latencyMs.p95, 2)} / p99 ${fmt(r.latencyMs.p99, 2)} / max ${fmt(r.latencyMs.max, 1)} ms, ` +
        `${fmt(r.delivered, 0)} of ${fmt(r.expected, 0)} deliveries (${fmt(r.deliveredShare * 100, 1)}%), errors ${errorsText(r.errors, r.disconnects)}; ` +
        `cores: server ${fmt(r.cores?.server, 2)}, redis ${fmt(r.cores?.redis, 2)}, bench ${fmt(r.cores?.bench, 2)}, others ${fmt(r.cores?.other, 2)}; ` +
        `client loop delay p99 ${fmt(r.generatorLoopDelayP99Ms)} ms`
      : `${label}: not measured`;
  const connects = (c: HostileResult['nonReaders']['connects']) =>
    `${fmt(c.attempts, 0)} tried, ${fmt(c.connected, 0)} connected, ${fmt(c.refused, 0)} refused` +
    `${c.refused ? ` (${Object.entries(c.refusalReasons).map(([why, k]) => `"${why}" x${k}`).join('; ')})` : ''}, ${fmt(c.failed, 0)} failed; ` +
    `${fmt(c.droppedByServer, 0)} dropped by the server${c.lifetimeMedianS === null ? '' : ` after ${fmt(c.lifetimeMedianS)} s median (longest ${fmt(c.lifetimeMaxS)} s)`}`;
  const rows: string[][] = [
    ['server', s.alive ? `alive${s.answersHttpAtEnd ? ', answering' : ', NOT answering HTTP'}` : `**DIED** ${s.diedAtS} s into the attack (${s.exit ?? 'process gone'})`],
    ['attack', `${fmt(h.attackS)} s of ${fmt(o.attackMs / 1000, 0)} planned${h.stoppedEarly ? ` (stopped early: ${h.stoppedEarly})` : ''}; set-up ${fmt(h.setupS)} s`],
    ['server RSS', `before ${fmt(s.rssMB.before)} MB, peak **${fmt(s.rssMB.peak)} MB** (${s.rssMB.peakAtS === null ? '-' : `${fmt(s.rssMB.peakAtS)} s into the attack`}), final ${fmt(s.rssMB.final)} MB`],
    ['RSS every 5 s (s from attack start: MB)', s.rssTimeline.map((p) => `${p.atS}: ${fmt(p.mb, 0)}`).join(', ') || '-'],
    ['heavy room', `${fmt(h.heavyRoom.drawings, 0)} drawings of ~${fmt(h.heavyRoom.drawingBytesEach, 0)} bytes (${fmt(h.heavyRoom.totalMB)} MB)`],
    [`normal users (${fmt(n.rooms, 0)} rooms, ${fmt(n.sockets, 0)} sockets)`, `${run('no attack', n.baseline)}<br>${run('**under attack**', n.attack)}`],
    [
      `non-readers (${fmt(h.nonReaders.sockets, 0)} sockets on ${fmt(o.nonReaderAccounts, 0)} accounts)`,
      `${connects(h.nonReaders.connects)}<br>${fmt(h.nonReaders.requestsSent, 0)} history requests sent (one per ${o.nonReaderIntervalMs} ms each); ` +
        `peak in kernel buffers toward them ${mb(h.nonReaders.pushedPeakBytes)} (one connection ${mb(h.nonReaders.pushedPeakPerConnectionBytes)})`
    ],
    [
      `fast readers (${fmt(h.fastReaders.sockets, 0)} accounts)`,
      `${connects(h.fastReaders.connects)}<br>room:join: ${requests(h.fastReaders.join)}<br>room:history-older: ${requests(h.fastReaders.older)}<br>` +
        `error events: ${codes(h.fastReaders.errorEvents)}; ${fmt(h.fastReaders.pages, 0)} pages, ${fmt(h.fastReaders.messages, 0)} messages, **${mb(h.fastReaders.bytesReceived)} received**`
    ],
    [
      `room-password guessing (${fmt(h.guessing.guessers, 0)} accounts)`,
      `${fmt(h.guessing.attempts, 0)} attempts, ${fmt(h.guessing.rateLimited, 0)} answered 429, **${fmt(h.guessing.checked, 0)} checked** (limit allows ${fmt(h.guessing.allowed, 0)}), ` +
        `other: ${codes(h.guessing.otherStatus)}, ${fmt(h.guessing.noAnswer, 0)} unanswered; right password (guess #${fmt(o.secretAt, 0)}) ` +
        `${h.guessing.found ? `**found** after ${fmt(h.guessing.foundAfterS)} s` : 'not found'}`
    ],
    [
      `sign-in every ${fmt(o.signInEveryMs / 1000)} s`,
      `${fmt(h.signIn.attempts, 0)} attempts, ${fmt(h.signIn.ok, 0)} ok, ${fmt(h.signIn.failed, 0)} failed; p50 ${fmt(h.signIn.p50Ms)} ms, max ${fmt(h.signIn.maxMs)} ms`
    ],
    [
      `GET /api/auth/me every ${fmt(h.httpProbe.everyMs, 0)} ms (no work: the server's own wait)`,
      `${fmt(h.httpProbe.answered, 0)} answered, ${fmt(h.httpProbe.failed, 0)} failed; p50 ${fmt(h.httpProbe.p50Ms)} ms, p99 ${fmt(h.httpProbe.p99Ms)} ms, max ${fmt(h.httpProbe.maxMs)} ms`
    ]
  ];
  const out = [
    `## Hostile: ${fmt(n.rooms, 0)} rooms chatting while attackers hammer a room of ${fmt(h.heavyRoom.drawings, 0)} large drawings`,
    '',
    `Normal rooms of 16 as one chat step (a 200-byte text every 2 s +- 0.6 s each); latency of normal users only. ` +
      `Non-readers stop reading once connected and ask for the heavy room's history (room:join, room:history-older, in turns, each with an acknowledgement); ` +
      `fast readers re-join and page back to the oldest drawing as fast as they are answered, waiting ${o.readerBackoffMs} ms after a refusal; both reconnect ` +
      `${o.reconnectDelayMs / 1000} s after being dropped. Guessers share one list of passwords (at most ${o.guessesPerSecond}/s; a refused guess is tried again). ` +
      `RSS from /proc every ${o.rssEveryMs} ms; the attack stops early past ${fmt(o.rssGuardMB, 0)} MB.`,
    '',
    table(['figure', 'value'], rows),
    ''
  ];
  for (const c of h.checks) out.push(`- **${c.pass === null ? 'N/A ' : c.pass ? 'PASS' : 'FAIL'}** ${c.goal}: ${c.measured}`);
  if (s.lastOutput) out.push('', 'Last server output:', '', '```', s.lastOutput, '```');
  return out.join('\n');
}
