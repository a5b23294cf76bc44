import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from './redis.ts';

// Redis scripts live in .lua files beside the storage module that runs them, read once when that
// module loads. The module names each file with `new URL('./name.lua', import.meta.url)`: from
// source (tsx, vitest) that is the file itself; in the bundle every module shares the bundle's
// URL, and scripts/build-server.mjs copies every server .lua file beside it (names are unique).

/** Lua functions several scripts share, prepended to the scripts that call them. */
export const LUA_HELPERS = {
  /** `bumpTyping(key)` and `TYPING_VERSION`: the version field of a typing hash; before freshTypers. */
  typingVersion: new URL('./typing-version.lua', import.meta.url),
  /** `freshTypers(key, cutoff)`: ids of a typing hash whose entry is at or after the cut-off. */
  freshTypers: new URL('./fresh-typers.lua', import.meta.url),
  /** `roomOf(raw)`: a stored message's room and where its header ends, without decoding it. */
  roomOfMessage: new URL('./room-of-message.lua', import.meta.url)
};

/** A script made of these files, in order (helpers first). */
export function loadLua(...files: URL[]): LuaScript {
  return new LuaScript(files.map((file) => readFileSync(file, 'utf8')).join('\n'));
}

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
