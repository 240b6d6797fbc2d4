import { createHash } from 'node:crypto';
import { logger } from '../log.js';
import { safeStoreError } from './store-outage.js';
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

  /** Runs the script with `keys` and `args` on `client`. */
  async run(client: RedisScriptClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#send(client, keys, args);
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
