import { Router } from 'express';
import type { AppDatabase } from './db.ts';
import type { Redis } from './redis.ts';

// GET /api/health for load balancers and orchestrators: 200 when this process can reach Redis,
// the database and the upload store (the folder or the bucket), 503 naming the part that is down
// otherwise. It asks each every time, with a short deadline, so a balancer's probe never hangs on
// a stuck connection.

/** How long each check may take before it counts as down. */
const CHECK_TIMEOUT_MS = 2000;

export type PartState = 'up' | 'down';

export interface Health {
  status: 'ok' | 'unavailable';
  redis: PartState;
  database: PartState;
  /** The uploads folder or bucket (server/uploads/files.ts). */
  uploads: PartState;
  /** Which database engine this process runs on. */
  engine: AppDatabase['engine'];
}

async function within(check: () => Promise<unknown>): Promise<PartState> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), deadline]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthParts {
  redis: Pick<Redis, 'ping'>;
  db: Pick<AppDatabase, 'ping' | 'engine'>;
  /** The upload store (server/uploads/files.ts): `ready` throws while it cannot be used. */
  files: { ready(): Promise<void> };
}

export async function checkHealth({ redis, db, files }: HealthParts): Promise<Health> {
  const [redisState, databaseState, uploadsState] = await Promise.all([
    within(() => redis.ping()),
    within(() => db.ping()),
    within(() => files.ready())
  ]);
  const up = redisState === 'up' && databaseState === 'up' && uploadsState === 'up';
  return { status: up ? 'ok' : 'unavailable', redis: redisState, database: databaseState, uploads: uploadsState, engine: db.engine };
}

export function createHealthRouter(parts: HealthParts): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const health = await checkHealth(parts);
    res.setHeader('Cache-Control', 'no-store');
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  return router;
}
