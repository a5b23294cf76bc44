import { describe, expect, it } from 'vitest';
import { splitLinks } from './links';

describe('links in text messages', () => {
  it('finds http and https links and leaves the rest as text', () => {
    expect(splitLinks('see https://example.com/a?b=1 and http://x.org.')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { text: ' and ' },
      { text: 'http://x.org', href: 'http://x.org/' },
      { text: '.' }
    ]);
  });

  it('keeps balanced brackets and drops the sentence punctuation', () => {
    expect(splitLinks('(https://en.wikipedia.org/wiki/Bee_(disambiguation))')).toEqual([
      { text: '(' },
      { text: 'https://en.wikipedia.org/wiki/Bee_(disambiguation)', href: 'https://en.wikipedia.org/wiki/Bee_(disambiguation)' },
      { text: ')' }
    ]);
  });

  it('never links other schemes', () => {
    expect(splitLinks('javascript:alert(1) data:text/html,hi ftp://a.b')).toEqual([{ text: 'javascript:alert(1) data:text/html,hi ftp://a.b' }]);
    expect(splitLinks('')).toEqual([]);
  });
});
