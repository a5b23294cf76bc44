import { createHash } from 'node:crypto';
import type { Redis } from './redis.ts';

/**
 * A Lua script run by its hash (EVALSHA), falling back to EVAL when Redis does not know it yet
 * (first use, or a Redis that restarted and lost its script cache).
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.source, keys.length, ...keys, ...args);
      }
      throw err;
    }
  }
}

/** Redis replies as the scripts return them: arrays of strings and integers. */
export function asArray(reply: unknown): unknown[] {
  return Array.isArray(reply) ? reply : [];
}

export function asStrings(reply: unknown): string[] {
  return asArray(reply).map(String);
}
