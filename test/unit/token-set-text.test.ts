import { describe, expect, it } from 'vitest';
import type { TokenSet } from 'passport-synergyflow';
import { tokenSetFromText, tokenSetToText } from '../../src/tokens/token-set-text.js';

const full: TokenSet = {
  accessToken: 'at_abc',
  refreshToken: 'rt_def',
  expiresAt: 1_800_000_000_000,
  refreshExpiresAt: 1_802_000_000_000,
  refreshUsesLeft: 7,
  scope: ['user:read', 'user:write'],
  obtainedAt: 1_799_999_000_000,
  providerData: { user_id: 'u1', fingerprint: 'fp' },
  version: 4,
};

describe('the text a store keeps for a token set', () => {
  it('reads back exactly what was written, every field present or absent', () => {
    expect(tokenSetFromText(tokenSetToText(full))).toEqual(full);
    const bare: TokenSet = { accessToken: 'at_x', obtainedAt: 5, version: 1 };
    expect(tokenSetFromText(tokenSetToText(bare))).toEqual(bare);
    const noScope: TokenSet = { ...full, scope: [] };
    expect(tokenSetFromText(tokenSetToText(noScope))).toEqual(noScope);
  });

  it('is far smaller than the object form (the bytes per user of issue 23)', () => {
    const compact = tokenSetToText(full).length;
    const object = JSON.stringify(full).length;
    expect(object - compact).toBeGreaterThan(90);
  });

  it('still reads the object form that earlier versions stored (no login lost at upgrade)', () => {
    expect(tokenSetFromText(JSON.stringify(full))).toEqual(full);
  });

  it('refuses damaged text whole, never a half-read token set', () => {
    const damaged = [
      '',
      'not json',
      '[]',
      '[2, 1, "at"]', // an unknown format
      '[1, "1", "at", null, null, null, null, null, 5]', // version not a number
      '[1, 1, 42, null, null, null, null, null, 5]', // access token not a string
      '[1, 1, "at", 7, null, null, null, null, 5]', // refresh token not a string
      '[1, 1, "at", null, "soon", null, null, null, 5]', // expiry not a number
      '[1, 1, "at", null, null, null, null, ["user:read"], 5]', // scope not text
      '[1, 1, "at", null, null, null, null, null, 5, {"user_id": 1}]', // provider data not strings
      '[1, 1, "at"]', // no obtainedAt
      '{"accessToken": 1, "version": 1}',
    ];
    for (const text of damaged) expect(tokenSetFromText(text), text).toBeUndefined();
  });
});
