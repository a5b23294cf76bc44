import { Router } from 'express';
import type { AppDatabase } from './db.ts';
import type { Redis } from './redis.ts';

// GET /api/health for load balancers and orchestrators: 200 when this process can reach both Redis
// and the database, 503 naming the one that is down otherwise. It asks both every time, with a
// short deadline, so a balancer's probe never hangs on a stuck connection.

/** How long each check may take before it counts as down. */
const CHECK_TIMEOUT_MS = 2000;

export type PartState = 'up' | 'down';

export interface Health {
  status: 'ok' | 'unavailable';
  redis: PartState;
  database: PartState;
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

export async function checkHealth(redis: Pick<Redis, 'ping'>, db: Pick<AppDatabase, 'ping' | 'engine'>): Promise<Health> {
  const [redisState, databaseState] = await Promise.all([within(() => redis.ping()), within(() => db.ping())]);
  const status = redisState === 'up' && databaseState === 'up' ? 'ok' : 'unavailable';
  return { status, redis: redisState, database: databaseState, engine: db.engine };
}

export function createHealthRouter(redis: Pick<Redis, 'ping'>, db: Pick<AppDatabase, 'ping' | 'engine'>): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const health = await checkHealth(redis, db);
    res.setHeader('Cache-Control', 'no-store');
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  return router;
}
