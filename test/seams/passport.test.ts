// The contract src/seams/passport.ts relies on: if a Passport upgrade changes it, this file fails
// before a login loops.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deserializeThroughChain,
  runsSerializerChains,
  serializeThroughChain,
  watchSessionStrategy,
} from '../../src/seams/passport.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());
const req = {} as Request;

describe('Passport, as src/seams/passport.ts relies on it', () => {
  it("runs a watcher on every request passport.session() sees, through _strategy('session')", async () => {
    const passport = new Passport();
    const seen: string[] = [];
    expect(watchSessionStrategy(passport, (request) => void seen.push(request.path))).toBe(true);
    const app = express();
    app.use(session({ secret: 'seam', resave: false, saveUninitialized: false }));
    app.use(passport.initialize());
    app.get('/before', (_req, res) => void res.send('ok'));
    app.use(passport.session());
    app.get('/after', (_req, res) => void res.send('ok'));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await (await fetch(`${url}/before`)).text();
    await (await fetch(`${url}/after`)).text();
    expect(seen).toEqual(['/after']);
  });

  it("holds a request until a watcher's promise settles (resolved or rejected), then goes on", async () => {
    const passport = new Passport();
    const order: string[] = [];
    let release: () => void = () => undefined;
    // Resolved when the held request reaches the watcher: on a busy machine that can take longer
    // than any fixed pause, and releasing before it would hold the request for ever.
    let reached: () => void = () => undefined;
    const watcherReached = new Promise<void>((resolve) => (reached = resolve));
    watchSessionStrategy(passport, (request) =>
      request.path === '/held'
        ? new Promise<void>((resolve) => {
            release = () => (order.push('released'), resolve());
            reached();
          })
        : request.path === '/refused'
          ? Promise.reject(new Error('watcher failed'))
          : undefined,
    );
    const app = express();
    app.use(session({ secret: 'seam', resave: false, saveUninitialized: false }));
    app.use(passport.initialize());
    app.use(passport.session());
    app.use((request: Request, res: Response) => {
      order.push(`handled ${request.path}`);
      res.send('ok');
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const held = fetch(`${url}/held`).then((answer) => answer.text());
    await watcherReached;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]); // held: not handled while the watcher's promise is pending
    release();
    expect(await held).toBe('ok');
    expect((await fetch(`${url}/refused`)).status).toBe(200);
    expect(order).toEqual(['released', 'handled /held', 'handled /refused']);
  });

  it("runs the whole serializer chain on a value, 'pass' handing the user on", async () => {
    const passport = new Passport();
    expect(runsSerializerChains(passport)).toBe(true);
    passport.serializeUser((user: Express.User, done: (error: unknown, id?: unknown) => void) =>
      (user as { local?: boolean }).local ? done(null, 'local') : done('pass'),
    );
    passport.serializeUser((_req: Request, user: Express.User, done: (error: unknown, id?: unknown) => void) =>
      done(null, `second:${(user as { id: string }).id}`),
    );
    passport.deserializeUser((id: unknown, done: (error: unknown, user?: unknown) => void) =>
      id === 'local' ? done(null, { local: true }) : done('pass'),
    );
    passport.deserializeUser((id: unknown, done: (error: unknown, user?: unknown) => void) =>
      done(null, id === 'gone' ? false : { id }),
    );
    expect(await serializeThroughChain(passport, { local: true } as unknown as Express.User, req)).toBe('local');
    expect(await serializeThroughChain(passport, { id: '7' } as Express.User, req)).toBe('second:7');
    expect(await deserializeThroughChain(passport, 'local', req)).toEqual({ local: true });
    expect(await deserializeThroughChain(passport, 'x', req)).toEqual({ id: 'x' });
    expect(await deserializeThroughChain(passport, 'gone', req)).toBe(false);
    await expect(serializeThroughChain(new Passport(), {} as unknown as Express.User, req)).rejects.toThrow(
      /serialize/,
    );
  });

  it('refuses to run the chains of a wrapper, which may not forward a value call', () => {
    const passport = new Passport();
    const wrapper = { use: passport.use.bind(passport), serializeUser: () => undefined } as never;
    expect(runsSerializerChains(wrapper)).toBe(false);
    expect(watchSessionStrategy(wrapper, () => undefined)).toBe(false);
  });
});
