import { randomBytes } from 'node:crypto';
import { logger } from '../log.js';
import type { RefreshLock } from '../tokens/refresh-lock.js';
import { commandTimeoutMs, scriptClient, type RedisClientLike, type RedisScriptClient } from './redis-client.js';
import { RedisScript } from './script.js';

const log = logger('redis-lock');

/** Options of {@link RedisRefreshLock}. */
export interface RedisRefreshLockOptions {
  /** A Redis client: node-redis v4+ (client, cluster, Sentinel) or ioredis; see {@link RedisScriptClient}. */
  client: RedisClientLike;
  /** How long one Redis call may take before the request is answered 503 `store_unavailable`. Default 1. */
  commandTimeoutSeconds?: number;
  /** Key prefix. Default `sf:lock:`. */
  prefix?: string;
  /**
   * How long the lock outlives a holder that dies, in seconds; longer than `timeoutSeconds`
   * (checked by `synergyFlow()`). A live holder renews it every third of that. Default 15.
   */
  lockTtlSeconds?: number;
}

const TAKE = new RedisScript(`return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])`);
// Only the holder's token releases or renews the lock: a holder that outlived its lease cannot
// free or extend a lock another process now holds.
const RELEASE = new RedisScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
);
const RENEW = new RedisScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
);

/**
 * A cross-process refresh lock in Redis: `SET NX PX` with a random token, renewed while held,
 * released only by its holder, with a bounded wait. The process that takes it re-reads the token
 * store first and adopts a sibling's fresh tokens instead of refreshing again.
 */
export class RedisRefreshLock implements RefreshLock {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  /** @inheritdoc */
  readonly leaseMs: number;

  constructor(options: RedisRefreshLockOptions) {
    const timeoutMs = commandTimeoutMs(options?.commandTimeoutSeconds, 'RedisRefreshLock');
    this.#client = scriptClient(options?.client, 'RedisRefreshLock', timeoutMs);
    const ttl = options.lockTtlSeconds ?? 15;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0.1)
      throw new TypeError('passport-synergyflow: RedisRefreshLock option "lockTtlSeconds" must be at least 0.1.');
    this.#prefix = options.prefix ?? 'sf:lock:';
    this.leaseMs = Math.round(ttl * 1000);
  }

  /** @inheritdoc */
  async acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined> {
    const name = this.#prefix + key;
    const token = randomBytes(16).toString('base64url');
    const lease = String(this.leaseMs);
    const deadline = Date.now() + waitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
      const taken = await TAKE.run(this.#client, [name], [token, lease]);
      if (taken === 'OK') return this.#holding(name, token, lease);
      if (Date.now() + delay > deadline) {
        log('gave up waiting for the refresh lock after %d ms', waitMs);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    }
  }

  /** Renews the lease every third of it until released, so a slow refresh keeps its lock. */
  #holding(name: string, token: string, lease: string): () => Promise<void> {
    const renew = setInterval(() => {
      RENEW.run(this.#client, [name], [token, lease]).catch(() => {
        log('could not renew the refresh lock');
      });
    }, this.leaseMs / 3);
    renew.unref();
    return async () => {
      clearInterval(renew);
      await RELEASE.run(this.#client, [name], [token]);
    };
  }
}
