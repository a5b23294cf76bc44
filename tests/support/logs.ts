import { vi } from 'vitest';

/**
 * Keeps what the app writes with console.error from now until `restore()` instead of printing it:
 * for tests that take Redis away on purpose. The app's outage reports are then expected output,
 * which the test checks rather than letting them scroll past as noise among real failures.
 */
export function captureErrorLog(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  return { lines, restore: () => spy.mockRestore() };
}
