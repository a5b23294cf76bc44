import { TEXT_MAX_CHARS } from './limits';

// What a text message may hold. Anything a keyboard, an emoji picker or an input method produces
// passes; characters that only serve to hide, garble or disguise what a message says do not.

/** Any line break written as \n: pasted Windows or old Mac text is not refused for its line endings. */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

// C0 controls except tab and newline (carriage returns are normalised away above), DEL, and C1.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;

// Half of a UTF-16 surrogate pair with no other half: not a character at all. With the `u` flag a
// proper pair is one code point and does not match.
const LONE_SURROGATE = /\p{Cs}/u;

// Bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): they
// reorder the characters that follow them, so a message can show text in an order other than the
// one it was written in ("Trojan Source"). Left-to-right and right-to-left marks (U+200E, U+200F)
// and the Arabic letter mark (U+061C) stay allowed: they only set the direction of the neutral
// characters around them, reorder nothing else, and right-to-left keyboards type them on their own.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

// Something that shows: not white space, not a character that is invisible by definition
// (Default_Ignorable_Code_Point covers zero-width space and joiners, the word joiner, the byte
// order mark, variation selectors, direction marks, soft hyphens, Hangul fillers and tag
// characters), and not the blank Braille pattern, which renders as nothing.
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/u;

const codePoint = (char: string) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why a text message (already normalised) is refused, in words for its author, or null when it
 * may be sent. One reason at a time, the most basic first.
 */
export function textProblem(text: string): string | null {
  if (text.length === 0) return 'Message is empty';
  if (text.length > TEXT_MAX_CHARS) return `Text must be at most ${TEXT_MAX_CHARS} characters`;
  const control = CONTROL.exec(text);
  if (control) return `Text may not contain control characters (found ${codePoint(control[0])}); only line breaks and tabs are allowed`;
  if (LONE_SURROGATE.test(text)) return 'Text contains a broken character (half of a surrogate pair)';
  const bidi = BIDI_CONTROL.exec(text);
  if (bidi) return `Text may not contain bidirectional override, embedding or isolate characters (found ${codePoint(bidi[0])}): they can disguise what a message says`;
  if (!VISIBLE.test(text)) return 'Message has no visible characters';
  return null;
}

/**
 * Why a room name (trimmed) is refused, or null. A name is one line that every member and every
 * invited friend reads, so it takes the message rules and no line breaks or tabs either.
 */
export function nameProblem(name: string): string | null {
  if (/[\t\n\r]/.test(name)) return 'Room name must be one line, without tabs';
  const problem = textProblem(name);
  return problem && problem.replace(/^Message|^Text/, 'Room name');
}
