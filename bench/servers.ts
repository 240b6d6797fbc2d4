// The benchmark's servers, in their own process so the load generator does not share their event
// loop. Starts the emulator and five apps (bare, the plain passport-oauth2 baseline and this
// package, each in memory and on Redis), logs each in, and prints their URLs, cookies and the
// bytes each keeps per logged-in user. `EXPRESS=4` runs them on Express 4 (see express4-alias.mjs).
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import express, { type Express } from 'express';
import session, { MemoryStore, type Store } from 'express-session';
import { Passport } from 'passport';
import { createClient } from 'redis';
// The built package, as users run it (npm run bench builds it first); typed from the sources,
// since dist/ exists only after a build.
const built = (path: string): string => new URL(`../dist/${path}`, import.meta.url).href;
const { RedisTokenStore, synergyFlow } = (await import(built('index.js'))) as typeof import('../src/index.js');
const { startSynergyFlowEmulator, TestBrowser } = (await import(
  built('testing/index.js')
)) as typeof import('../src/testing/index.js');
import { baselineApp } from './baseline-app.js';

/** What the load generator needs of one server. */
export interface Target {
  url: string;
  cookie: string;
  /** Bytes of the session blob the store keeps for the logged-in user. */
  sessionBytes: number;
  /** Bytes kept per user outside the session (the token set in Redis), if any. */
  tokenBytes: number;
}

const emulator = await startSynergyFlowEmulator({ autoApprove: true, rateLimit: 1_000_000_000 });
const redis = createClient({ url: String(process.env.REDIS_URL) });
redis.on('error', () => undefined);
await redis.connect();
await redis.flushAll();

async function listen(app: Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Every route answers the same thing: the user's id, name and e-mail. */
function answer(user: { id: string; name: string; email: string | null }): object {
  return { id: user.id, name: user.name, email: user.email };
}

function sessionId(cookie: string): string {
  const value = decodeURIComponent(/connect\.sid=([^;]+)/.exec(cookie)?.[1] ?? '');
  return value.slice(2, value.lastIndexOf('.'));
}

async function sessionBytes(store: Store, cookie: string): Promise<number> {
  if (store instanceof MemoryStore) {
    const sessions = (store as unknown as { sessions: Record<string, string> }).sessions;
    return sessions[sessionId(cookie)]?.length ?? 0;
  }
  return (await redis.get(`sess:${sessionId(cookie)}`))?.length ?? 0;
}

async function tokenBytes(): Promise<number> {
  let total = 0;
  for (const key of await redis.keys('sf:tokens:*')) total += (await redis.hGet(key, 'd'))?.length ?? 0;
  return total;
}

async function loggedIn(app: Express, url: string, store: Store, tokensInRedis: boolean): Promise<Target> {
  void app;
  const browser = new TestBrowser();
  const end = await browser.request(`${url}/auth/login`);
  if (end.status !== 200) throw new Error(`bench login failed: ${end.status} at ${end.url}`);
  const cookie = browser.cookieHeader(url);
  return {
    url: `${url}/route`,
    cookie,
    sessionBytes: await sessionBytes(store, cookie),
    tokenBytes: tokensInRedis ? await tokenBytes() : 0,
  };
}

async function baseline(kind: 'memory' | 'redis'): Promise<Target> {
  const holder = express();
  const url = await listen(holder);
  const clientID = `baseline-${kind}`;
  emulator.registerClient({ clientID, clientSecret: 'bench-secret', redirectURIs: [`${url}/auth/callback`] });
  const store = kind === 'redis' ? new RedisStore({ client: redis }) : new MemoryStore();
  const app = baselineApp(
    { providerURL: emulator.url, clientID, clientSecret: 'bench-secret', callbackURL: `${url}/auth/callback`, store },
    (req, res) => {
      const user = req.user as unknown as { id: string; displayName: string; emails: Array<{ value: string }> };
      res.json(answer({ id: user.id, name: user.displayName, email: user.emails[0]?.value ?? null }));
    },
  );
  holder.use(app);
  return loggedIn(app, url, store, false);
}

async function withPackage(kind: 'memory' | 'redis'): Promise<Target> {
  const app = express();
  const url = await listen(app);
  const clientID = `package-${kind}`;
  emulator.registerClient({ clientID, clientSecret: 'bench-secret', redirectURIs: [`${url}/auth/callback`] });
  const auth = synergyFlow({
    clientID,
    clientSecret: 'bench-secret',
    callbackURL: `${url}/auth/callback`,
    baseURL: emulator.url,
    ...(kind === 'redis'
      ? { tokenStore: new RedisTokenStore({ client: redis, encryptionKeys: ['c'.repeat(64)] }) }
      : {}),
  });
  const store = kind === 'redis' ? new RedisStore({ client: redis }) : new MemoryStore();
  app.use(session({ secret: 'bench', resave: false, saveUninitialized: false, store }));
  const passport = new Passport();
  app.use(passport.initialize());
  app.use(passport.session());
  auth.use(passport);
  app.use('/auth', auth.loginRouter(), auth.callbackRouter());
  app.get('/', (_req, res) => void res.send('home'));
  app.get('/route', auth.requireUser(), (req, res) => {
    res.json(answer(req.user as { id: string; name: string; email: string | null }));
  });
  app.use(auth.errorHandler());
  return loggedIn(app, url, store, kind === 'redis');
}

const bare = express();
bare.get('/route', (_req, res) => void res.json(answer({ id: '1', name: 'Test User', email: 'test@example.com' })));
const targets: Record<string, Target> = {
  bare: { url: `${await listen(bare)}/route`, cookie: '', sessionBytes: 0, tokenBytes: 0 },
  baselineMemory: await baseline('memory'),
  packageMemory: await withPackage('memory'),
  baselineRedis: await baseline('redis'),
  packageRedis: await withPackage('redis'),
};
console.log(`READY ${JSON.stringify(targets)}`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
