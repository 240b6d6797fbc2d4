import { createHash } from 'node:crypto';
import type { RedisScriptClient } from './redis-client.js';

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
