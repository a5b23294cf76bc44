import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedisServer } from '../../server/infra/redis.ts';

/** A private redis-server on a free port for one test file; nothing is shared between files. */
export async function startTestRedis() {
  const dir = mkdtempSync(path.join(tmpdir(), 'bbb-redis-'));
  const handle = await startRedisServer({ dir, persist: false });
  return {
    url: handle.url,
    port: handle.port,
    child: handle.child,
    async stop() {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
