import { randomBytes } from 'node:crypto';
import { logger } from '../hooks.js';
import type { RedisScriptClient } from './redis-client.js';
import type { RefreshLock } from '../tokens/refresh-lock.js';

const log = logger('redis-lock');

/** Options of {@link RedisRefreshLock}. */
export interface RedisRefreshLockOptions {
  /** A connected Redis client (node-redis v4+, or an adapter; see {@link RedisScriptClient}). */
  client: RedisScriptClient;
  /** Key prefix. Default `sf:lock:`. */
  prefix?: string;
  /** How long a lock lives if its holder dies, in milliseconds; longer than a refresh. Default 15000. */
  lockTtlMs?: number;
}

const TAKE = `return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])`;
// Only the holder's token releases the lock: a holder that outlived its TTL cannot free a
// lock another process now holds.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * A cross-process refresh lock in Redis: `SET NX PX` with a random token, released only by its
 * holder, with a bounded wait. The process that takes it re-reads the token store first and
 * adopts a sibling's fresh tokens instead of refreshing again.
 */
export class RedisRefreshLock implements RefreshLock {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(options: RedisRefreshLockOptions) {
    if (typeof options?.client?.eval !== 'function') {
      throw new TypeError('passport-synergyflow: RedisRefreshLock option "client" must be a connected Redis client.');
    }
    const ttl = options.lockTtlMs ?? 15_000;
    if (!Number.isFinite(ttl) || ttl < 100)
      throw new TypeError('passport-synergyflow: RedisRefreshLock option "lockTtlMs" must be at least 100.');
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'sf:lock:';
    this.#ttlMs = ttl;
  }

  /** @inheritdoc */
  async acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined> {
    const name = this.#prefix + key;
    const token = randomBytes(16).toString('base64url');
    const deadline = Date.now() + waitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
      const taken = await this.#client.eval(TAKE, { keys: [name], arguments: [token, String(this.#ttlMs)] });
      if (taken === 'OK') {
        return async () => {
          await this.#client.eval(RELEASE, { keys: [name], arguments: [token] });
        };
      }
      if (Date.now() + delay > deadline) {
        log('gave up waiting for the refresh lock after %d ms', waitMs);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    }
  }
}
