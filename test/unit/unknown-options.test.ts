import { describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import {
  RedisCoordinator,
  RedisTokenStore,
  SynergyFlowStrategy,
  synergyFlow,
  type SynergyFlowOptions,
} from 'passport-synergyflow';

// Plain JavaScript passes misspelled options through; they used to be ignored, leaving the
// default in force with nothing said. Each is refused with the closest valid name.
const valid: SynergyFlowOptions = {
  clientID: 'id',
  clientSecret: 'secret',
  callbackURL: 'https://app.example/auth/callback',
};
const loose = (extra: Record<string, unknown>): SynergyFlowOptions => ({ ...valid, ...extra }) as SynergyFlowOptions;

describe('unknown option names are refused with the closest valid one', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ timeout: 5 }, /unknown option "timeout" \(did you mean "timeoutSeconds"\?\)/],
    [{ clientId: 'id' }, /unknown option "clientId" \(did you mean "clientID"\?\)/],
    [{ callbackUrl: 'https://app.example/cb' }, /unknown option "callbackUrl" \(did you mean "callbackURL"\?\)/],
    [{ scopes: ['user:read'] }, /unknown option "scopes" \(did you mean "scope"\?\)/],
    [{ profileTTL: 60 }, /unknown option "profileTTL" \(did you mean "profileTtlSeconds"\?\)/],
    [{ routes: { logut: '/bye' } }, /unknown option "routes\.logut" \(did you mean "routes\.logout"\?\)/],
    [{ hooks: { onLogon: () => undefined } }, /unknown option "hooks\.onLogon" \(did you mean "hooks\.onLogin"\?\)/],
    [{ zzzzzz: 1 }, /unknown option "zzzzzz" \(known: "clientID", "clientSecret", .*"clock"\)/],
  ];
  for (const [extra, message] of cases) {
    it(`synergyFlow({ ${Object.keys(extra)[0]} })`, () => {
      const build = () => synergyFlow(loose(extra));
      expect(build).toThrow(TypeError);
      expect(build).toThrow(message);
      expect(() => new SynergyFlowStrategy(loose(extra), () => undefined)).toThrow(message);
    });
  }

  it('every documented option is still accepted', () => {
    expect(() =>
      synergyFlow({
        ...valid,
        timeoutSeconds: 5,
        routes: { login: '/in', callback: '/callback', logout: '/out' },
        hooks: { onLogin: () => undefined, onStaleTokenServed: () => undefined },
      }),
    ).not.toThrow();
  });

  it('requireUser(), errorHandler() and auth.login() options too', () => {
    const auth = synergyFlow(valid);
    expect(() => auth.requireUser({ profileTtl: 0 } as never)).toThrow(
      /unknown requireUser\(\) option "profileTtl" \(did you mean "profileTtlSeconds"\?\)/,
    );
    expect(() => auth.requireUser({ serveStale: false } as never)).toThrow(/did you mean "serveStaleOnRateLimit"\?/);
    expect(() => auth.errorHandler({ render: () => '' } as never)).toThrow(
      /unknown errorHandler\(\) option "render" \(did you mean "renderPage"\?\)/,
    );
    expect(() => auth.login({ login_hint: 'a@b.example' } as never)).toThrow(
      /unknown auth\.login\(\) option "login_hint" \(did you mean "loginHint"\?\)/,
    );
    expect(() => auth.requireUser({ profileTtlSeconds: 0, serveStaleOnRateLimit: false })).not.toThrow();
    expect(() => auth.errorHandler({ renderPage: () => '' })).not.toThrow();
  });

  it('RedisTokenStore and RedisCoordinator options too', () => {
    // Not connected: the constructors only check their options.
    const client = createClient();
    expect(() => new RedisTokenStore({ client, encryptionKey: 'b'.repeat(64) } as never)).toThrow(
      /unknown RedisTokenStore option "encryptionKey" \(did you mean "encryptionKeys"\?\)/,
    );
    expect(() => new RedisTokenStore({ client, ttl: 60 } as never)).toThrow(/did you mean "ttlSeconds"\?/);
    expect(() => new RedisCoordinator({ client, lockTtl: 20 } as never)).toThrow(
      /unknown RedisCoordinator option "lockTtl" \(did you mean "lockTtlSeconds"\?\)/,
    );
    expect(() => new RedisTokenStore({ client, prefix: 'x:', ttlSeconds: 60 })).not.toThrow();
  });
});
