// Invite links: `/join/{code}` on this site. People paste either the link or the bare code.

const CODE = /^[A-Za-z0-9_-]{1,64}$/;

export function inviteLink(origin: string, inviteCode: string): string {
  return `${origin}/join/${encodeURIComponent(inviteCode)}`;
}

/** The invite code in what the user typed (a code, or any link ending in /join/{code}), or null. */
export function parseInviteInput(raw: string): string | null {
  const text = raw.trim();
  if (CODE.test(text)) return text;
  const match = /\/join\/([^/?#\s]+)\/?(?:[?#].*)?$/.exec(text);
  if (!match) return null;
  let code: string;
  try {
    code = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return CODE.test(code) ? code : null;
}
