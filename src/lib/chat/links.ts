// Splits a text message into plain runs and http(s) links, so the feed can make links clickable
// with ordinary elements (Svelte escapes every run; no HTML is ever built from what people type).

export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

// Up to the first space or angle bracket; trailing punctuation belongs to the sentence, not the link.
const LINK = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]}]+$/;

/** Only well-formed http and https addresses become links; anything else stays text. */
function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let plainFrom = 0;
  for (const match of text.matchAll(LINK)) {
    let raw = match[0];
    // Keep a closing bracket that has its opening one inside the link (Wikipedia style).
    const trailing = raw.match(TRAILING)?.[0] ?? '';
    let cut = trailing.length;
    if (trailing.startsWith(')') && raw.slice(0, -trailing.length).includes('(')) cut -= 1;
    if (cut > 0) raw = raw.slice(0, -cut);
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index;
    if (start > plainFrom) parts.push({ text: text.slice(plainFrom, start) });
    parts.push({ text: raw, href });
    plainFrom = start + raw.length;
  }
  if (plainFrom < text.length) parts.push({ text: text.slice(plainFrom) });
  return parts;
}
