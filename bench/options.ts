import { parseArgs } from 'node:util';

// Command line of `npm run bench`: a full run by default, `--quick` for the reduced one, `--smoke`
// for the smallest run that still goes through every scenario (what `npm test` runs).

export const SCENARIOS = ['chat', 'join', 'drawing', 'drawing-room', 'firstload', 'hostile'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * The form drawings are sent and seeded in: packed strokes, as the app sends them, or every point
 * spelled out, as it did before packing (to measure an older server, started apart and given with --url).
 */
export const DRAWING_FORMS = ['packed', 'unpacked'] as const;
export type DrawingForm = (typeof DRAWING_FORMS)[number];

export type BenchMode = 'full' | 'quick' | 'smoke';

export interface BenchOptions {
  mode: BenchMode;
  /** Base URL of a server already running; none is started then. */
  url?: string;
  /** Its Redis, for seeding the join scenario; without it that scenario is skipped. */
  redisUrl?: string;
  /** Its pid, for CPU and memory figures. */
  pid?: number;
  scenarios: Scenario[];
  /** Also measure the bare relay (chat only). */
  relay: boolean;
  workers: number;
  steps: number[];
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  chatBudgetMs: number;
  attemptsAtSaturation: number;
  quietWaitMs: number;
  joinSizes: number[];
  joinRepeats: number;
  /** Opening the room whose newest 50 messages are sketches: this many times. */
  sketchRoomRepeats: number;
  /** Rooms per step of the drawing-room scenario. */
  drawingRoomSteps: number[];
  drawingRoomBudgetMs: number;
  drawingForm: DrawingForm;
  /** Seconds of the hostile scenario's attack; its default comes with --quick or not. */
  attackS?: number;
  /** Write a V8 CPU profile of the server here (started servers only). */
  profileDir?: string;
  outDir: string;
}

const USAGE = `npm run bench -- [options]
  --quick               reduced run (under two minutes)
  --smoke               smallest run of every scenario (about half a minute), used by bench/bench.test.ts
  --url <base>          benchmark a server already running there (none is started)
  --redis-url <url>     that server's Redis, to seed the join scenario
  --pid <n>             that server's pid, for CPU and RSS figures
  --only <list>         scenarios to run: chat,join,drawing,drawing-room,firstload,hostile (default all;
                        --smoke leaves out firstload, which builds the app and drives Chromium)
  --drawing-form <f>    packed (default) or unpacked: the form drawings are sent and seeded in;
                        unpacked is the form before packing, for an older server given with --url
  --no-relay            skip the bare Socket.IO relay baseline
  --steps <list>        rooms per chat step, e.g. 5,10,20
  --measure <s>         measured seconds per chat step
  --budget <min>        no chat step starts after this many minutes
  --workers <n>         client worker processes, 2-4
  --attack <s>          seconds of the hostile scenario's attack (default 60, --quick 15, --smoke 5)
  --profile <dir>       write CPU profiles of the started server and relay into <dir>/server, <dir>/relay
  --out <dir>           where the JSON result goes (default bench/results)`;

function list(raw: string | undefined): string[] | undefined {
  return raw
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      url: { type: 'string' },
      'redis-url': { type: 'string' },
      pid: { type: 'string' },
      only: { type: 'string' },
      'drawing-form': { type: 'string' },
      'no-relay': { type: 'boolean', default: false },
      steps: { type: 'string' },
      measure: { type: 'string' },
      budget: { type: 'string' },
      attack: { type: 'string' },
      workers: { type: 'string' },
      profile: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.quick && values.smoke) throw new Error('--quick and --smoke exclude each other');
  const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const smoke = mode === 'smoke';
  const quick = mode !== 'full';
  const scenarios = (list(values.only) ?? SCENARIOS.filter((s) => !(smoke && s === 'firstload'))).map((s) => {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario "${s}" (${SCENARIOS.join(', ')})`);
    return s as Scenario;
  });
  const steps = list(values.steps)?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error('--steps takes positive integers');
    return n;
  });
  const measureS = positive('measure', values.measure);
  const drawingForm = values['drawing-form'] ?? 'packed';
  if (!(DRAWING_FORMS as readonly string[]).includes(drawingForm)) throw new Error(`--drawing-form is one of ${DRAWING_FORMS.join(', ')}`);
  const workers = Math.round(positive('workers', values.workers) ?? 2);
  if (workers < 1 || workers > 8) throw new Error('--workers must be between 1 and 8');
  const url = values.url?.replace(/\/$/, '');
  if (url) {
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw new Error('--url must point at this machine (127.0.0.1)');
  }
  return {
    mode,
    url,
    redisUrl: values['redis-url'],
    pid: positive('pid', values.pid),
    scenarios,
    relay: !values['no-relay'],
    workers,
    // Past 250 rooms the step grows by 50 rooms at a time until saturation or the budget.
    steps: steps ?? (smoke ? [2] : quick ? [1, 3] : [5, 10, 20, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500]),
    warmupMs: smoke ? 500 : quick ? 1500 : 3000,
    measureMs: (measureS ?? (quick ? 3 : 10)) * 1000,
    drainMs: smoke ? 500 : quick ? 1000 : 2000,
    chatBudgetMs: (positive('budget', values.budget) ?? (quick ? 0.5 : 25)) * 60_000,
    attemptsAtSaturation: quick ? 1 : 3,
    quietWaitMs: quick ? 0 : 30_000,
    joinSizes: smoke ? [100] : quick ? [100, 10_000] : [100, 10_000, 100_000],
    joinRepeats: smoke ? 3 : quick ? 7 : 31,
    sketchRoomRepeats: smoke ? 1 : quick ? 3 : 7,
    drawingRoomSteps: smoke ? [2] : quick ? [5, 20] : [5, 10, 20, 40, 60, 80, 100],
    drawingRoomBudgetMs: (quick ? 1 : 6) * 60_000,
    drawingForm: drawingForm as DrawingForm,
    attackS: positive('attack', values.attack),
    profileDir: values.profile,
    outDir: values.out ?? 'bench/results'
  };
}
