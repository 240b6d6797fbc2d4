import { expectTypeOf } from 'expect-type';
import type { ErrorRequestHandler, Request, RequestHandler, Router } from 'express';
import passport, { Passport } from 'passport';
import { describe, expect, it } from 'vitest';
import {
  isRateLimitError,
  isSynergyFlowError,
  RateLimitError,
  synergyFlow,
  type KnownSynergyFlowError,
  type RequestAuth,
  type SynergyFlowAuth,
  type SynergyFlowOptions,
  type SynergyFlowProfile,
} from 'passport-synergyflow';

// An app extends the user type through declaration merging, as the README shows.
declare global {
  namespace Express {
    interface User {
      plan?: 'free' | 'pro';
    }
  }
}

const options: SynergyFlowOptions = {
  clientID: 'id',
  clientSecret: 'secret',
  callbackURL: 'https://app.example/auth/callback',
};

describe('public types', () => {
  it('the quick start type-checks and returns routers and middleware', () => {
    const auth = synergyFlow(options);
    expectTypeOf(auth).toEqualTypeOf<SynergyFlowAuth>();
    expectTypeOf(auth.loginRouter()).toEqualTypeOf<Router>();
    expectTypeOf(auth.requireUser()).toEqualTypeOf<RequestHandler>();
    expectTypeOf(auth.errorHandler()).toEqualTypeOf<ErrorRequestHandler>();
    // auth.use takes the default passport export (as in the README) and new Passport() alike.
    expectTypeOf(auth.use).toBeCallableWith(passport);
    expectTypeOf(auth.use).toBeCallableWith(new Passport());
    expect(typeof auth.use).toBe('function');
  });

  it('req.user is the SynergyFlow profile, extendable by the app', () => {
    expectTypeOf<Request['user']>().toEqualTypeOf<Express.User | undefined>();
    expectTypeOf<Express.User>().toMatchTypeOf<SynergyFlowProfile>();
    expectTypeOf<Express.User['name']>().toEqualTypeOf<string>();
    expectTypeOf<Express.User['email']>().toEqualTypeOf<string | null>();
    expectTypeOf<Express.User['plan']>().toEqualTypeOf<'free' | 'pro' | undefined>();
    expectTypeOf<Request['synergyflow']>().toEqualTypeOf<RequestAuth | undefined>();
  });

  it('options are checked: required fields, no unknown names, typed values', () => {
    // @ts-expect-error clientID is required
    const missing: SynergyFlowOptions = { clientSecret: 's', callbackURL: 'https://a.example/cb' };
    // @ts-expect-error no such option
    const unknown: SynergyFlowOptions = { ...options, clientSecrets: 'x' };
    // @ts-expect-error profileTtlSeconds is a number
    const wrong: SynergyFlowOptions = { ...options, profileTtlSeconds: '300' };
    expect([missing, unknown, wrong]).toHaveLength(3);
  });

  it('errors narrow by code, and the guards narrow unknown values', () => {
    const handle = (error: unknown): number | undefined => {
      if (!isSynergyFlowError(error)) return undefined;
      expectTypeOf(error).toEqualTypeOf<KnownSynergyFlowError>();
      if (error.code === 'SF_RATE_LIMITED') {
        expectTypeOf(error).toEqualTypeOf<RateLimitError>();
        return error.retryAfter;
      }
      return error.status;
    };
    expect(handle(new RateLimitError(7))).toBe(7);
    const caught: unknown = new RateLimitError(3);
    if (isRateLimitError(caught)) expectTypeOf(caught.limit).toEqualTypeOf<number | undefined>();
  });
});
