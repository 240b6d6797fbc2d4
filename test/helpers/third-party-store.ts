import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { tokenFootprint, type TokenSet, type TokenStore } from '../../src/index.js';

/** Where a {@link ThirdPartyTokenStore} keeps its entries: a map here, a shared server elsewhere. */
export interface KeyValue {
  get(key: string): Promise<string | undefined>;
  /** Writes `value` when the entry's version is `expected` ('' for any); resolves whether it did. */
  setIf(key: string, expected: string, version: string, value: string): Promise<boolean>;
  delete(key: string, expected: string): Promise<void>;
}

/** A {@link KeyValue} in this process's memory. */
export function memoryKeyValue(): KeyValue {
  const entries = new Map<string, { version: string; value: string }>();
  return {
    get: async (key) => entries.get(key)?.value,
    async setIf(key, expected, version, value) {
      const current = entries.get(key);
      if (expected !== '' && current?.version !== expected) return false;
      entries.set(key, { version, value });
      return true;
    },
    async delete(key, expected) {
      if (expected === '' || entries.get(key)?.version === expected) entries.delete(key);
    },
  };
}

/** The commands {@link redisKeyValue} sends (node-redis). */
interface RedisCommands {
  get(key: string): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const SET_IF = `if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3]) return 1`;
const DELETE_IF = `if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

/** A {@link KeyValue} in Redis, shared by every instance (hashes under `tp:`). */
export function redisKeyValue(client: RedisCommands): KeyValue {
  return {
    async get(key) {
      const value = await client.eval(`return redis.call('HGET', KEYS[1], 'd')`, {
        keys: [`tp:${key}`],
        arguments: [],
      });
      return typeof value === 'string' ? value : undefined;
    },
    async setIf(key, expected, version, value) {
      const done = await client.eval(SET_IF, { keys: [`tp:${key}`], arguments: [expected, version, value] });
      return Number(done) === 1;
    },
    async delete(key, expected) {
      await client.eval(DELETE_IF, { keys: [`tp:${key}`], arguments: [expected] });
    },
  };
}

/**
 * A token store written the way a third party would write one against the documented interface:
 * its own key in the session's token footprint, its entries elsewhere, compare-and-swap on the
 * version, and no `reconcile` (it keeps no tokens in the session).
 */
export class ThirdPartyTokenStore implements TokenStore {
  readonly #entries: KeyValue;

  constructor(entries: KeyValue) {
    this.#entries = entries;
  }

  async get(req: Request): Promise<TokenSet | undefined> {
    const key = tokenFootprint(req).read();
    const text = key === undefined ? undefined : await this.#entries.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as TokenSet);
  }

  async set(req: Request, tokens: TokenSet, expectedVersion: number | undefined): Promise<boolean> {
    const footprint = tokenFootprint(req);
    const key = footprint.read() ?? randomBytes(12).toString('base64url');
    footprint.write(key);
    const expected = expectedVersion === undefined ? '' : String(expectedVersion);
    return this.#entries.setIf(key, expected, String(tokens.version), JSON.stringify(tokens));
  }

  async clear(req: Request, expectedVersion?: number): Promise<void> {
    const footprint = tokenFootprint(req);
    const key = footprint.read();
    if (key === undefined) return;
    await this.#entries.delete(key, expectedVersion === undefined ? '' : String(expectedVersion));
    if (expectedVersion === undefined) footprint.clear();
  }
}
