import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { logger } from '../log.js';
import { commandTimeoutMs, scriptClient, type RedisClientLike, type RedisScriptClient } from './redis-client.js';
import { RedisScript } from './script.js';
import { noteTokensKept, tokenFootprint, tokensKeptUntil } from '../session/session-state.js';
import { keepMarginMs, sessionLifetimeMs } from './session-lifetime.js';
import { REDIS_TOKEN_STORE_OPTIONS, refuseUnknownOptions } from '../option-names.js';
import { TokenCipher } from './token-cipher.js';
import type { TokenSet } from '../tokens/token-set.js';
import { tokenSetFromText, tokenSetToText } from '../tokens/token-set-text.js';
import type { TokenStore } from '../tokens/token-store.js';

const log = logger('redis-token-store');

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A Redis client: node-redis v4+ (client, cluster, Sentinel) or ioredis; see {@link RedisScriptClient}. */
  client: RedisClientLike;
  /** How long one Redis call may take before the request is answered 503 `store_unavailable`. Default 1. */
  commandTimeoutSeconds?: number;
  /** Key prefix. Default `sf:tokens:`. */
  prefix?: string;
  /** Encryption keys for tokens at rest (AES-256-GCM), newest first. Encryption is on when given. */
  encryptionKeys?: ReadonlyArray<string | Uint8Array>;
  /**
   * Lifetime of a stored token set when the session's is unknown (no cookie `maxAge`, and a
   * session store without a `ttl`) and its refresh token's too, in seconds. Default 30 days.
   */
  ttlSeconds?: number;
}

// Compare-and-swap: write only when the stored version is the expected one (or when no version
// is expected: a fresh login). A missing key with a version expected means the tokens were
// cleared meanwhile (logout), so nothing is written back.
const SET_IF_VERSION = new RedisScript(`
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] ~= '' and current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`);
const GET = new RedisScript(`return redis.call('HGET', KEYS[1], 'd')`);
// Moves the token set's expiry (a key already gone stays gone).
const EXTEND = new RedisScript(`return redis.call('PEXPIRE', KEYS[1], ARGV[1])`);
// Deletes only while the stored version is the expected one (or unconditionally without one).
const DELETE_IF_VERSION = new RedisScript(`
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`);

/**
 * Keeps each login's token set in Redis, apart from the session blob, written with a version
 * check. Guarantee: a request that read an older token set can never overwrite a newer one, so a
 * rotated refresh token is never lost to a slow request or a sibling instance. The session holds
 * only an opaque key naming the token set.
 *
 * A token set expires with its session: it is written to live as long as the session (cookie
 * `maxAge`, or the session store's `ttl`) plus a margin (a tenth of that, 2 s to 1 hour), the
 * session notes until when, and a request that finds the session about to outlive it extends it
 * (one `PEXPIRE`, once per half-margin of use). An abandoned session leaves its token set behind
 * for one margin at most; a session in use never loses it.
 */
export class RedisTokenStore implements TokenStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  readonly #cipher: TokenCipher | undefined;
  readonly #ttlMs: number;

  constructor(options: RedisTokenStoreOptions) {
    const timeoutMs = commandTimeoutMs(options?.commandTimeoutSeconds, 'RedisTokenStore');
    this.#client = scriptClient(options?.client, 'RedisTokenStore', timeoutMs);
    refuseUnknownOptions(options, REDIS_TOKEN_STORE_OPTIONS, 'RedisTokenStore ');
    const ttl = options.ttlSeconds ?? 30 * 86_400;
    if (!Number.isFinite(ttl) || ttl <= 0)
      throw new TypeError('passport-synergyflow: RedisTokenStore option "ttlSeconds" must be a positive number.');
    this.#prefix = options.prefix ?? 'sf:tokens:';
    this.#cipher = options.encryptionKeys ? new TokenCipher(options.encryptionKeys) : undefined;
    this.#ttlMs = ttl * 1000;
  }

  /** @inheritdoc */
  async get(req: Request): Promise<TokenSet | undefined> {
    const key = tokenFootprint(req).read();
    if (!key) return undefined;
    const stored = await GET.run(this.#client, [this.#prefix + key], []);
    if (typeof stored !== 'string') return undefined;
    const text = this.#cipher ? this.#cipher.open(stored, this.#prefix + key) : stored;
    if (text === undefined) {
      log('a stored token set could not be decrypted (unknown key or tampered); treating it as absent');
      return undefined;
    }
    return tokenSetFromText(text);
  }

  /** @inheritdoc */
  async set(req: Request, tokens: TokenSet, expectedVersion: number | undefined): Promise<boolean> {
    const footprint = tokenFootprint(req);
    const key = footprint.read() ?? randomBytes(18).toString('base64url');
    footprint.write(key);
    const json = tokenSetToText(tokens);
    const now = Date.now();
    const lifetime = sessionLifetimeMs(req);
    const ttl =
      lifetime !== undefined
        ? lifetime + keepMarginMs(lifetime)
        : tokens.refreshExpiresAt
          ? Math.max(1000, tokens.refreshExpiresAt - now)
          : this.#ttlMs;
    const written = await SET_IF_VERSION.run(
      this.#client,
      [this.#prefix + key],
      [
        expectedVersion === undefined ? '' : String(expectedVersion),
        String(tokens.version),
        this.#cipher ? this.#cipher.seal(json, this.#prefix + key) : json,
        String(Math.ceil(ttl)),
      ],
    );
    if (Number(written) !== 1) {
      log('write refused: another request stored a newer token set');
      return false;
    }
    if (lifetime !== undefined) noteTokensKept(req, now + ttl);
    return true;
  }

  /** @inheritdoc */
  keepAlive(req: Request): Promise<void> | undefined {
    const lifetime = sessionLifetimeMs(req);
    if (lifetime === undefined) return undefined;
    const margin = keepMarginMs(lifetime);
    const now = Date.now();
    const kept = tokensKeptUntil(req);
    // The common case: no store call, no promise.
    if (kept !== undefined && kept - (now + lifetime) >= margin / 2) return undefined;
    const footprint = tokenFootprint(req);
    const key = footprint.read();
    if (key === undefined) return undefined;
    return EXTEND.run(this.#client, [this.#prefix + key], [String(lifetime + margin)]).then(
      // Noted only once Redis said so: a failed extension is tried again by the next request.
      () => void (footprint.read() === key && noteTokensKept(req, now + lifetime + margin)),
      () => log('could not extend the token set with its session (Redis failed); the next request tries again'),
    );
  }

  /** @inheritdoc */
  async clear(req: Request, expectedVersion?: number): Promise<void> {
    const footprint = tokenFootprint(req);
    const key = footprint.read();
    if (!key) return;
    const deleted = await DELETE_IF_VERSION.run(
      this.#client,
      [this.#prefix + key],
      [expectedVersion === undefined ? '' : String(expectedVersion)],
    );
    if (expectedVersion === undefined || Number(deleted) === 1) footprint.clear();
  }
}
