import type { z } from 'zod';

/** One readable sentence from a failed parse: the first issue, with where it happened. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid input';
  if (issue.code === 'invalid_type' && issue.path.length > 0 && issue.input === undefined) {
    return `${String(issue.path[issue.path.length - 1])} is required`;
  }
  if (issue.code === 'unrecognized_keys') return `Unknown field: ${issue.keys.join(', ')}`;
  return issue.message;
}
