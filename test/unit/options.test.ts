import { describe, expect, it } from 'vitest';
import { synergyFlow, type SynergyFlowOptions } from 'passport-synergyflow';

const valid: SynergyFlowOptions = {
  clientID: 'id',
  clientSecret: 'secret',
  callbackURL: 'https://app.example/auth/callback',
};

describe('options are validated once, with a TypeError naming the option (K1–K3)', () => {
  const bad: Array<[string, Partial<Record<keyof SynergyFlowOptions, unknown>>]> = [
    ['clientID', { clientID: '' }],
    ['clientSecret', { clientSecret: undefined }],
    ['callbackURL', { callbackURL: '/auth/callback' }],
    ['callbackURL', { callbackURL: 'https://app.example/cb#frag' }],
    ['callbackURL', { callbackURL: 'ftp://app.example/cb' }],
    ['baseURL', { baseURL: 'not a url' }],
    ['scope', { scope: [] }],
    ['scope', { scope: ['user read'] }],
    ['refreshSkewSeconds', { refreshSkewSeconds: -1 }],
    ['profileTtlSeconds', { profileTtlSeconds: Number.NaN }],
    ['timeoutSeconds', { timeoutSeconds: 0 }],
    ['requestTimeoutSeconds', { requestTimeoutSeconds: -1 }],
    ['refreshLockWaitSeconds', { timeoutSeconds: 10, refreshLockWaitSeconds: 5 }],
    ['refreshLock', { timeoutSeconds: 10, refreshLock: { leaseMs: 5000, acquire: async () => undefined } }],
    ['clock', { clock: 42 }],
    ['routes.login', { routes: { login: '//evil' } }],
    ['successRedirect', { successRedirect: 'https://evil.example' }],
    ['fetch', { fetch: 'nope' }],
  ];
  for (const [option, patch] of bad) {
    it(`refuses a bad ${option}`, () => {
      expect(() => synergyFlow({ ...valid, ...patch } as SynergyFlowOptions)).toThrow(
        new RegExp(`option "${option.replace('.', '\\.')}"`),
      );
    });
  }

  it('K1/K2: refuses plain-http URLs outside localhost in production', () => {
    expect(() => synergyFlow({ ...valid, callbackURL: 'http://app.example/cb', production: true })).toThrow(
      /"callbackURL" must use https/,
    );
    expect(() => synergyFlow({ ...valid, baseURL: 'http://sf.example', production: true })).toThrow(
      /"baseURL" must use https/,
    );
    expect(() =>
      synergyFlow({
        ...valid,
        callbackURL: 'http://localhost:3000/cb',
        baseURL: 'http://127.0.0.1:4000',
        production: true,
      }),
    ).not.toThrow();
    expect(() =>
      synergyFlow({ ...valid, baseURL: 'http://sf.example', production: true, allowInsecureRequests: true }),
    ).not.toThrow();
  });

  it('fills in the SynergyFlow Pro defaults', () => {
    const { config } = synergyFlow(valid);
    expect(config).toMatchObject({
      authorizationURL: 'https://testapp2.glances.com/oauth/authorize',
      tokenURL: 'https://testapp2.glances.com/oauth/token',
      userURL: 'https://testapp2.glances.com/api/user',
      scope: ['user:read'],
      loginURL: '/auth/login',
      refreshSkewMs: 60_000,
      profileTtlMs: 300_000,
      timeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      refreshLockWaitMs: 11_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config).not.toHaveProperty('clientSecret');
  });

  it('resolves every endpoint against baseURL, path prefix included', () => {
    const { config } = synergyFlow({ ...valid, baseURL: 'https://sf.example/tenant/' });
    expect(config.tokenURL).toBe('https://sf.example/tenant/oauth/token');
  });
});

describe('redirect options may name a trusted origin (single-page apps)', () => {
  it('accepts successRedirect and logoutRedirect on a trusted origin, refuses others', () => {
    const resolveOptions = (options: SynergyFlowOptions) => synergyFlow(options).config;
    const base = { clientID: 'a', clientSecret: 'b', callbackURL: 'https://api.example/auth/callback' };
    const config = resolveOptions({
      ...base,
      trustedOrigins: ['https://app.example'],
      successRedirect: 'https://app.example/home',
      logoutRedirect: 'https://app.example/bye',
    });
    expect([config.successRedirect, config.logoutRedirect]).toEqual([
      'https://app.example/home',
      'https://app.example/bye',
    ]);
    expect(() => resolveOptions({ ...base, logoutRedirect: 'https://app.example/bye' })).toThrow(/"logoutRedirect"/);
    expect(() => resolveOptions({ ...base, extraScopes: ['ok', 'no"pe'] })).toThrow(/"extraScopes"/);
    expect(() => resolveOptions({ ...base, verify: 'yes' as never })).toThrow(/"verify"/);
  });
});
