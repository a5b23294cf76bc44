import type { DrawingForm } from '../options.ts';
import type { WorkerPool } from '../pool.ts';
import type { Target } from '../processes.ts';
import { CHAT_DEFAULTS, runChat, type ChatOptions, type ChatResult } from './chat.ts';

// Scenario "drawing room": rooms of 16 where every member sends a drawing every 5 s (+- 1.5 s,
// 0.2 a second): mostly the 10-stroke doodle, now and then the 200-stroke sketch. The chat
// scenario's machinery runs it (steps of growing room counts, the server and the relay fed the same
// frames in turns); the sender's clock travels in a line of text in the drawing's corner.

/** One send in ten is a sketch (every tenth of each member, staggered between members). */
export const SKETCH_SHARE = 0.1;

export interface DrawingRoomResult extends ChatResult {
  form: DrawingForm;
  sketchShare: number;
}

export async function runDrawingRoom(
  targets: Target[],
  pool: WorkerPool,
  base: Pick<ChatOptions, 'steps' | 'timeBudgetMs' | 'warmupMs' | 'measureMs' | 'drainMs' | 'attemptsAtSaturation' | 'quietWaitMs'>,
  form: DrawingForm,
  tag: string,
  log: (line: string) => void
): Promise<DrawingRoomResult> {
  const options: ChatOptions = {
    ...CHAT_DEFAULTS,
    ...base,
    label: 'drawing room',
    sendIntervalMs: 5000,
    jitterMs: 1500,
    drawings: { sketchShare: SKETCH_SHARE, form }
  };
  const result = await runChat(targets, pool, options, `${tag}d`, log);
  return { ...result, form, sketchShare: SKETCH_SHARE };
}
