// The session's end-of-request write (express-session's touch or save) runs after the answer
// has begun. When the store fails then, the answer completes and the connection stays open for
// the client's next request. A 503 that errorHandler() itself wrote (a token-store outage) used
// to send the write's failure on to Express's final handler, which destroys the connection: the
// client's next request on it failed ("connection error" in test/redis/sentinel.test.ts on a
// busy machine, where a failover fails the token store, then the session's touch).
import { Agent, get } from 'node:http';
import { RedisStore } from 'connect-redis';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardSessionStore, TemporarilyUnavailableError } from 'passport-synergyflow';
import { skipRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { startRig, type Rig } from '../helpers/rig.js';

let redis: RedisServer;
let client: RedisClientType;
let rig: Rig;
let cookie = '';

/**
 * Asks `path` on a kept-alive connection, waits until the session's write has failed, then asks
 * `/` again: the first answer (status and error reason), and whether the second came on the same
 * connection.
 */
async function askThenAgain(path: string): Promise<{ answer: string; sameConnection: boolean }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ask = (to: string): Promise<{ status: number; body: string; reused: boolean }> =>
    new Promise((resolve, reject) => {
      const req = get(`${rig.url}${to}`, { agent, headers: { accept: 'application/json', cookie } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
      });
      req.on('error', reject);
    });
  try {
    const first = await ask(path);
    redis.resume();
    // The guard's time limit (0.5 s) has run out before the answer ended; let the failure land.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await ask('/');
    const reason =
      first.status === 200 ? 'ok' : (JSON.parse(first.body) as { error?: { reason?: string } }).error?.reason;
    return { answer: `${first.status} ${reason}`, sameConnection: second.reused };
  } finally {
    agent.destroy();
  }
}

describe.skipIf(skipRedis)('a session store that fails after the answer has begun', () => {
  beforeAll(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url });
    client.on('error', () => undefined); // reconnects by itself; errors reach the commands
    await client.connect();
    const store = guardSessionStore(new RedisStore({ client }), { timeoutSeconds: 0.5 });
    rig = await startRig({
      session: { store },
      routes(app) {
        app.get('/start', (req, res) => {
          (req.session as unknown as Record<string, unknown>).started = true;
          res.json({ ok: true });
        });
        // Redis stops answering after the session was loaded, as when a master dies mid-request.
        app.get('/token-store-down', (_req, _res, next) => {
          redis.pause();
          next(new TemporarilyUnavailableError('store_unavailable'));
        });
        app.get('/answered', (_req, res) => {
          redis.pause();
          res.json({ ok: true });
        });
      },
    });
    const res = await fetch(`${rig.url}/start`);
    cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^sid=/);
  });
  afterAll(async () => {
    redis?.resume();
    await rig?.close();
    await client?.quit().catch(() => undefined);
    await redis?.stop();
  });

  it("errorHandler()'s own 503 completes, and the connection stays open, when the session's touch then fails", async () => {
    expect(await askThenAgain('/token-store-down')).toEqual({ answer: '503 store_unavailable', sameConnection: true });
  });

  it("a route's 200 completes, and the connection stays open, when the session's touch then fails", async () => {
    expect(await askThenAgain('/answered')).toEqual({ answer: '200 ok', sameConnection: true });
  });
});
