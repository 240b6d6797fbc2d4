import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { listenTracked, type Listening } from './listen.js';
import { misbehave, type Misbehaviour } from './misbehaviour.js';

/** Options of {@link startSynapseFiEmulator}. */
export interface SynapseFiEmulatorOptions {
  /** `client_id|client_secret` accepted in `X-SP-GATEWAY`. */
  clientID: string;
  clientSecret: string;
  /** OAuth-key lifetime in seconds. Default 7200 (2 hours). */
  oauthKeyTtlSeconds?: number;
  /** Uses a refresh token allows. Default 10. */
  refreshUses?: number;
  /** Issue a new refresh token every this many uses (0: never). Default 3. */
  rotateEvery?: number;
  /** The clock keys expire on (milliseconds since the epoch); a `FakeClock`'s `now` in tests. */
  clock?: () => number;
}

interface EmulatedRefreshToken {
  userId: string;
  usesLeft: number;
  revoked: boolean;
}

interface EmulatedUserAccount {
  phoneNumbers: string[];
  fingerprints: Set<string>;
  pendingPin: string | undefined;
  uses: number;
}

const SCOPE = ['USER|PATCH', 'USER|GET', 'NODES|POST', 'NODES|GET', 'NODE|GET', 'TRANS|POST', 'TRANS|GET'];
const token = (prefix: string): string => `${prefix}${randomBytes(20).toString('base64url')}`;

/**
 * An emulator of the SynapseFi-style "OAuth key" API:
 * `POST /v3.1/oauth/:user_id` trades a user's refresh token for a 2-hour OAuth key (client in
 * `X-SP-GATEWAY`, device in `X-SP-USER`), rotates refresh tokens periodically, kills them after
 * 10 uses, and runs the 2FA flow (HTTP 202 with phone numbers, then a PIN) for unknown devices.
 * `GET /v3.1/users/:user_id` checks a key sent as `X-SP-USER: <oauth_key>|<fingerprint>`.
 */
export class SynapseFiEmulator {
  url = '';
  /** Calls per endpoint. */
  counters = { oauth: 0, users: 0 };
  /** The body of the last key request, for assertions. */
  lastRequest: Record<string, unknown> = {};
  /** The last PIN "sent by SMS", per user id, for tests to type in. */
  readonly sentPins = new Map<string, string>();
  readonly #options: Required<Omit<SynapseFiEmulatorOptions, 'clock'>>;
  readonly #clock: () => number;
  readonly #accounts = new Map<string, EmulatedUserAccount>();
  readonly #refreshTokens = new Map<string, EmulatedRefreshToken>();
  readonly #keys = new Map<string, { userId: string; fingerprint: string; expiresAt: number }>();
  readonly #failures: { oauth: Misbehaviour[]; users: Misbehaviour[] } = { oauth: [], users: [] };
  #listening: Listening | undefined;

  constructor(options: SynapseFiEmulatorOptions) {
    this.#options = { oauthKeyTtlSeconds: 7200, refreshUses: 10, rotateEvery: 3, ...options };
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Creates a user as the platform's `POST /users` would and returns its first refresh token.
   * `knownFingerprints` skip 2FA for those devices.
   */
  createUser(userId: string, options: { phoneNumbers?: string[]; knownFingerprints?: string[] } = {}): string {
    this.#accounts.set(userId, {
      phoneNumbers: options.phoneNumbers ?? ['901.111.1111'],
      fingerprints: new Set(options.knownFingerprints ?? []),
      pendingPin: undefined,
      uses: 0,
    });
    return this.#newRefreshToken(userId);
  }

  /** Forces the next answers of an endpoint. */
  failNext(endpoint: 'oauth' | 'users', how: Misbehaviour, times = 1): void {
    for (let i = 0; i < times; i += 1) this.#failures[endpoint].push(how);
  }

  /** Expires every OAuth key now. */
  expireKeys(): void {
    for (const key of this.#keys.values()) key.expiresAt = 0;
  }

  /** Starts listening on an ephemeral port of 127.0.0.1. */
  async start(): Promise<this> {
    const app = express();
    app.post('/v3.1/oauth/:userId', express.json({ limit: '16kb' }), (req, res) => this.#oauth(req, res));
    app.get('/v3.1/users/:userId', (req, res) => this.#user(req, res));
    this.#listening = await listenTracked(app);
    this.url = this.#listening.url;
    return this;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.#listening?.close();
  }

  #newRefreshToken(userId: string): string {
    const value = token('refresh_');
    this.#refreshTokens.set(value, { userId, usesLeft: this.#options.refreshUses, revoked: false });
    return value;
  }

  #fail(res: Response, status: number, code: string, text: string): void {
    res.status(status).json({ error: { en: text }, error_code: code, http_code: String(status), success: false });
  }

  #gatewayOk(req: Request): boolean {
    return req.get('x-sp-gateway') === `${this.#options.clientID}|${this.#options.clientSecret}`;
  }

  #oauth(req: Request, res: Response): void {
    this.counters.oauth += 1;
    const forced = this.#failures.oauth.shift();
    if (forced) return misbehave(res, forced);
    if (!this.#gatewayOk(req)) return this.#fail(res, 401, '100', 'Invalid client credentials.');
    const userId = String(req.params.userId);
    const account = this.#accounts.get(userId);
    if (!account) return this.#fail(res, 404, '404', 'User not found.');
    const body = (req.body ?? {}) as Record<string, unknown>;
    this.lastRequest = { ...body };
    const presented = typeof body.refresh_token === 'string' ? this.#refreshTokens.get(body.refresh_token) : undefined;
    if (!presented || presented.userId !== userId || presented.revoked || presented.usesLeft <= 0) {
      return this.#fail(res, 401, '110', 'Unable to verify refresh token.');
    }
    const fingerprint = (req.get('x-sp-user') ?? '').split('|')[1] ?? '';
    if (!account.fingerprints.has(fingerprint)) {
      if (typeof body.validation_pin === 'string' && body.validation_pin === account.pendingPin) {
        account.fingerprints.add(fingerprint);
        account.pendingPin = undefined;
      } else if (typeof body.phone_number === 'string' && account.phoneNumbers.includes(body.phone_number)) {
        account.pendingPin = String(100_000 + Math.floor(Math.random() * 900_000));
        this.sentPins.set(userId, account.pendingPin);
        res.status(202).json({ message: { en: `MFA sent to ${body.phone_number}.` }, http_code: '202', success: true });
        return;
      } else {
        res.status(202).json({
          error: { en: 'Fingerprint not registered. Please perform the MFA flow.' },
          error_code: '10',
          http_code: '202',
          phone_numbers: account.phoneNumbers,
          success: false,
        });
        return;
      }
    }
    presented.usesLeft -= 1;
    account.uses += 1;
    let refreshToken = body.refresh_token as string;
    let usesLeft = presented.usesLeft;
    if (this.#options.rotateEvery > 0 && account.uses % this.#options.rotateEvery === 0) {
      presented.revoked = true;
      refreshToken = this.#newRefreshToken(userId);
      usesLeft = this.#options.refreshUses;
    }
    const key = token('oauth_');
    const now = Math.floor(this.#clock() / 1000);
    this.#keys.set(key, { userId, fingerprint, expiresAt: this.#clock() + this.#options.oauthKeyTtlSeconds * 1000 });
    res.json({
      client_id: this.#options.clientID,
      client_name: 'Emulated platform',
      expires_at: String(now + this.#options.oauthKeyTtlSeconds),
      expires_in: String(this.#options.oauthKeyTtlSeconds),
      oauth_key: key,
      refresh_expires_in: usesLeft,
      refresh_token: refreshToken,
      scope: Array.isArray(body.scope) ? body.scope.filter((s) => SCOPE.includes(String(s))) : SCOPE,
      user_id: userId,
    });
  }

  #user(req: Request, res: Response): void {
    this.counters.users += 1;
    const forced = this.#failures.users.shift();
    if (forced) return misbehave(res, forced);
    if (!this.#gatewayOk(req)) return this.#fail(res, 401, '100', 'Invalid client credentials.');
    const [key = '', fingerprint = ''] = (req.get('x-sp-user') ?? '').split('|');
    const found = this.#keys.get(key);
    const userId = String(req.params.userId);
    if (!found || found.userId !== userId || found.fingerprint !== fingerprint || found.expiresAt <= this.#clock()) {
      return this.#fail(res, 401, '110', 'OAuth key expired or invalid.');
    }
    res.json({ _id: userId, logins: [{ email: 'user@example.com' }], legal_names: ['Test User'] });
  }
}

/** Creates and starts an emulator of the SynapseFi-style OAuth-key API (seed 002). */
export async function startSynapseFiEmulator(options: SynapseFiEmulatorOptions): Promise<SynapseFiEmulator> {
  return new SynapseFiEmulator(options).start();
}
