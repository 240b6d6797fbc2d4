import { expectTypeOf } from 'expect-type';
import type { ErrorRequestHandler, Request, RequestHandler, Router } from 'express';
import passport, { Passport, type Strategy as PassportStrategy } from 'passport';
import { describe, expect, it } from 'vitest';
import {
  isProtectedRequest,
  isRateLimitError,
  isSynergyFlowError,
  RateLimitError,
  requestAuth,
  sessionProfile,
  synergyFlow,
  SynergyFlowStrategy,
  type ApiRequest,
  type KnownSynergyFlowError,
  type LoginOptions,
  type LoginVerify,
  type ProtectedRequest,
  type RequestAuth,
  type SynergyFlowAuth,
  type SynergyFlowOptions,
  type SynergyFlowProfile,
} from 'passport-synergyflow';

// An app with its own users (a local strategy besides SynergyFlow) types `req.user` itself,
// through declaration merging, as the README shows. The package claims nothing of it.
declare global {
  namespace Express {
    interface User {
      id: string;
      name: string;
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

  it("req.user is the app's type: a second strategy's users type-check, the profile is on req.synergyflow", () => {
    expectTypeOf<Request['user']>().toEqualTypeOf<Express.User | undefined>();
    expectTypeOf<Express.User>().not.toMatchTypeOf<SynergyFlowProfile>();
    expectTypeOf<Express.User['plan']>().toEqualTypeOf<'free' | 'pro' | undefined>();
    expectTypeOf<Request['synergyflow']>().toEqualTypeOf<RequestAuth | undefined>();
    expectTypeOf<RequestAuth['profile']>().toEqualTypeOf<SynergyFlowProfile | undefined>();
    // What a local strategy does after checking a password (issue 12: this failed to compile).
    const localLogin = (req: Request, done: (error: unknown) => void): void =>
      req.logIn({ id: '42', name: 'Local' }, done);
    // And a verify function mapping the profile to that same user type.
    const verify: LoginVerify = async (profile): Promise<Express.User | false> =>
      profile.emailVerified ? { id: `sf:${profile.id}`, name: profile.name } : false;
    const auth = synergyFlow({ ...options, verify });
    // The options' verify is checked against the app's Express.User: another shape is refused.
    // @ts-expect-error `nope` is no Express.User (id and name are missing)
    expect(synergyFlow({ ...options, verify: async () => ({ nope: 1 }) })).toBeDefined();
    expectTypeOf(auth.profile).returns.toEqualTypeOf<SynergyFlowProfile | undefined>();
    expectTypeOf(new SynergyFlowStrategy(options, verify)).toMatchTypeOf<PassportStrategy>();
    expectTypeOf(new SynergyFlowStrategy(auth)).toMatchTypeOf<PassportStrategy>();
    expect([typeof localLogin, typeof verify]).toEqual(['function', 'function']);
  });

  it('behind requireUser() a handler reads the profile and the token without `!`', () => {
    const auth = synergyFlow(options);
    const handler: RequestHandler = (req, res) => {
      expectTypeOf(sessionProfile(req)).toEqualTypeOf<SynergyFlowProfile>();
      expectTypeOf(requestAuth(req)).toEqualTypeOf<RequestAuth>();
      if (isProtectedRequest(req)) {
        expectTypeOf(req.synergyflow.profile).toEqualTypeOf<SynergyFlowProfile>();
        expectTypeOf(req).toMatchTypeOf<ProtectedRequest>();
      }
      res.json({ name: sessionProfile(req).name });
    };
    // Express's own handler types accept it as written inline on a route, both with and without `next`.
    const route = (app: import('express').Express): void => {
      app.get('/me', auth.requireUser(), (req, res) => {
        res.json({ name: sessionProfile(req).name, email: sessionProfile(req).email });
      });
      app.get('/token', auth.requireUser(), (req, res, next) => {
        requestAuth(req)
          .token()
          .then((token) => res.json({ scope: token.scope }), next);
      });
    };
    expect([typeof handler, typeof route]).toEqual(['function', 'function']);
  });

  it('auth.api and auth.apiGet are generic in their answer; api checks its request', () => {
    const auth = synergyFlow(options);
    const call = (req: Request) =>
      auth.api<{ id: number }>(req, { method: 'POST', path: '/api/things', body: { a: 1 } });
    expectTypeOf(call).returns.toEqualTypeOf<Promise<{ id: number }>>();
    const get = (req: Request) => auth.apiGet<{ email: string }>(req, '/api/user');
    expectTypeOf(get).returns.toEqualTypeOf<Promise<{ email: string }>>();
    expectTypeOf<ReturnType<typeof auth.apiGet>>().toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error an unknown method is refused by the types too
    const bad: ApiRequest = { method: 'TRACE', path: '/api/user' };
    expect(bad.method).toBe('TRACE');
    expectTypeOf(auth.login).parameter(0).toEqualTypeOf<LoginOptions | undefined>();
    // @ts-expect-error prompt takes "login", "consent" or "none"
    const wrong: LoginOptions = { prompt: 'select_account' };
    expect(wrong.prompt).toBe('select_account');
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
