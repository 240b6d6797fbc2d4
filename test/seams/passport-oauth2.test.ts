// The contract src/seams/passport-oauth2.ts relies on. passport-oauth2 dispatches on parameter
// counts and exposes `_oauth2` and `_createOAuthError` only by convention: if an upgrade changes any
// of that, this file fails before a login does.
import type { Request } from 'express';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import { describe, expect, it } from 'vitest';
import {
  PASSPORT_OAUTH2_ARITY,
  routeCodeExchange,
  toStateStore,
  toVerifyCallback,
} from '../../src/seams/passport-oauth2.js';
import { LoginTransactionStore } from '../../src/login/transactions.js';
import type { TokenSet } from '../../src/tokens/token-set.js';

type Outcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; user: unknown; info: unknown }
  | { kind: 'fail'; info: unknown }
  | { kind: 'error'; error: unknown };

/** Runs one `authenticate` as Passport does (on a prototype copy with action methods). */
function authenticate(strategy: OAuth2Strategy, req: Partial<Request>, options: object = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const run = Object.create(strategy) as OAuth2Strategy & Record<string, unknown>;
    run.redirect = (url: string) => resolve({ kind: 'redirect', url });
    run.success = (user: unknown, info: unknown) => resolve({ kind: 'success', user, info });
    run.fail = (info: unknown) => resolve({ kind: 'fail', info });
    run.error = (error: unknown) => resolve({ kind: 'error', error });
    run.authenticate(req as Request, options);
  });
}

const TOKENS: TokenSet = { accessToken: 'at', refreshToken: 'rt', obtainedAt: 0, version: 1 };

/** The browser's login binding cookie (issue 11): the same browser starts and finishes a login. */
const BROWSER = { cookie: `sf-login=${'b'.repeat(43)}` };

function transactionStore(): LoginTransactionStore {
  return new LoginTransactionStore({
    maxPendingLogins: 10,
    loginTimeoutMs: 600_000,
    clock: Date.now,
    callbackURL: 'http://localhost/auth/callback',
  });
}

function build(exchange: (code: string, verifier: string) => Promise<TokenSet>) {
  const transactions = transactionStore();
  const verified: unknown[] = [];
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: 'https://provider.example/oauth/authorize',
      tokenURL: 'https://provider.example/oauth/token',
      clientID: 'client',
      clientSecret: 'secret',
      callbackURL: 'https://app.example/auth/callback',
      pkce: 'S256' as unknown as boolean,
      state: true,
      store: toStateStore(transactions),
      passReqToCallback: true,
    },
    toVerifyCallback<{ id: string }>((_req, tokens, profile, done) => {
      verified.push({ tokens, profile });
      done(null, profile, { tokens });
    }),
  );
  strategy.userProfile = (_token: string, done: (err: unknown, profile?: unknown) => void) => done(null, { id: '7' });
  routeCodeExchange(strategy, exchange);
  return { strategy, verified };
}

describe('passport-oauth2 contract', () => {
  it('dispatches on the parameter counts the seam is written with', () => {
    const store = toStateStore(transactionStore()) as unknown as Record<string, (...a: never[]) => void>;
    expect(store.store?.length).toBe(PASSPORT_OAUTH2_ARITY.store);
    expect(store.verify?.length).toBe(PASSPORT_OAUTH2_ARITY.verify);
    expect(toVerifyCallback(() => undefined).length).toBe(PASSPORT_OAUTH2_ARITY.verifyCallback);
  });

  it('stores the PKCE verifier and the request state through store(req, verifier, state, meta, cb)', async () => {
    const { strategy } = build(async () => TOKENS);
    const session = {} as Request['session'];
    const outcome = await authenticate(
      strategy,
      { query: {}, session, headers: BROWSER },
      { state: { returnTo: '/after' } },
    );
    expect(outcome.kind).toBe('redirect');
    const url = new URL((outcome as { url: string }).url);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const state = url.searchParams.get('state') ?? '';
    const pending = session.synergyflow?.transactions?.[state];
    expect(pending?.returnTo).toBe('/after');
    expect(pending?.verifier).toMatch(/^[\w-]{43}$/);
  });

  it('redeems the code through _oauth2.getOAuthAccessToken(code, params, cb) with the verifier, then calls verify(req, access, refresh, params, profile, done)', async () => {
    const exchanged: string[][] = [];
    const { strategy, verified } = build(async (code, verifier) => {
      exchanged.push([code, verifier]);
      return TOKENS;
    });
    const session = {} as Request['session'];
    const start = await authenticate(strategy, { query: {}, session, headers: BROWSER });
    const state = new URL((start as { url: string }).url).searchParams.get('state') ?? '';
    const verifier = session.synergyflow?.transactions?.[state]?.verifier;
    const outcome = await authenticate(strategy, { query: { code: 'the-code', state }, session, headers: BROWSER });
    expect(outcome).toMatchObject({ kind: 'success', user: { id: '7' }, info: { tokens: TOKENS } });
    expect(exchanged).toEqual([['the-code', verifier]]);
    expect(verified).toEqual([{ tokens: TOKENS, profile: { id: '7' } }]);
  });

  it('wraps a failed exchange with _createOAuthError, which the strategy overrides', async () => {
    const failure = new Error('refused');
    const { strategy } = build(async () => {
      throw failure;
    });
    const seen: unknown[] = [];
    (strategy as unknown as { _createOAuthError: (m: string, e: unknown) => unknown })._createOAuthError = (
      _message,
      error,
    ) => {
      seen.push(error);
      return error;
    };
    const session = {} as Request['session'];
    const start = await authenticate(strategy, { query: {}, session, headers: BROWSER });
    const state = new URL((start as { url: string }).url).searchParams.get('state') ?? '';
    const outcome = await authenticate(strategy, { query: { code: 'c', state }, session, headers: BROWSER });
    expect(outcome).toEqual({ kind: 'error', error: failure });
    expect(seen).toEqual([failure]);
  });
});
