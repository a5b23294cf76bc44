/** Where to go after signing in: only a path inside this app, never another site. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/app';
  return raw;
}

/**
 * Where an invite link sends a visitor who is not signed in: the sign-in page, which names the
 * room and comes back to the invite afterwards, asking it to join at once (`join=1`).
 */
export function signInForInvite(inviteCode: string): string {
  return `/login?next=${encodeURIComponent(`/join/${encodeURIComponent(inviteCode)}?join=1`)}`;
}

/** The invite code when `next` (already safe) leads back to an invite page, else null. */
export function inviteCodeIn(next: string): string | null {
  const match = /^\/join\/([^/?#]+)(?:[?#]|$)/.exec(next);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
