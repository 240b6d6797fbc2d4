import { describe, expect, it } from 'vitest';
import { needsRefresh, tokenSetFromOAuthAnswer, type TokenSet } from '../../src/tokens/token-set.js';

const lifetimes = { refreshTokenTtlMs: 30 * 86_400_000 };
const now = 1_000_000;

describe('token sets', () => {
  it('stores absolute times and keeps only known fields', () => {
    const set = tokenSetFromOAuthAnswer(
      { access_token: 'a', token_type: 'Bearer', expires_in: 60, refresh_token: 'r', junk: 1 },
      now,
      lifetimes,
    );
    expect(set).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: now + 60_000,
      refreshExpiresAt: now + lifetimes.refreshTokenTtlMs,
      scope: undefined,
      obtainedAt: now,
      version: 1,
    });
  });

  it('F2: keeps the previous refresh token and its horizon when none is returned', () => {
    const previous = tokenSetFromOAuthAnswer(
      { access_token: 'a', token_type: 'Bearer', expires_in: 60, refresh_token: 'r' },
      now,
      lifetimes,
    );
    const next = tokenSetFromOAuthAnswer(
      { access_token: 'b', token_type: 'Bearer', expires_in: 60 },
      now + 5000,
      lifetimes,
      previous,
    );
    expect(next).toMatchObject({ refreshToken: 'r', refreshExpiresAt: previous.refreshExpiresAt, version: 2 });
  });

  it('F10/F11: refreshes skew before expiry, but never before half the lifetime', () => {
    const long: TokenSet = { accessToken: 'a', obtainedAt: now, expiresAt: now + 3_600_000, version: 1 };
    expect(needsRefresh(long, now + 3_600_000 - 61_000, 60_000)).toBe(false);
    expect(needsRefresh(long, now + 3_600_000 - 59_000, 60_000)).toBe(true);
    const short: TokenSet = { accessToken: 'a', obtainedAt: now, expiresAt: now + 10_000, version: 1 };
    expect(needsRefresh(short, now + 4_000, 60_000)).toBe(false);
    expect(needsRefresh(short, now + 5_000, 60_000)).toBe(true);
    const unknown: TokenSet = { accessToken: 'a', obtainedAt: now, version: 1 };
    expect(needsRefresh(unknown, now + 1e12, 60_000)).toBe(false);
  });

  it('T4: expires_in 0 means unknown expiry (no refresh loop); junk is refused', () => {
    expect(
      tokenSetFromOAuthAnswer({ access_token: 'a', token_type: 'Bearer', expires_in: 0 }, now, lifetimes).expiresAt,
    ).toBeUndefined();
    for (const expires of [-5, 'abc', Number.NaN, Infinity, '1e400', {}]) {
      expect(() =>
        tokenSetFromOAuthAnswer({ access_token: 'a', token_type: 'Bearer', expires_in: expires }, now, lifetimes),
      ).toThrow(/expires_in/);
    }
  });
});
