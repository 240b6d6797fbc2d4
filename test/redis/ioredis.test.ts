// ioredis (positional EVAL) as many Express apps use it: passed as it is, it must work; a client
// that fits no form is refused at start-up; a store error reaches the debug log and `cause`.
import type { ErrorRequestHandler } from 'express';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fromIoredis,
  RedisRefreshLock,
  RedisTokenStore,
  type RedisScriptClient,
  type TokenSet,
} from 'passport-synergyflow';
import { captureLogs } from '../helpers/logs.js';
import { skipRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { startRig, type Rig } from '../helpers/rig.js';

const logs = captureLogs();
let redis: RedisServer;
let client: Redis;
let rig: Rig | undefined;

describe.skipIf(skipRedis)('ioredis on a real redis-server', () => {
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('an ioredis client passed as it is: login, one refresh through the lock, tokens stored in Redis', async () => {
    rig = await startRig({
      clock: true,
      emulator: { accessTokenTtlSeconds: 120 },
      auth: {
        tokenStore: new RedisTokenStore({ client, prefix: 'io:tokens:' }),
        refreshLock: new RedisRefreshLock({ client, prefix: 'io:lock:' }),
      },
    });
    const browser = await rig.login();
    const first = await browser.request(`${rig.url}/dashboard`, { headers: { accept: 'application/json' } });
    expect(first.status).toBe(200);
    expect(await client.keys('io:tokens:*')).toHaveLength(1);
    rig.clock?.advance(130);
    const answers = await Promise.all(
      [1, 2, 3].map(() => browser.request(`${rig!.url}/dashboard`, { headers: { accept: 'application/json' } })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(rig.emulator.counters.refreshGrants).toBe(1);
  });

  it('fromIoredis() is the explicit one-line adapter, with EVALSHA', async () => {
    const store = new RedisTokenStore({ client: fromIoredis(client), prefix: 'io:adapted:' });
    const req = { session: {} } as never;
    const tokens: TokenSet = { accessToken: 'at', refreshToken: 'rt', obtainedAt: Date.now(), version: 1 };
    expect(await store.set(req, tokens, undefined)).toBe(true);
    expect((await store.get(req))?.refreshToken).toBe('rt');
  });

  it('a client that fits neither form is refused at start-up, saying what to pass', () => {
    const fits =
      /must be a Redis client: node-redis .*ioredis .*\{ eval\(script, \{ keys, arguments \}\), evalSha\? \}/;
    expect(() => new RedisTokenStore({ client: {} as never })).toThrow(fits);
    expect(() => new RedisRefreshLock({ client: { get: () => undefined } as never })).toThrow(
      /got Object with no eval/,
    );
    expect(() => new RedisTokenStore({ client, commandTimeoutSeconds: 0 })).toThrow(/commandTimeoutSeconds/);
  });

  it('a store error is never swallowed: debug names it, the 503 carries it as a cause without arguments', async () => {
    // The mistake the issue saw: node-redis's form handed to ioredis.
    const wrong: RedisScriptClient = { eval: (script, o) => client.eval(script, o as never) };
    const causes: unknown[] = [];
    const keep: ErrorRequestHandler = (error: { cause?: unknown }, _req, _res, next) => {
      causes.push(error.cause);
      next(error);
    };
    rig = await startRig({
      auth: { tokenStore: new RedisTokenStore({ client: wrong }) },
      routes: (app) => app.use(keep),
    });
    logs.length = 0;
    const browser = rig.browser();
    const end = await browser.request(`${rig.url}/auth/login`, { headers: { accept: 'application/json' } });
    expect(end.status).toBe(503);
    expect((JSON.parse(end.text) as { error: { reason: string } }).error.reason).toBe('store_unavailable');
    expect(logs.join('\n')).toMatch(/ERR value is not an integer or out of range/);
    const cause = causes.find((c) => c instanceof Error) as (Error & Record<string, unknown>) | undefined;
    expect(cause?.message).toMatch(/ERR value is not an integer/);
    // ioredis attaches the command and its arguments (the token set) to its errors: not kept.
    expect(cause && 'command' in cause).toBe(false);
    expect(JSON.stringify(causes)).not.toMatch(/accessToken|refreshToken/);
  });
});
