/**
 * The Redis commands the package sends: `EVALSHA`, falling back to `EVAL` once per script and
 * connection. A node-redis (v4+) client fits as it is; for ioredis pass
 * `{ eval: (script, o) => redis.eval(script, o.keys.length, ...o.keys, ...o.arguments),
 *    evalSha: (sha, o) => redis.evalsha(sha, o.keys.length, ...o.keys, ...o.arguments) }`.
 */
export interface RedisScriptClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Optional: runs a script the server already knows by its SHA-1, sparing the script text. */
  evalSha?(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}
