// The contract src/seams/express-session.ts relies on: if an express-session upgrade changes it,
// this file fails before a logout is undone.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import session, { MemoryStore } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import {
  adoptSession,
  interceptSession,
  isSessionIntercepted,
  storedSession,
  type SessionInterceptors,
} from '../../src/seams/express-session.js';

type Seen = Array<[string, string]>;
let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** An app whose routes get `req` and `store`; returns its URL. */
async function start(routes: (app: express.Express, store: MemoryStore) => void): Promise<string> {
  const store = new MemoryStore();
  const app = express();
  app.use(session({ secret: 'seam', resave: false, saveUninitialized: false, store, name: 'sid' }));
  routes(app, store);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function recording(seen: Seen): SessionInterceptors {
  const pass =
    (name: string): SessionInterceptors['save'] =>
    (_session, _req, id, original, callback) => {
      seen.push([name, id]);
      original(callback);
    };
  return { save: pass('save'), regenerate: pass('regenerate'), destroy: pass('destroy') };
}

describe('express-session, as src/seams/express-session.ts relies on it', () => {
  it("routes express-session's own end-of-request write, regenerate and destroy through the session's methods", async () => {
    const seen: Seen = [];
    const interceptors = recording(seen);
    const ids: string[] = [];
    const url = await start((app) => {
      app.get('/write', (req, res) => {
        interceptSession(req, interceptors);
        expect(isSessionIntercepted(req)).toBe(true);
        ids.push(req.sessionID);
        (req.session as unknown as Record<string, unknown>).n = 1;
        res.send('ok'); // no explicit save: express-session writes at the end of the request
      });
      app.get('/regenerate', (req, res, next) => {
        interceptSession(req, interceptors);
        ids.push(req.sessionID);
        req.session.regenerate((error) => (error ? next(error) : res.send('ok')));
      });
      app.get('/destroy', (req, res, next) => {
        interceptSession(req, interceptors);
        ids.push(req.sessionID);
        req.session.destroy((error) => (error ? next(error) : res.send('ok')));
      });
    });
    const first = await fetch(`${url}/write`);
    await first.text();
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    await (await fetch(`${url}/regenerate`, { headers: { cookie } })).text();
    const third = await fetch(`${url}/write`);
    await third.text();
    const thirdCookie = (third.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    await (await fetch(`${url}/destroy`, { headers: { cookie: thirdCookie } })).text();
    expect(seen).toEqual([
      ['save', ids[0]],
      ['regenerate', ids[0]],
      ['save', ids[2]],
      ['destroy', ids[2]],
    ]);
  });

  it('links a session to its request (non-enumerable) and carries its own id', async () => {
    const url = await start((app) =>
      app.get('/', (req, res) => {
        const linked = req.session as unknown as { req?: Request; id?: string };
        res.json({
          linked: linked.req === req,
          enumerable: Object.keys(req.session).includes('req'),
          id: linked.id === req.sessionID,
        });
      }),
    );
    expect(await (await fetch(url)).json()).toEqual({ linked: true, enumerable: false, id: true });
  });

  it("createSession on the store moves a request onto a stored session, and the answer carries that session's cookie", async () => {
    let target = '';
    const url = await start((app, store) => {
      app.get('/make', (req, res) => {
        (req.session as unknown as Record<string, unknown>).who = 'someone';
        target = req.sessionID;
        res.send('ok');
      });
      app.get('/adopt', (req, res, next) => {
        adoptSession(req, target).then(async (moved) => {
          const stored = await storedSession(req, target);
          res.json({ moved, who: (req.session as unknown as Record<string, unknown>).who, stored: Boolean(stored) });
        }, next);
      });
      void store;
    });
    await (await fetch(`${url}/make`)).text();
    const adopted = await fetch(`${url}/adopt`);
    expect(await adopted.json()).toEqual({ moved: true, who: 'someone', stored: true });
    expect(adopted.headers.get('set-cookie') ?? '').toContain(`sid=s%3A${encodeURIComponent(target)}.`);
  });
});
