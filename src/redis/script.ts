import { createHash } from 'node:crypto';
import { logger } from '../log.js';
import { safeStoreError } from './store-outage.js';
import { withinTime } from './time-limit.js';
import type { RedisScriptClient } from './redis-client.js';

const log = logger('redis');

/**
 * A Lua script sent by its SHA-1 (`EVALSHA`), so a request carries a few bytes instead of the
 * script text; the first call after a Redis restart answers `NOSCRIPT` and is sent again with
 * `EVAL`, which loads the script for the calls after it.
 */
export class RedisScript {
  readonly #text: string;
  readonly #sha1: string;

  constructor(text: string) {
    this.#text = text;
    this.#sha1 = createHash('sha1').update(text).digest('hex');
  }

  /**
   * Runs the script with `keys` and `args` on `client`, within the client's `timeoutMs` when it
   * has one. The limit is put on the whole run, not on each command: a write abandoned while
   * Redis is away stays in the client's offline queue, and when Redis returns it still goes
   * through `EVALSHA`, `NOSCRIPT`, `EVAL` and lands first, before any sibling can read the old
   * token set and refresh with a rotated refresh token.
   */
  async run(client: RedisScriptClient & { timeoutMs?: number }, keys: string[], args: string[]): Promise<unknown> {
    const work = this.#send(client, keys, args);
    try {
      return await (client.timeoutMs === undefined ? work : withinTime(work, client.timeoutMs));
    } catch (error) {
      // Whoever catches it may answer a plain 503: the reason is told here, once, without arguments.
      const { name, message } = safeStoreError(error);
      log('a script failed: %s: %s', name, message || '(no message)');
      throw error;
    }
  }

  async #send(client: RedisScriptClient, keys: string[], args: string[]): Promise<unknown> {
    const options = { keys, arguments: args };
    if (!client.evalSha) return client.eval(this.#text, options);
    try {
      return await client.evalSha(this.#sha1, options);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#text, options);
    }
  }
}
