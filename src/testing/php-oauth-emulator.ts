import express, { type Request, type Response } from 'express';
import { authorizeRouter } from './authorize.js';
import { EmulatorState, type EmulatedClient } from './emulator-state.js';
import { listenTracked, type Listening } from './listen.js';
import { misbehave, type Misbehaviour } from './misbehaviour.js';

/** A user of the PHP-style API, shaped like its `/api/userinfo.php` answer. */
export interface PhpOAuthUser {
  username: string;
  email: string;
  full_name: string;
}

/** Options of {@link startPhpOAuthEmulator}. */
export interface PhpOAuthEmulatorOptions {
  /** Approve consent at once. Default false. */
  autoApprove?: boolean;
  /** Access-token lifetime in seconds. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Requests per minute per token on `/api/userinfo.php`. Default 60. */
  rateLimit?: number;
  /** The user who approves. Default johndoe. */
  user?: PhpOAuthUser;
}

const JOHN: PhpOAuthUser = { username: 'johndoe', email: 'john@example.com', full_name: 'John Doe' };

/**
 * An emulator of a PHP-style OAuth 2.0 API: `/api/authorize.php`
 * (consent page), `/api/token.php` (form-encoded `code`, `client_id`, `client_secret`; one-hour
 * tokens, no refresh token), `/api/userinfo.php` (Bearer), errors as `{ error, error_description }`,
 * and a rate limit whose 429 carries `Retry-After` and `X-RateLimit-*`.
 */
export class PhpOAuthEmulator {
  url = '';
  /** Calls per endpoint. */
  counters = { authorize: 0, token: 0, userinfo: 0 };
  readonly #state: EmulatorState;
  readonly #clients = new Map<string, EmulatedClient>();
  readonly #failures: { token: Misbehaviour[]; userinfo: Misbehaviour[] } = { token: [], userinfo: [] };
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #user: PhpOAuthUser;
  #listening: Listening | undefined;
  autoApprove: boolean;
  rateLimit: number;

  constructor(options: PhpOAuthEmulatorOptions = {}) {
    this.#state = new EmulatorState({ accessToken: options.accessTokenTtlSeconds ?? 3600, refreshToken: 0 });
    this.autoApprove = options.autoApprove ?? false;
    this.rateLimit = options.rateLimit ?? 60;
    this.#user = options.user ?? JOHN;
  }

  /** Registers a client with its exact redirect URIs. */
  registerClient(client: EmulatedClient): void {
    this.#clients.set(client.clientID, { ...client, redirectURIs: [...client.redirectURIs] });
  }

  /** Forces the next answers of an endpoint. */
  failNext(endpoint: 'token' | 'userinfo', how: Misbehaviour, times = 1): void {
    for (let i = 0; i < times; i += 1) this.#failures[endpoint].push(how);
  }

  /** Expires every access token now. */
  expireAccessTokens(): void {
    this.#state.expireAccessTokens();
  }

  /** Every code and token issued so far. */
  issuedSecrets(): readonly string[] {
    return [...this.#state.issued];
  }

  /** Starts listening on an ephemeral port of 127.0.0.1. */
  async start(): Promise<this> {
    const app = express();
    app.use(
      authorizeRouter({
        state: this.#state,
        client: (id) => this.#clients.get(id),
        user: () => ({
          id: 0,
          name: this.#user.full_name,
          email: this.#user.email,
          email_verified_at: null,
          created_at: '',
          updated_at: '',
        }),
        autoApprove: () => this.autoApprove,
        scopes: [],
        path: '/api/authorize.php',
        pkce: false,
        issuer: () => undefined,
        count: () => (this.counters.authorize += 1),
      }),
    );
    app.post('/api/token.php', express.urlencoded({ extended: false, limit: '64kb' }), (req, res) =>
      this.#token(req, res),
    );
    app.get('/api/userinfo.php', (req, res) => this.#userinfo(req, res));
    this.#listening = await listenTracked(app);
    this.url = this.#listening.url;
    return this;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.#listening?.close();
  }

  #error(res: Response, status: number, error: string, description: string): void {
    res.status(status).json({ error, error_description: description });
  }

  #token(req: Request, res: Response): void {
    this.counters.token += 1;
    const forced = this.#failures.token.shift();
    if (forced) return misbehave(res, forced);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { code, client_id: clientID, client_secret: secret } = body;
    if (typeof code !== 'string' || typeof clientID !== 'string' || typeof secret !== 'string') {
      return this.#error(res, 400, 'invalid_request', 'The request is missing required parameters');
    }
    const client = this.#clients.get(clientID);
    if (!client || client.clientSecret !== secret)
      return this.#error(res, 401, 'invalid_client', 'Client authentication failed');
    const found = this.#state.codes.get(code);
    const grant = this.#state.redeemCode(code, clientID, found?.redirectURI, undefined);
    if ('refused' in grant)
      return this.#error(res, 400, 'invalid_code', 'The authorization code is invalid or expired');
    const issued = this.#state.issueTokens(grant);
    res.json({ access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn });
  }

  #userinfo(req: Request, res: Response): void {
    this.counters.userinfo += 1;
    const forced = this.#failures.userinfo.shift();
    if (forced) return misbehave(res, forced);
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !this.#state.validAccessToken(token)) {
      return this.#error(res, 401, 'invalid_token', 'The access token is invalid or expired');
    }
    const now = Date.now();
    let window = this.#windows.get(token);
    if (!window || now - window.start >= 60_000) this.#windows.set(token, (window = { start: now, count: 0 }));
    window.count += 1;
    res.setHeader('X-RateLimit-Limit', String(this.rateLimit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, this.rateLimit - window.count)));
    if (window.count > this.rateLimit) {
      res.setHeader('Retry-After', String(Math.ceil((window.start + 60_000 - now) / 1000)));
      return this.#error(res, 429, 'rate_limited', 'Too many requests');
    }
    res.json(this.#user);
  }
}

/** Creates and starts an emulator of the PHP-style OAuth API (seed 001). */
export async function startPhpOAuthEmulator(options: PhpOAuthEmulatorOptions = {}): Promise<PhpOAuthEmulator> {
  return new PhpOAuthEmulator(options).start();
}
