/**
 * The Redis commands the package sends: `EVALSHA`, falling back to `EVAL` once per script and
 * connection, with node-redis's `{ keys, arguments }` form. A node-redis (v4+) client, cluster
 * or Sentinel client fits as it is; an ioredis client fits as it is too (see
 * {@link PositionalScriptClient}).
 */
export interface RedisScriptClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Optional: runs a script the server already knows by its SHA-1, sparing the script text. */
  evalSha?(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * ioredis's form (`new Redis()`, `new Redis.Cluster()`, Sentinel): positional
 * `eval(script, numKeys, ...keys, ...args)` and lower-case `evalsha`. Recognised by `evalsha`
 * without `evalSha`, and adapted by {@link fromIoredis}.
 */
export interface PositionalScriptClient {
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** What `RedisTokenStore` and `RedisRefreshLock` take as `client`. */
export type RedisClientLike = RedisScriptClient | PositionalScriptClient;

/**
 * Adapts an ioredis client to node-redis's `{ keys, arguments }` form. The Redis classes do it
 * themselves when they see an ioredis client; this is the explicit one-liner for wrappers that
 * hide the shape: `new RedisTokenStore({ client: fromIoredis(redis) })`.
 */
export function fromIoredis(client: PositionalScriptClient): RedisScriptClient {
  return {
    eval: (script, o) => client.eval(script, o.keys.length, ...o.keys, ...o.arguments),
    evalSha: (sha1, o) => client.evalsha(sha1, o.keys.length, ...o.keys, ...o.arguments),
  };
}

const isFunction = (value: unknown): value is (...args: unknown[]) => unknown => typeof value === 'function';

function describe(client: unknown): string {
  if (client === null || typeof client !== 'object') return client === null ? 'null' : typeof client;
  const name = (client as object).constructor?.name ?? 'Object';
  const methods = ['eval', 'evalSha', 'evalsha'].filter((m) => isFunction((client as Record<string, unknown>)[m]));
  return `${name} with ${methods.length ? methods.join(', ') : 'no eval method'}`;
}

/** A client in node-redis's form, with the time limit {@link RedisScript} puts on each script. */
export interface BoundedScriptClient extends RedisScriptClient {
  readonly timeoutMs: number;
}

/**
 * Checks `client` once, at construction, and returns it in node-redis's form with the time
 * limit of each script (`timeoutMs`). A client that fits neither form is refused with a message that says
 * what to pass, instead of failing each request later.
 */
export function scriptClient(client: unknown, owner: string, timeoutMs: number): BoundedScriptClient {
  const candidate = client as Partial<RedisScriptClient & PositionalScriptClient> | null | undefined;
  let fitted: RedisScriptClient;
  if (candidate && isFunction(candidate.evalsha) && !isFunction(candidate.evalSha) && isFunction(candidate.eval)) {
    fitted = fromIoredis(candidate as PositionalScriptClient);
  } else if (candidate && isFunction(candidate.eval)) {
    fitted = candidate as RedisScriptClient;
  } else {
    throw new TypeError(
      `passport-synergyflow: ${owner} option "client" must be a Redis client: node-redis (createClient, createCluster, createSentinel), ioredis (new Redis()), or { eval(script, { keys, arguments }), evalSha? } (got ${describe(client)}).`,
    );
  }
  const evalSha = fitted.evalSha?.bind(fitted);
  return { eval: fitted.eval.bind(fitted), ...(evalSha && { evalSha }), timeoutMs };
}

/** Validates a `commandTimeoutSeconds` option (default 1) and returns it in milliseconds. */
export function commandTimeoutMs(seconds: unknown, owner: string): number {
  const value = seconds ?? 1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`passport-synergyflow: ${owner} option "commandTimeoutSeconds" must be a positive number.`);
  }
  return Math.round(value * 1000);
}
