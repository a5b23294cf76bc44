/**
 * True when a browser request's Origin is the app's own (same host it was sent to) or listed in
 * ALLOWED_ORIGINS. Requests with no Origin (curl, same-origin GETs) are not cross-site requests.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
