import { randomBytes } from 'node:crypto';
import type { Coordinator } from '../coordination/coordinator.js';
import { logger } from '../log.js';
import { REDIS_COORDINATOR_OPTIONS, refuseUnknownOptions } from '../option-names.js';
import { commandTimeoutMs, scriptClient, type RedisClientLike, type RedisScriptClient } from './redis-client.js';
import { RedisScript } from './script.js';

const log = logger('redis-coordinator');

/** Options of {@link RedisCoordinator}. */
export interface RedisCoordinatorOptions {
  /** A Redis client: node-redis v4+ (client, cluster, Sentinel) or ioredis; see {@link RedisScriptClient}. */
  client: RedisClientLike;
  /** How long one Redis call may take before the request is answered 503 `store_unavailable`. Default 1. */
  commandTimeoutSeconds?: number;
  /** Key prefix: locks live under `<prefix>lock:`, notes under `<prefix>note:`. Default `sf:`. */
  prefix?: string;
  /**
   * How long a lock outlives a holder that dies, in seconds; longer than `timeoutSeconds`
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
const NOTE = new RedisScript(`return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`);
const READ = new RedisScript(`return redis.call('GET', KEYS[1])`);
// A sorted set scored by when each member was added: the newest ARGV[3] are kept.
const INDEX = new RedisScript(`
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
return redis.call('PEXPIRE', KEYS[1], ARGV[4])`);
const MEMBERS = new RedisScript(`return redis.call('ZREVRANGE', KEYS[1], 0, -1)`);
const UNINDEX = new RedisScript(`
if ARGV[1] == '' then return redis.call('DEL', KEYS[1]) end
return redis.call('ZREM', KEYS[1], ARGV[1])`);

/**
 * The {@link Coordinator} for several instances, in Redis. Locks are `SET NX PX` with a random
 * token, renewed while held, released only by their holder, with a bounded wait; notes are keys
 * with a `PX` lifetime, indexes sorted sets. Locks (`sf:lock:…`), notes (`sf:note:…`) and
 * indexes (`sf:index:…`) live apart from the token sets (`sf:tokens:…`) and from the sessions.
 */
export class RedisCoordinator implements Coordinator {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  /** @inheritdoc */
  readonly leaseMs: number;

  constructor(options: RedisCoordinatorOptions) {
    const timeoutMs = commandTimeoutMs(options?.commandTimeoutSeconds, 'RedisCoordinator');
    const client = scriptClient(options?.client, 'RedisCoordinator', timeoutMs);
    refuseUnknownOptions(options, REDIS_COORDINATOR_OPTIONS, 'RedisCoordinator ');
    const ttl = options.lockTtlSeconds ?? 15;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0.1)
      throw new TypeError('passport-synergyflow: RedisCoordinator option "lockTtlSeconds" must be at least 0.1.');
    this.#client = client;
    this.#prefix = options.prefix ?? 'sf:';
    this.leaseMs = Math.round(ttl * 1000);
  }

  /** @inheritdoc */
  async acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined> {
    const name = `${this.#prefix}lock:${key}`;
    const token = randomBytes(16).toString('base64url');
    const lease = String(this.leaseMs);
    const deadline = Date.now() + waitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
      const taken = await TAKE.run(this.#client, [name], [token, lease]);
      if (taken === 'OK') return this.#holding(name, token, lease);
      if (Date.now() + delay > deadline) {
        log('gave up waiting for the lock after %d ms', waitMs);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    }
  }

  /** @inheritdoc */
  async note(key: string, value: string, ttlMs: number): Promise<void> {
    await NOTE.run(this.#client, [`${this.#prefix}note:${key}`], [value, String(Math.max(1, Math.ceil(ttlMs)))]);
  }

  /** @inheritdoc */
  async read(key: string): Promise<string | undefined> {
    const value = await READ.run(this.#client, [`${this.#prefix}note:${key}`], []);
    return typeof value === 'string' ? value : undefined;
  }

  /** @inheritdoc */
  async index(key: string, member: string, max: number, ttlMs: number): Promise<void> {
    const args = [String(Date.now()), member, String(Math.max(1, Math.floor(max))), String(Math.ceil(ttlMs))];
    await INDEX.run(this.#client, [`${this.#prefix}index:${key}`], args);
  }

  /** @inheritdoc */
  async members(key: string): Promise<string[]> {
    const found = await MEMBERS.run(this.#client, [`${this.#prefix}index:${key}`], []);
    return Array.isArray(found) ? found.filter((m): m is string => typeof m === 'string') : [];
  }

  /** @inheritdoc */
  async unindex(key: string, member?: string): Promise<void> {
    await UNINDEX.run(this.#client, [`${this.#prefix}index:${key}`], [member ?? '']);
  }

  /** Renews the lease every third of it until released, so a slow holder keeps its lock. */
  #holding(name: string, token: string, lease: string): () => Promise<void> {
    const renew = setInterval(() => {
      RENEW.run(this.#client, [name], [token, lease]).catch(() => {
        log('could not renew a lock');
      });
    }, this.leaseMs / 3);
    renew.unref();
    return async () => {
      clearInterval(renew);
      await RELEASE.run(this.#client, [name], [token]);
    };
  }
}

/**
 * The former name of {@link RedisCoordinator}, kept so existing setups keep working.
 * @deprecated Use `new RedisCoordinator({ client })` and the `coordinator` option.
 */
export const RedisRefreshLock = RedisCoordinator;
/** @deprecated Use {@link RedisCoordinator}. */
export type RedisRefreshLock = RedisCoordinator;
/** @deprecated Use {@link RedisCoordinatorOptions}. */
export type RedisRefreshLockOptions = RedisCoordinatorOptions;
