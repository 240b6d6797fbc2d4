// One benchmark server, in its own process: the load generator does not share its event loop, and
// no other app shares its JIT state (apps in one process make express-session's and Passport's
// code see several session shapes, which slows them all). `BENCH_ROW` names the app: bare, the
// plain passport-oauth2 baseline or this package, each in memory or on Redis. Starts the emulator,
// logs the app in, and prints its URL, cookie and the bytes it keeps per logged-in user. Run with
// `--import ./bench/express4-alias.mjs` for Express 4.
import { createServer, type Server } from 'node:http';
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
  /** The server's process, whose CPU time the bench reads. */
  pid: number;
  /** Headers every request sends besides the cookie (the proxy's anti-forgery header). */
  headers?: Record<string, string>;
}

const emulator = await startSynergyFlowEmulator({ autoApprove: true, rateLimit: 1_000_000_000 });
const redis = createClient({ url: String(process.env.REDIS_URL) });
redis.on('error', () => undefined);
await redis.connect();

/**
 * A server listening on a free port, with no app yet: the app, which needs its own URL for the
 * callback, is attached by {@link serve}. Every app then handles its requests directly (no
 * holder app in front, which would cost the row a second pass through Express).
 */
async function listen(): Promise<{ server: Server; url: string }> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function serve(server: Server, app: Express): void {
  server.on('request', app);
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

/** Bytes of the token set kept in Redis for the session's login. */
async function tokenBytes(cookie: string): Promise<number> {
  const session = JSON.parse((await redis.get(`sess:${sessionId(cookie)}`)) ?? '{}') as {
    synergyflow?: { tokens?: string };
  };
  const key = session.synergyflow?.tokens;
  return key === undefined ? 0 : ((await redis.hGet(`sf:tokens:${key}`, 'd'))?.length ?? 0);
}

async function loggedIn(url: string, store: Store, tokensInRedis: boolean): Promise<Omit<Target, 'pid'>> {
  const browser = new TestBrowser();
  const end = await browser.request(`${url}/auth/login`);
  if (end.status !== 200) throw new Error(`bench login failed: ${end.status} at ${end.url}`);
  const cookie = browser.cookieHeader(url);
  return {
    url: `${url}/route`,
    cookie,
    sessionBytes: await sessionBytes(store, cookie),
    tokenBytes: tokensInRedis ? await tokenBytes(cookie) : 0,
  };
}

/**
 * As on any live server, someone logged out lately (the coordinator keeps that session's end
 * noted for a while); the baseline app sees the same, so both processes have run their logout
 * code before they are measured.
 */
async function someoneLoggedOut(url: string): Promise<void> {
  const browser = new TestBrowser();
  await browser.request(`${url}/auth/login`);
  const out = await browser.request(`${url}/auth/logout`, { method: 'POST', form: {}, follow: false });
  if (out.status >= 400) throw new Error(`bench logout failed: ${out.status}`);
}

async function baseline(kind: 'memory' | 'redis'): Promise<Omit<Target, 'pid'>> {
  const { server, url } = await listen();
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
  serve(server, app);
  await someoneLoggedOut(url);
  return loggedIn(url, store, false);
}

/** An app wired as the README's quick start, listening, without its routes and error handler yet. */
interface PackageApp {
  app: Express;
  auth: ReturnType<typeof synergyFlow>;
  server: Server;
  url: string;
  store: Store;
}

/**
 * The package's app for `clientID`: sessions and, with `kind` redis, the token store on Redis;
 * Passport, the login, callback and logout routers, and a home page. The rows add their routes.
 */
async function packageApp(clientID: string, kind: 'memory' | 'redis'): Promise<PackageApp> {
  const { server, url } = await listen();
  const app = express();
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
  app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  app.get('/', (_req, res) => void res.send('home'));
  return { app, auth, server, url, store };
}

async function withPackage(kind: 'memory' | 'redis'): Promise<Omit<Target, 'pid'>> {
  const { app, auth, server, url, store } = await packageApp(`package-${kind}`, kind);
  app.get('/route', auth.requireUser(), (req, res) => {
    res.json(answer(req.user as { id: string; name: string; email: string | null }));
  });
  app.use(auth.errorHandler());
  serve(server, app);
  await someoneLoggedOut(url);
  return loggedIn(url, store, kind === 'redis');
}

/**
 * The provider's `/api/user` for the logged-in user, every request: through a hand-written
 * `auth.api()` route (`api`), or through `auth.apiProxy()` (`proxy`). Both take the same token
 * path and make one provider call per request; the difference is the proxy's own work.
 */
async function providerCall(kind: 'api' | 'proxy'): Promise<Omit<Target, 'pid'>> {
  const { app, auth, server, url, store } = await packageApp(`provider-${kind}`, 'memory');
  if (kind === 'proxy') app.use('/bff', auth.apiProxy({ allow: [{ method: 'GET', path: '/api/user' }] }));
  app.get('/route', auth.requireUser(), (req, res, next) => {
    auth.api(req, { path: '/api/user' }).then((user) => res.json(user), next);
  });
  app.use(auth.errorHandler());
  serve(server, app);
  const target = await loggedIn(url, store, false);
  return kind === 'proxy' ? { ...target, url: `${url}/bff/api/user`, headers: { 'x-csrf': '1' } } : target;
}

async function bare(): Promise<Omit<Target, 'pid'>> {
  const app = express();
  app.get('/route', (_req, res) => void res.json(answer({ id: '1', name: 'Test User', email: 'test@example.com' })));
  const { server, url } = await listen();
  serve(server, app);
  return { url: `${url}/route`, cookie: '', sessionBytes: 0, tokenBytes: 0 };
}

/** The apps, by the row names of run.ts. */
const rows: Record<string, () => Promise<Omit<Target, 'pid'>>> = {
  bare,
  baselineMemory: () => baseline('memory'),
  packageMemory: () => withPackage('memory'),
  baselineRedis: () => baseline('redis'),
  packageRedis: () => withPackage('redis'),
  apiRoute: () => providerCall('api'),
  proxy: () => providerCall('proxy'),
};
const start = rows[String(process.env.BENCH_ROW)];
if (!start) throw new Error(`BENCH_ROW must be one of ${Object.keys(rows).join(', ')}`);
console.log(`READY ${JSON.stringify({ ...(await start()), pid: process.pid })}`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
