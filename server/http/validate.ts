import type { Response } from 'express';
import type { z } from 'zod';
import { describeIssues } from '../../src/lib/protocol/index.ts';

/**
 * Parses an HTTP body with a contract schema. On failure answers 400 `{ error }` and returns
 * undefined, so a route reads: `const body = parseBody(res, schema, req.body); if (!body) return;`
 */
export function parseBody<S extends z.ZodType>(res: Response, schema: S, body: unknown): z.output<S> | undefined {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  res.status(400).json({ error: describeIssues(result.error) });
  return undefined;
}
