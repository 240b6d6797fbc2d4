import { createHash } from 'node:crypto';
import { ProviderError } from '../errors.js';
import { isRateLimitError } from '../error-guards.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';
import { open, readAnswer, send, type HttpLimits, type ProviderAnswer } from './http.js';
import type { ResolvedConfig } from '../options.js';
import type { SynergyFlowProfile } from './profile.js';
import { oauthRevocationRequest, profileFrom, type Grant, type Revocation } from './description.js';
import { answerToError, type ProviderCall } from './answer-to-error.js';
import { RateLimitGate } from './rate-limit.js';
import type { TokenSet } from '../tokens/token-set.js';

const log = logger('client');

/**
 * A refresh grant is not idempotent: once the provider has rotated the refresh token, the one we
 * hold is revoked, so an answer we stop reading is a lost login. Its answer is read for this many
 * times `timeoutSeconds` (the requests waiting for it still stop at their own deadline): on a busy
 * host the deadline's timer also counts our own event-loop stalls, not only the provider's time.
 */
const REFRESH_READ_FACTOR = 2;

/** One call of the provider's API, as {@link SynergyFlowClient.request} sends it. */
export interface ApiCall {
  /** HTTP method, upper case. */
  readonly method: string;
  /** Absolute URL on the provider. */
  readonly url: string;
  /** Sent as JSON when present. */
  readonly body?: unknown;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** One request the API proxy forwards as it came: raw headers and a raw (possibly streamed) body. */
export interface ForwardCall {
  /** HTTP method, upper case. */
  readonly method: string;
  /** Absolute URL on the provider. */
  readonly url: string;
  /** Request headers, already filtered; the token's headers are added (and win). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: bytes, or a stream read once (sent with `duplex: 'half'`). */
  readonly body?: Uint8Array | AsyncIterable<Uint8Array> | undefined;
}

/**
 * The provider's answer to a forwarded call, body unread: a 2xx, or a 4xx other than 401, 403
 * and 429 (those, 3xx and 5xx are typed errors). The body must be read before `deadline` fires.
 */
export interface ForwardAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  /** Aborts at the call's deadline; the body stream fails then. */
  readonly deadline: AbortSignal;
}

/** Statuses whose answer is the API's own for the caller to read, not a failure of the login. */
function passesThrough(status: number): boolean {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500 && ![401, 403, 429].includes(status));
}

/**
 * The provider's API as `auth.client` offers it to the app: calls made with a user's token
 * (failures are typed errors). No refresh: a refresh outside the refresh coordinator would
 * rotate the refresh token past the lock and the store, and the stored one would then be a
 * reuse. For a fresh token use `auth.accessToken(req)` or `auth.api(req, ...)`.
 */
export interface ProviderApiClient {
  /** Loads the user's profile from the profile endpoint; concurrent calls share one request. */
  getUser(tokens: TokenSet): Promise<SynergyFlowProfile>;
  /** GETs an API endpoint with the user's token and returns the parsed JSON. */
  getJSON(tokens: TokenSet, url: string): Promise<unknown>;
  /** Calls an API endpoint with the user's token: any method, a JSON body, extra headers. */
  request(tokens: TokenSet, call: ApiCall): Promise<unknown>;
}

/** The {@link ProviderApiClient} view of `client`: its API calls, nothing that refreshes or redeems. */
export function apiClientOf(client: SynergyFlowClient): ProviderApiClient {
  return Object.freeze({
    getUser: (tokens: TokenSet) => client.getUser(tokens),
    getJSON: (tokens: TokenSet, url: string) => client.getJSON(tokens, url),
    request: (tokens: TokenSet, call: ApiCall) => client.request(tokens, call),
  });
}

/** A short, irreversible name for a token, safe for map keys and logs. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}

/**
 * The typed client of the provider's API, and the only code that talks HTTP to the provider:
 * code exchange, refresh and API calls all go through it, with one deadline, one size cap, no
 * redirects, and one mapping of answers to errors. While the provider rate-limits a token, calls
 * with that token fail fast with a `RateLimitError` and send nothing. Refreshes go through the
 * refresh coordinator only; the app sees the narrower {@link ProviderApiClient} (`auth.client`).
 */
export class SynergyFlowClient {
  readonly #config: ResolvedConfig;
  readonly #limits: HttpLimits;
  readonly #gate = new RateLimitGate();
  readonly #profileFlights = new Map<string, Promise<SynergyFlowProfile>>();

  /** @param config the resolved configuration from {@link synergyFlow} (`auth.config`). */
  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#limits = { timeoutMs: config.timeoutMs, maxBodyBytes: config.maxBodyBytes, fetch: config.fetch };
  }

  /** Redeems an authorization code, exactly once (a code is never retried). */
  async exchangeCode(code: string, codeVerifier: string): Promise<TokenSet> {
    const grant: Grant = { type: 'authorization_code', code, redirectUri: this.#config.callbackURL, codeVerifier };
    return this.#grant(grant, 'code_exchange');
  }

  /**
   * Trades the refresh token for a new token set; keeps the old refresh token if none is returned.
   * `params` carries provider-specific extras (SynapseFi: `phone_number`, `validation_pin`).
   */
  async refresh(tokens: TokenSet, params?: Readonly<Record<string, string>>): Promise<TokenSet> {
    return this.#grant({ type: 'refresh_token', tokens, params }, 'refresh', tokens);
  }

  /**
   * Loads the user's profile from the profile endpoint (`GET /api/user`). Concurrent calls with
   * the same token share one request, so a burst of requests costs one call of the rate budget.
   */
  async getUser(tokens: TokenSet): Promise<SynergyFlowProfile> {
    const key = tokenFingerprint(tokens.accessToken);
    const running = this.#profileFlights.get(key);
    if (running) return running;
    const url = this.#config.userURL;
    if (url === undefined) {
      throw new TypeError(`passport-synergyflow: provider "${this.#config.provider.name}" has no profile endpoint.`);
    }
    const flight = this.getJSON(tokens, url)
      .then((body) => profileFrom(this.#config.provider, body))
      .finally(() => this.#profileFlights.delete(key));
    this.#profileFlights.set(key, flight);
    return flight;
  }

  /**
   * GETs any API endpoint of the provider with the user's token and returns the parsed JSON.
   * Failures are typed errors (401, 403, 429, 5xx, timeout, non-JSON answer).
   */
  async getJSON(tokens: TokenSet, url: string): Promise<unknown> {
    const value = await this.request(tokens, { method: 'GET', url });
    if (value === undefined) {
      throw new ProviderError('bad_response', 'The provider answered with an empty body where JSON was expected.');
    }
    return value;
  }

  /**
   * Calls any API endpoint of the provider with the user's token: any method, a JSON body,
   * extra headers (the token's headers always win). Returns the parsed JSON, or `undefined` for
   * an empty answer (204). Failures are typed errors (401, 403, 429, 5xx, timeout, redirect,
   * non-JSON answer; another 4xx is a `ProviderError` with the provider's status and JSON).
   * While the provider rate-limits the token, nothing is sent.
   */
  async request(tokens: TokenSet, call: ApiCall): Promise<unknown> {
    const key = tokenFingerprint(tokens.accessToken);
    const blocked = this.#gate.blocked(key, this.#config.clock());
    if (blocked) {
      log('call skipped: rate-limit window open for %d s more', blocked.retryAfter);
      throw blocked;
    }
    const hasBody = call.body !== undefined;
    const answer = await send(
      call.url,
      {
        method: call.method,
        headers: {
          accept: 'application/json',
          ...call.headers,
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
          ...this.#config.provider.authorizationHeaders(tokens, this.#config),
        },
        ...(hasBody ? { body: JSON.stringify(call.body) } : {}),
      },
      this.#limits,
    );
    this.#raiseFor(answer, 'api', key);
    if (answer.json === undefined && !answer.empty) {
      throw new ProviderError('bad_response', 'The provider answered with something other than JSON.', {
        providerStatus: answer.status,
      });
    }
    return answer.json;
  }

  /**
   * Forwards a request to the provider with the user's token and resolves when the answer's
   * headers arrive, for the API proxy to stream the body on. The same deadline (body included),
   * no redirects, the same rate-limit window, and the same typed errors for 3xx, 401, 403, 429
   * and 5xx (their bodies read within the size cap); 2xx and other 4xx answers come back unread.
   */
  async forward(tokens: TokenSet, call: ForwardCall): Promise<ForwardAnswer> {
    const key = tokenFingerprint(tokens.accessToken);
    const blocked = this.#gate.blocked(key, this.#config.clock());
    if (blocked) throw blocked;
    const init = {
      method: call.method,
      headers: { ...call.headers, ...this.#config.provider.authorizationHeaders(tokens, this.#config) },
      ...(call.body === undefined ? {} : { body: call.body as BodyInit, duplex: 'half' }),
    };
    const { response, deadline } = await open(call.url, init, this.#limits);
    if (passesThrough(response.status)) {
      return { status: response.status, headers: response.headers, body: response.body, deadline };
    }
    const answer = await readAnswer(response, deadline, this.#limits);
    this.#raiseFor(answer, 'api', key);
    // A provider description may call an odd status fine (`classifyAnswer`): nothing to stream.
    return { status: answer.status, headers: answer.headers, body: null, deadline };
  }

  /**
   * Revokes one token at the provider's revocation endpoint (RFC 7009), through the same HTTP
   * layer as every other call: deadline, size cap, no redirect, and the one mapping of answers to
   * errors (a refusal is a `ProviderError`, never "log in again"). Any 2xx is success: RFC 7009
   * answers 200 for a token that was invalid already.
   */
  async revoke(token: string, hint: Revocation['hint']): Promise<void> {
    const { provider, revocationURL } = this.#config;
    if (revocationURL === undefined) {
      throw new TypeError(`passport-synergyflow: provider "${provider.name}" has no revocation endpoint.`);
    }
    const build = provider.revocationRequest?.bind(provider) ?? oauthRevocationRequest;
    const { url, init } = build({ token, hint }, this.#config, revocationURL);
    const answer = await send(url, init, this.#limits);
    this.#raiseFor(answer, 'revocation');
  }

  async #grant(grant: Grant, call: ProviderCall, previous?: TokenSet): Promise<TokenSet> {
    const { url, init } = this.#config.provider.tokenRequest(grant, this.#config, this.#config.tokenURL);
    const limits =
      call === 'refresh' ? { ...this.#limits, timeoutMs: this.#limits.timeoutMs * REFRESH_READ_FACTOR } : this.#limits;
    const answer = await send(url, init, limits);
    this.#raiseFor(answer, call);
    return this.#config.provider.parseTokenAnswer(answer.json, this.#config.clock(), previous);
  }

  #raiseFor(answer: ProviderAnswer, call: ProviderCall, gateKey?: string): void {
    const now = this.#config.clock();
    const { provider } = this.#config;
    const error = answerToError(
      answer,
      call,
      now,
      this.#config.maxRetryAfterMs / 1000,
      provider.classifyAnswer?.bind(provider),
    );
    if (!error) return;
    log('%s answered HTTP %d -> %s', call, answer.status, error.code);
    if (isRateLimitError(error)) {
      if (gateKey) this.#gate.close(gateKey, error, now);
      emit(this.#config.hooks, 'onRateLimited', {
        outcome: error.code,
        durationMs: 0,
        retryAfter: error.retryAfter,
      });
    }
    throw error;
  }
}
