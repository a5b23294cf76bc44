import { describe, expect, it } from 'vitest';
import { inviteCodeIn, safeNext, signInForInvite } from './next';

describe('where sign-in leads', () => {
  it('goes back to an invite, asking it to join', () => {
    const url = new URL(signInForInvite('Ab_3-x'), 'http://x');
    expect(url.pathname).toBe('/login');
    const next = safeNext(url.searchParams.get('next'));
    expect(next).toBe('/join/Ab_3-x');
    expect(inviteCodeIn(next)).toBe('Ab_3-x');
  });

  it('finds no invite in other paths', () => {
    expect(inviteCodeIn('/app')).toBeNull();
    expect(inviteCodeIn('/join/')).toBeNull();
    expect(inviteCodeIn('/joined/abc')).toBeNull();
    expect(inviteCodeIn('/join/%E0%A4%A')).toBeNull();
  });

  it('never leaves the app', () => {
    expect(safeNext('https://evil.example')).toBe('/app');
    expect(safeNext('//evil.example')).toBe('/app');
    expect(safeNext('/\\evil.example')).toBe('/app');
  });
});
