import { describe, expect, it } from 'vitest';
import { synergyFlow } from 'passport-synergyflow';

const production = {
  clientID: 'client',
  clientSecret: 'secret',
  callbackURL: 'https://app.example/auth/callback',
  production: true,
};

describe('configuration', () => {
  it('K5: plain-http trustedOrigins outside localhost are refused in production', () => {
    // A page served over plain http can be rewritten on the way, so it must not be trusted to log out.
    expect(() => synergyFlow({ ...production, trustedOrigins: ['http://admin.example'] })).toThrow(
      /"trustedOrigins" must use https outside localhost in production/,
    );
    expect(synergyFlow({ ...production, trustedOrigins: ['https://admin.example'] }).config.trustedOrigins).toEqual([
      'https://app.example',
      'https://admin.example',
    ]);
    expect(() => synergyFlow({ ...production, trustedOrigins: ['http://localhost:3000'] })).not.toThrow();
    expect(() =>
      synergyFlow({ ...production, production: false, trustedOrigins: ['http://admin.example'] }),
    ).not.toThrow();
    expect(() =>
      synergyFlow({ ...production, allowInsecureRequests: true, trustedOrigins: ['http://admin.example'] }),
    ).not.toThrow();
  });
});
