import { describe, expect, it } from 'vitest';
import { tokenHealth } from '../../src/session/session-endpoint.js';
import type { TokenSet } from 'passport-synergyflow';

const NOW = 1_800_000_000_000;
const SKEW = 60_000;
const tokens = (over: Partial<TokenSet>): TokenSet => ({
  accessToken: 'a',
  refreshToken: 'r',
  obtainedAt: NOW - 3_600_000,
  expiresAt: NOW + 3_600_000,
  refreshExpiresAt: NOW + 86_400_000,
  version: 1,
  ...over,
});

describe('tokenHealth: what the session endpoint reads from a token set', () => {
  it('ok while the access token serves; the login ends with the refresh token', () => {
    expect(tokenHealth(tokens({}), NOW, SKEW)).toEqual({ health: 'ok', endsAt: NOW + 86_400_000 });
  });

  it('refresh_due inside the skew or once expired, while a refresh token lives', () => {
    expect(tokenHealth(tokens({ expiresAt: NOW + 30_000 }), NOW, SKEW).health).toBe('refresh_due');
    expect(tokenHealth(tokens({ expiresAt: NOW - 1 }), NOW, SKEW).health).toBe('refresh_due');
    // A user attached by refresh token (SynapseFi): stored expired, with no key yet.
    expect(tokenHealth(tokens({ obtainedAt: NOW, expiresAt: NOW }), NOW, SKEW).health).toBe('refresh_due');
  });

  it('login_required when the access token expired and nothing can renew it', () => {
    for (const dead of [{ refreshToken: undefined }, { refreshExpiresAt: NOW }, { refreshUsesLeft: 0 }]) {
      expect(tokenHealth(tokens({ expiresAt: NOW - 1, ...dead }), NOW, SKEW), JSON.stringify(dead)).toEqual({
        health: 'login_required',
        endsAt: undefined,
      });
    }
  });

  it('without a refresh token, a valid access token is ok until it expires, and so is the login', () => {
    const set = tokens({ refreshToken: undefined, refreshExpiresAt: undefined, expiresAt: NOW + 30_000 });
    expect(tokenHealth(set, NOW, SKEW)).toEqual({ health: 'ok', endsAt: NOW + 30_000 });
  });
});
