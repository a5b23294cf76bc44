import { describe, expect, it } from 'vitest';
import { inviteLink, parseInviteInput } from './invite';

describe('invite links', () => {
  it('builds a link on this site', () => {
    expect(inviteLink('https://bee.example', 'abc_123')).toBe('https://bee.example/join/abc_123');
  });

  it('reads a bare code or a full link', () => {
    expect(parseInviteInput('  abc_123 ')).toBe('abc_123');
    expect(parseInviteInput('https://bee.example/join/abc_123')).toBe('abc_123');
    expect(parseInviteInput('http://127.0.0.1:3001/join/Xy-9/')).toBe('Xy-9');
    expect(parseInviteInput('bee.example/join/abc?ref=1')).toBe('abc');
  });

  it('refuses anything else', () => {
    expect(parseInviteInput('')).toBeNull();
    expect(parseInviteInput('not a code')).toBeNull();
    expect(parseInviteInput('https://bee.example/rooms/abc')).toBeNull();
    expect(parseInviteInput('https://bee.example/join/a%2F..')).toBeNull();
  });
});
