import express, { type Request, type Response } from 'express';
import { authorizeRouter } from './authorize.js';
import { emptyCounters, TEST_USER, type EmulatorCounters, type RecordedCall } from './emulator-records.js';
import { EmulatorState, type EmulatedClient, type EmulatedUser } from './emulator-state.js';
import { listenTracked, type Listening } from './listen.js';
import { ApiAccess } from './api-access.js';
import type { AuthorizationRecord } from './authorize.js';
import { CustomRoutes, type EmulatedRouteHandler, type EmulatedRouteOptions } from './custom-routes.js';
import type { EmulatedEndpoint, Misbehaviour } from './misbehaviour.js';
import { ForcedAnswers, type ForcedTarget } from './forced-answers.js';
import { traffic } from './traffic.js';
import { tokenBodyParsers, tokenRouter } from './token-endpoint.js';
import { REVOCATION_PATH, revocationRouter } from './revocation-endpoint.js';
import { ENDPOINTS, type EmulatorOptions } from './emulator-options.js';

export type { EmulatorCounters, RecordedCall } from './emulator-records.js';
export type { EmulatorOptions } from './emulator-options.js';

/**
 * An in-process SynergyFlow Pro: a real HTTP server (Express, ephemeral port) that behaves as the
 * provider's documentation and the Laravel Passport server behind it do. Consent page with
 * Approve/Cancel, single-use codes, PKCE, refresh-token rotation revoking the old pair,
 * `/api/user` with Bearer auth and scopes, 60 requests/minute with `X-RateLimit-*` and
 * `Retry-After`, Laravel's error bodies; plus switches and counters for tests.
 */
export class SynergyFlowEmulator {
  /** Base URL, for the plugin's `baseURL` option. */
  url = '';
  /** Calls per endpoint. */
  counters: EmulatorCounters = emptyCounters();
  /** Every token and API call received, in order. */
  readonly calls: RecordedCall[] = [];
  readonly #state: EmulatorState;
  readonly #clients = new Map<string, EmulatedClient>();
  readonly #users: EmulatedUser[];
  readonly #forced: ForcedAnswers;
  readonly #routes = new CustomRoutes();
  readonly #access: ApiAccess;
  /** Every authorization request received (scope, prompt, login hint), in order. */
  readonly authorizations: AuthorizationRecord[] = [];
  /** Scopes users withhold at consent: grants get the others. Default none. */
  withheldScopes: string[] = [];
  /** State the granted scope in token answers (RFC 6749 §5.1). Default false, like Laravel Passport. */
  announceScopes = false;
  #listening: Listening | undefined;
  #approver: number;
  autoApprove: boolean;
  /**
   * Whether the user is signed in at the provider. Signed out (`signOut()`), the authorize
   * endpoint shows its sign-in page, and `prompt=none` comes back with `error=login_required`;
   * approving on the page signs the user in again. Default true.
   */
  signedIn = true;
  /** Whether `POST /oauth/revoke` answers (see the `revocation` option). */
  revocation: boolean;
  rateLimit: number;
  /** Answer a revoked refresh token with 401 `invalid_request`, as older Laravel servers do. */
  legacyRefreshErrors = false;
  /** Issue a new refresh token on every refresh (rotation). Default true. */
  rotateRefreshTokens = true;
  /** Make `/api/user` require this scope (403 without it). Default `user:read`. */
  requiredScope = 'user:read';
  /** Answer each endpoint this many milliseconds late, like a provider far away. Default 0. */
  readonly latencyMs: Record<EmulatedEndpoint, number> = { token: 0, user: 0, revoke: 0 };
  /** Calls of each endpoint received and not answered yet (a refresh in flight, for instance). */
  readonly inFlight: Record<EmulatedEndpoint, number> = { token: 0, user: 0, revoke: 0 };
  /** How long a rotated refresh token may be used once more, in seconds; see the option. */
  refreshReuseGraceSeconds: number;
  readonly #issuerParameter: boolean | string;

  constructor(options: EmulatorOptions = {}) {
    this.#state = new EmulatorState(
      {
        accessToken: options.accessTokenTtlSeconds ?? 1_296_000,
        refreshToken: options.refreshTokenTtlSeconds ?? 2_592_000,
      },
      options.clock,
    );
    for (const client of options.clients ?? []) this.registerClient(client);
    this.#users = options.users?.length ? [...options.users] : [TEST_USER];
    this.#approver = this.#users[0]?.id ?? 1;
    this.autoApprove = options.autoApprove ?? false;
    this.revocation = options.revocation ?? false;
    this.rateLimit = options.rateLimit ?? 60;
    this.#issuerParameter = options.issuerParameter ?? false;
    this.refreshReuseGraceSeconds = options.refreshReuseGraceSeconds ?? 0;
    this.#access = new ApiAccess(this.#state, () => this.rateLimit);
    this.#forced = new ForcedAnswers(() => this.#state.clock());
  }

  /**
   * Adds a route to the emulated API, behind the same gate as `/api/user`: Bearer token, the
   * per-token rate limit, an optional scope, and `failNext(path)`. Path segments may be `:name`.
   * @example emulator.route('POST', '/api/things', (req) => ({ status: 201, body: { id: 7, ...req.body } }));
   */
  route(method: string, path: string, handler: EmulatedRouteHandler, options?: EmulatedRouteOptions): void {
    this.#routes.add(method, path, handler, options);
  }

  /** Registers (or replaces) a client. */
  registerClient(client: EmulatedClient): void {
    this.#clients.set(client.clientID, { ...client, redirectURIs: [...client.redirectURIs] });
  }

  /** Sets the token lifetimes for tokens issued from now on, in seconds. */
  setLifetimes(lifetimes: { accessToken?: number; refreshToken?: number }): void {
    Object.assign(this.#state.lifetimes, lifetimes);
  }

  /** Picks the user who approves the next consents. */
  approveAs(userId: number): void {
    if (!this.#users.some((user) => user.id === userId)) throw new Error(`No emulated user with id ${userId}.`);
    this.#approver = userId;
  }

  /** Signs the user out at the provider (see {@link signedIn}); their tokens stay valid. */
  signOut(): void {
    this.signedIn = false;
  }

  /** Adds or replaces a user. */
  upsertUser(user: EmulatedUser): void {
    const index = this.#users.findIndex((u) => u.id === user.id);
    if (index >= 0) this.#users[index] = user;
    else this.#users.push(user);
  }

  /**
   * Forces the next `times` answers of `'token'`, `'user'`, or a route added with `route()`
   * (named by its registered path, any method).
   */
  failNext(endpoint: ForcedTarget, how: Misbehaviour, times = 1): void {
    this.#forced.next(endpoint, how, times);
  }

  /** Forces every answer of an endpoint (or added route's path) for the next `seconds`: an outage. */
  failFor(endpoint: ForcedTarget, how: Misbehaviour, seconds: number): void {
    this.#forced.outage(endpoint, how, seconds);
  }

  /** Drops forced answers not yet used, and ends outages. */
  clearFailures(): void {
    this.#forced.clear();
  }

  /** Expires every access token now: the API answers 401 until the client refreshes. */
  expireAccessTokens(): void {
    this.#state.expireAccessTokens();
  }

  /** Revokes every access and refresh token: clients must log in again. */
  revokeAllTokens(): void {
    this.#state.revokeAll();
  }

  /** Every code and token issued so far (for leak checks). */
  issuedSecrets(): readonly string[] {
    return [...this.#state.issued];
  }

  /** Zeroes the counters and forgets recorded calls. */
  resetCounters(): void {
    this.counters = emptyCounters();
    this.calls.length = 0;
  }

  /** Starts listening; resolves when the URL is known. */
  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.#listening = await listenTracked(this.#app(), port, host);
    this.url = this.#listening.url;
    return this;
  }

  /** Stops the server, cutting hanging connections. */
  async close(): Promise<void> {
    await this.#listening?.close();
  }

  #app(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    // A real provider has read the whole request before it works on it, so a client that dies
    // while waiting does not stop its refresh: the rotation happens and the answer is lost.
    app.post('/oauth/token', ...tokenBodyParsers);
    app.post(REVOCATION_PATH, ...tokenBodyParsers);
    app.use(traffic((path) => ENDPOINTS.get(path), this.latencyMs, this.inFlight));
    app.use(
      authorizeRouter({
        state: this.#state,
        client: (id) => this.#clients.get(id),
        user: () => this.#user(this.#approver),
        autoApprove: () => this.autoApprove,
        scopes: ['user:read', 'user:write'],
        issuer: () => (this.#issuerParameter === true ? this.url : this.#issuerParameter || undefined),
        count: () => (this.counters.authorize += 1),
        record: (request) => this.authorizations.push(request),
        withheld: () => this.withheldScopes,
        signedIn: () => this.signedIn,
        approved: () => (this.signedIn = true),
      }),
    );
    app.post(REVOCATION_PATH, (_req: Request, res: Response, next: () => void) => {
      if (this.revocation) next();
      else res.status(404).json({ message: 'Not Found' });
    });
    app.use(
      revocationRouter({
        state: this.#state,
        client: (id) => this.#clients.get(id),
        before: (res, body, headers) => {
          this.counters.revoke += 1;
          this.calls.push({ endpoint: 'revoke', body, headers, url: REVOCATION_PATH });
          return this.#forced.answer('revoke', res);
        },
      }),
    );
    app.use(
      tokenRouter({
        state: this.#state,
        client: (id) => this.#clients.get(id),
        legacyRefreshErrors: () => this.legacyRefreshErrors,
        rotateRefreshTokens: () => this.rotateRefreshTokens,
        announceScope: () => this.announceScopes,
        reuseGraceMs: () => this.refreshReuseGraceSeconds * 1000,
        note: (event) => {
          if (event === 'reuse') this.counters.refreshTokenReuses += 1;
          else if (event === 'tolerated') this.counters.toleratedReuses += 1;
          else this.counters.undeliveredTokenAnswers += 1;
        },
        before: (res, grantType, body, headers) => {
          this.counters.token += 1;
          if (grantType === 'authorization_code') this.counters.authorizationCodeGrants += 1;
          if (grantType === 'refresh_token') this.counters.refreshGrants += 1;
          this.calls.push({ endpoint: 'token', body, headers, url: '/oauth/token' });
          return this.#forced.answer('token', res);
        },
      }),
    );
    app.get('/api/user', (req, res) => this.#apiUser(req, res));
    app.use(
      express.json({ limit: '1mb' }),
      // Any other body (an upload) is kept as bytes for the route's handler.
      express.raw({ type: (req) => !/json/i.test(String(req.headers['content-type'])), limit: '64mb' }),
      (req: Request, res: Response, next: () => void) =>
        this.#routes.serve(req, res, next, {
          record: (json) => {
            this.counters.api += 1;
            this.calls.push({ endpoint: 'api', body: {}, json, headers: req.headers, url: req.originalUrl });
          },
          forced: (path) => this.#forced.answer(path, res),
          check: (scope) => this.#access.check(req, res, scope),
          url: this.url,
        }),
    );
    app.use((_req: Request, res: Response) => {
      res.status(404).json({ message: 'Not Found' });
    });
    return app;
  }

  #user(id: number): EmulatedUser {
    return this.#users.find((user) => user.id === id) ?? (this.#users[0] as EmulatedUser);
  }

  #apiUser(req: Request, res: Response): void {
    this.counters.user += 1;
    this.calls.push({ endpoint: 'user', body: {}, headers: req.headers, url: req.originalUrl });
    if (this.#forced.answer('user', res)) return;
    const grant = this.#access.check(req, res, this.requiredScope);
    if (grant) res.json(this.#user(grant.userId));
  }
}

/** Creates and starts an emulator of SynergyFlow Pro on an ephemeral port of 127.0.0.1. */
export async function startSynergyFlowEmulator(options: EmulatorOptions = {}): Promise<SynergyFlowEmulator> {
  return new SynergyFlowEmulator(options).start(options.port ?? 0, options.host ?? '127.0.0.1');
}
