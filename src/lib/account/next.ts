/** Where to go after signing in: only a path inside this app, never another site. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/app';
  return raw;
}

/**
 * Where an invite link sends a visitor who is not signed in: the sign-in page, which names the
 * room and comes back to the invite afterwards.
 */
export function signInForInvite(inviteCode: string): string {
  return `/login?next=${encodeURIComponent(`/join/${encodeURIComponent(inviteCode)}`)}`;
}

const JOIN_INTENT_KEY = 'bbb:join-after-sign-in';

/**
 * Signing in (or up) from an invite is the friend saying yes to it: the invite page joins at once
 * when it needs nothing more. Kept in this tab's session storage, not in the address, so that a
 * link made elsewhere can never join a signed-in person to a room without their click.
 */
export function rememberInviteJoin(inviteCode: string): void {
  sessionStorage.setItem(JOIN_INTENT_KEY, inviteCode);
}

/** Whether this tab just signed in to join this invite; answers once. */
export function takeInviteJoin(inviteCode: string): boolean {
  const remembered = sessionStorage.getItem(JOIN_INTENT_KEY);
  sessionStorage.removeItem(JOIN_INTENT_KEY);
  return remembered === inviteCode;
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
