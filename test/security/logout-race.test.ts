import { MemoryStore, type SessionData } from 'express-session';
import type { RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenStore } from 'passport-synergyflow';
import { redisAvailable, startRedisWithClient, type RedisWithClient } from '../helpers/redis.js';
import { startRig, type Rig } from '../helpers/rig.js';

/**
 * A real MemoryStore whose next write waits for the test: it holds a save between the guard's
 * check and the write, where a logout elsewhere can land.
 */
class HeldStore extends MemoryStore {
  #hold: { reached: () => void; released: Promise<void> } | undefined;

  /** Holds the next `set`; resolves once it is reached, and returns the function releasing it. */
  holdNextWrite(): { reached: Promise<void>; release: () => void } {
    let reached: () => void = () => undefined;
    let release: () => void = () => undefined;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#hold = { reached, released };
    return { reached: reachedPromise, release };
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const hold = this.#hold;
    if (!hold) return super.set(sid, session, callback);
    this.#hold = undefined;
    hold.reached();
    void hold.released.then(() => super.set(sid, session, callback));
  }
}

const sidOf = (cookie: string): string => decodeURIComponent(/\bsid=s%3A([^.]+)/.exec(cookie)?.[1] ?? '');
let rig: Rig;

describe.skipIf(!redisAvailable)('a logout between the save check and the write', () => {
  let redis: RedisWithClient;
  let client: RedisClientType;
  beforeAll(async () => {
    redis = await startRedisWithClient();
    client = redis.client;
  });
  afterEach(async () => rig?.close());
  afterAll(async () => redis?.stop());

  it('O6: a session written back just after a logout removed its token set is destroyed again', async () => {
    const store = new HeldStore();
    rig = await startRig({
      auth: { tokenStore: new RedisTokenStore({ client }) },
      session: { store },
      routes(app, auth) {
        app.get('/touch', auth.requireUser(), (req, res) => {
          (req.session as unknown as Record<string, unknown>).lastVisit = Date.now();
          res.json({ ok: true });
        });
        app.get('/whoami', (req, res) => void res.json({ user: req.user?.name ?? null }));
      },
    });
    const browser = await rig.login();
    const cookie = browser.cookieHeader(rig.url);
    const asOld = (path: string): Promise<Response> =>
      fetch(`${rig.url}${path}`, { headers: { cookie, accept: 'application/json' } });
    // The request's save passes the guard's check (the session exists), then its write waits…
    const held = store.holdNextWrite();
    const touch = asOld('/touch');
    await held.reached;
    // …while the user logs out (here the same process; on another instance it is the same).
    expect((await browser.request(`${rig.url}/auth/logout`, { form: {}, follow: false })).status).toBe(303);
    held.release();
    // express-session sends the head before its save ends: wait for the whole answer.
    const answer = await touch;
    expect(answer.status).toBe(200);
    await answer.text();
    expect(await (await asOld('/whoami')).json()).toEqual({ user: null });
    const stored = await new Promise((resolve) => store.get(sidOf(cookie), (_err, data) => resolve(data)));
    expect(stored ?? null).toBeNull();
  });
});
