import { describe, expect, it } from 'vitest';
import { messageSendSchema, textContentSchema } from './events';
import { TEXT_MAX_CHARS } from './limits';
import { nameProblem } from './text';
import { describeIssues } from './validation';

/** What the sender is told for `content`, or null when it is accepted. */
function refusal(content: string): string | null {
  const result = textContentSchema.safeParse(content);
  return result.success ? null : describeIssues(result.error);
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

describe('text that people write passes unchanged', () => {
  const samples: [string, string][] = [
    ['plain ASCII', 'Hello, world! 1 + 1 = 2 <b>not bold</b>'],
    ['accented letters', 'Ça va ? Größe, naïve, São Paulo, Dvořák'],
    ['decomposed accents (combining marks)', 'Cafe\u0301 and A\u030A'],
    ['CJK', '你好，世界。こんにちは、カタカナ。안녕하세요'],
    ['Arabic', 'مرحبا بالعالم'],
    ['Hebrew with a number and English', 'שלום 123 hello עולם'],
    ['Hebrew with a right-to-left mark', 'שלום\u200F!'],
    ['Arabic with the Arabic letter mark', '\u061Cمرحبا 42'],
    ['Devanagari with a zero-width joiner', 'क्\u200Dष and हिन्दी'],
    ['Persian with a zero-width non-joiner', 'می\u200Cخواهم'],
    ['a simple emoji', '🐝'],
    ['an emoji with a variation selector', '❤️ ☺️'],
    ['a family (ZWJ sequence)', '👨‍👩‍👧'],
    ['a profession with a skin tone', '👩🏽‍🚒'],
    ['flags (regional indicators)', '🇫🇷 🇯🇵 🇧🇷'],
    ["England's flag (tag characters)", '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}'],
    ['a keycap', '1\uFE0F\u20E3'],
    ['emoji beyond the BMP with text', 'nice 🦄🦕 work'],
    ['line breaks and tabs inside', 'line one\n\tindented line two\n\nline four'],
    ['a non-breaking space between words', 'A\u00A0B'],
    ['math and symbols', '∑ x² ≤ π · ∞ € £ ¥ — “quotes” …']
  ];
  for (const [what, text] of samples) {
    it(what, () => {
      expect(refusal(text)).toBeNull();
      expect(textContentSchema.parse(text)).toBe(text);
    });
  }

  it('the longest text allowed', () => {
    expect(refusal('a'.repeat(TEXT_MAX_CHARS))).toBeNull();
  });
});

describe('normalising', () => {
  it('trims the ends and keeps what is inside', () => {
    expect(textContentSchema.parse('  \n hi\tthere \n ')).toBe('hi\tthere');
  });

  it('writes Windows and old Mac line endings as \\n instead of refusing them', () => {
    expect(textContentSchema.parse('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });
});

describe('control characters are refused, naming the one found', () => {
  const allowed = new Set([0x09, 0x0a, 0x0d]);
  const controls = [...Array.from({ length: 0x20 }, (_, i) => i), ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i)].filter((cp) => !allowed.has(cp));

  it('every C0 control but tab and line breaks, DEL and every C1 control', () => {
    expect(controls).toHaveLength(0x20 - 3 + 0x21);
    for (const cp of controls) {
      expect(refusal(`before${String.fromCodePoint(cp)}after`), hex(cp)).toBe(
        `Text may not contain control characters (found ${hex(cp)}); only line breaks and tabs are allowed`
      );
    }
  });

  it('NUL, wherever it is', () => {
    expect(refusal('\u0000')).toMatch(/found U\+0000/);
    expect(refusal('hello\u0000')).toMatch(/found U\+0000/);
    expect(refusal('\u0000hello')).toMatch(/found U\+0000/);
  });

  it('the escape that starts terminal colour codes', () => {
    expect(refusal('\u001B[31mred\u001B[0m')).toMatch(/found U\+001B/);
  });
});

describe('broken UTF-16 is refused', () => {
  for (const [what, text] of [
    ['a lone high surrogate', 'abc\uD83Ddef'],
    ['a lone low surrogate', 'abc\uDC1Fdef'],
    ['a high surrogate at the very end', 'ends with \uD83D'],
    ['two halves in the wrong order', 'x\uDC1F\uD83Dx'],
    ['half of an emoji next to a whole one', '🐝\uD83D']
  ] as const) {
    it(what, () => {
      expect(refusal(text)).toBe('Text contains a broken character (half of a surrogate pair)');
    });
  }
});

describe('bidirectional controls that reorder text are refused', () => {
  const codes = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
  for (const cp of codes) {
    it(hex(cp), () => {
      expect(refusal(`invoice_${String.fromCodePoint(cp)}fdp.exe`)).toBe(
        `Text may not contain bidirectional override, embedding or isolate characters (found ${hex(cp)}): they can disguise what a message says`
      );
    });
  }

  it('the classic spoof: a right-to-left override inside a file name', () => {
    expect(refusal('open invoice\u202Egpj.exe')).toMatch(/found U\+202E/);
  });
});

describe('messages with nothing visible are refused', () => {
  const invisible: [string, string][] = [
    ['zero-width spaces', '\u200B\u200B\u200B'],
    ['zero-width joiner and non-joiner', '\u200D\u200C'],
    ['a word joiner', '\u2060'],
    ['a byte order mark between zero-width spaces', '\u200B\uFEFF\u200B'],
    ['variation selectors', '\uFE0F\uFE0E'],
    ['supplementary variation selectors', '\u{E0100}\u{E01EF}'],
    ['direction marks only', '\u200E\u200F\u061C'],
    ['a soft hyphen', '\u00AD'],
    ['a Hangul filler', '\u3164'],
    ['the combining grapheme joiner', '\u034F'],
    ['tag characters with no flag', '\u{E0067}\u{E0062}\u{E007F}'],
    ['the blank Braille pattern', '\u2800\u2800'],
    ['a mix of all of these and line breaks', '\u200B\n\t\uFEFF\u2060\u3164\n\u200E']
  ];
  for (const [what, text] of invisible) {
    it(what, () => {
      expect(refusal(text)).toBe('Message has no visible characters');
    });
  }

  it('empty, or only white space of any kind (trimmed away), is simply empty', () => {
    expect(refusal('')).toBe('Message is empty');
    expect(refusal('   \n\t \r\n ')).toBe('Message is empty');
    expect(refusal('\u2003\u2009\u202F\u3000\u00A0\u2028\u2029 \uFEFF ')).toBe('Message is empty');
  });

  it('one visible character among invisible ones is enough', () => {
    expect(refusal('\u200B.\u200B')).toBeNull();
  });
});

describe('length', () => {
  it('is counted after trimming and refused past the limit', () => {
    expect(refusal(`  ${'a'.repeat(TEXT_MAX_CHARS)}  `)).toBeNull();
    expect(refusal('a'.repeat(TEXT_MAX_CHARS + 1))).toBe(`Text must be at most ${TEXT_MAX_CHARS} characters`);
  });
});

describe('in a message:send payload', () => {
  it('the rules apply to text messages', () => {
    const roomId = 'room_1';
    expect(messageSendSchema.safeParse({ roomId, type: 'text', content: 'hi 👋' }).success).toBe(true);
    const refused = messageSendSchema.safeParse({ roomId, type: 'text', content: 'a\u202Eb' });
    expect(refused.success).toBe(false);
    if (!refused.success) expect(describeIssues(refused.error)).toMatch(/bidirectional/);
  });
});

describe('room names', () => {
  it('take the message rules, on one line', () => {
    expect(nameProblem('Bees 🐝')).toBeNull();
    expect(nameProblem('نحل')).toBeNull();
    expect(nameProblem('two\nlines')).toMatch(/one line/);
    expect(nameProblem('tab\there')).toMatch(/one line/);
    expect(nameProblem('evil\u202Egnp.exe')).toMatch(/^Room name may not contain bidirectional/);
    expect(nameProblem('\u200B\u200B')).toBe('Room name has no visible characters');
    expect(nameProblem('nul\u0000')).toMatch(/^Room name may not contain control characters/);
  });
});
