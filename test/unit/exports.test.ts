// The public surface is what the README documents; this fails when it grows or shrinks unnoticed.
import { describe, expect, it } from 'vitest';
import * as main from '../../src/index.js';
import * as testing from '../../src/testing/index.js';

describe('public surface', () => {
  it('exports exactly the documented runtime values from passport-synergyflow', () => {
    expect(Object.keys(main).sort()).toEqual(
      [
        'CrossSiteRequestError',
        'ErrorCodes',
        'ForbiddenError',
        'LoginFailedError',
        'LoginRequiredError',
        'ProviderError',
        'ProxyRefusedError',
        'RateLimitError',
        'MemoryCoordinator',
        'RedisCoordinator',
        'RedisRefreshLock',
        'RedisTokenStore',
        'SessionTokenStore',
        'SynergyFlowError',
        'SynergyFlowStrategy',
        'TemporarilyUnavailableError',
        'TwoFactorRequiredError',
        'UnauthorizedError',
        'escapeHtml',
        'fromIoredis',
        'guardSessionStore',
        'isCrossSiteRequestError',
        'isForbiddenError',
        'isLoginFailedError',
        'isLoginRequiredError',
        'isProtectedRequest',
        'isProviderError',
        'isProxyRefusedError',
        'isRateLimitError',
        'isSynergyFlowError',
        'isTemporarilyUnavailableError',
        'isTwoFactorRequiredError',
        'isUnauthorizedError',
        'oauthRevocationRequest',
        'oauthTokenRequest',
        'phpOAuthProvider',
        'requestAuth',
        'sessionProfile',
        'synapseFiProvider',
        'synergyFlow',
        'synergyFlowProvider',
        'tokenFootprint',
      ].sort(),
    );
  });

  it('exports exactly the documented runtime values from passport-synergyflow/testing', () => {
    expect(Object.keys(testing).sort()).toEqual(
      [
        'FakeClock',
        'PhpOAuthEmulator',
        'SynapseFiEmulator',
        'SynergyFlowEmulator',
        'TestBrowser',
        'revocableSynergyFlowProvider',
        'startPhpOAuthEmulator',
        'startSynapseFiEmulator',
        'startSynergyFlowEmulator',
        'startTestApp',
      ].sort(),
    );
  });

  it('hands out no client secret in auth.config', () => {
    const auth = main.synergyFlow({ clientID: 'id', clientSecret: 'the-secret', callbackURL: 'http://localhost/cb' });
    expect(JSON.stringify(auth.config)).not.toContain('the-secret');
  });
});
