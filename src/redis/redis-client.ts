/**
 * The one Redis command the package sends: `EVAL`. A node-redis (v4+) client fits as it is; for
 * ioredis pass `{ eval: (script, o) => redis.eval(script, o.keys.length, ...o.keys, ...o.arguments) }`.
 */
export interface RedisScriptClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}
