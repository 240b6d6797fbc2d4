// One app instance of the several-instances and fault tests, started as a child process; prints
// its URL on stdout. Configuration comes from the environment the test sets. The code between
// each pair of "README" lines is, character for character, the code of the README's "Running
// several instances" section: test/faults/readme.test.ts checks it.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { createClient } from 'redis';
import * as pkg from '../../src/index.js';
import { guardSessionStore, synergyFlow, type HookEvent } from '../../src/index.js';
import { redisKeyValue, ThirdPartyTokenStore } from '../helpers/third-party-store.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`instance.ts: ${name} is not set`);
  return value;
};

/** Hook outcomes, counted for `GET /stats` (`refresh:success`, `stale:provider_error`, `store:kept`…). */
const stats: Record<string, number> = {};
const count =
  (name: string) =>
  ({ outcome }: HookEvent): void => {
    stats[`${name}:${outcome}`] = (stats[`${name}:${outcome}`] ?? 0) + 1;
  };

const options = {
  clientID: env('CLIENT_ID'),
  clientSecret: env('CLIENT_SECRET'),
  callbackURL: env('CALLBACK_URL'),
  baseURL: env('PROVIDER_URL'),
  profileTtlSeconds: Number(process.env.PROFILE_TTL ?? 300),
  timeoutSeconds: Number(process.env.TIMEOUT_SECONDS ?? 10),
  requestTimeoutSeconds: Number(process.env.REQUEST_TIMEOUT_SECONDS ?? 15),
  ...(process.env.IDLE_TIMEOUT ? { idleTimeoutSeconds: Number(process.env.IDLE_TIMEOUT) } : {}),
  ...(process.env.ABSOLUTE_TIMEOUT ? { absoluteTimeoutSeconds: Number(process.env.ABSOLUTE_TIMEOUT) } : {}),
  hooks: {
    onRefresh: count('refresh'),
    onRefreshFailed: count('refreshFailed'),
    onStaleTokenServed: count('stale'),
    onTokenStoreFailed: count('store'),
  },
};

/**
 * A lock every process holds at once, and no rotation marks: NO_LOCK tests the last defence
 * against a rotation race (re-reading the store after a refused refresh) with the two before it
 * (the lock, and the mark that outlives it) switched off.
 */
class NoLock extends pkg.RedisCoordinator {
  override async acquire(): Promise<() => Promise<void>> {
    return async () => undefined;
  }
  override async note(key: string, value: string, ttlMs: number): Promise<void> {
    if (!key.startsWith('rotating:')) await super.note(key, value, ttlMs);
  }
}
const RedisCoordinator = process.env.NO_LOCK ? NoLock : pkg.RedisCoordinator;

/** SESSION_TOKENS=1 keeps tokens in the session blob (the default SessionTokenStore) instead. */
class SessionTokens extends pkg.SessionTokenStore {
  constructor(_options: unknown) {
    super();
  }
}
/** THIRD_PARTY_TOKENS=1: a token store written against the documented interface, in Redis. */
class ThirdPartyTokens extends ThirdPartyTokenStore {
  constructor(options: { client: Parameters<typeof redisKeyValue>[0] }) {
    super(redisKeyValue(options.client));
  }
}
const RedisTokenStore = process.env.SESSION_TOKENS
  ? SessionTokens
  : process.env.THIRD_PARTY_TOKENS
    ? ThirdPartyTokens
    : pkg.RedisTokenStore;

const secret = 'shared-session-secret';
const port = Number(process.env.PORT ?? 3000);
const app = express();

// X-Handled-Ms: how long this process worked on a request, from its first middleware to its
// answer's headers. The fault tests hold requestTimeoutSeconds against it: the client's own
// figure also counts the time a busy machine kept the request waiting before this process saw it.
app.use((_req, res, next) => {
  const started = performance.now();
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
  res.writeHead = ((...args: unknown[]) => {
    res.setHeader('x-handled-ms', String(Math.round(performance.now() - started)));
    return writeHead(...args);
  }) as typeof res.writeHead;
  next();
});

// README: several instances, setup (begin)
const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://localhost:6379' });
// Without an 'error' listener a lost connection kills the process; with one, the client reconnects.
redis.on('error', (error: Error) => console.error(`redis: ${error.message}`));
// Not awaited: the app listens at once and answers 503 until Redis is reachable.
redis.connect().catch((error: Error) => console.error(`redis: ${error.message}`));
const auth = synergyFlow({
  ...options, // clientID, clientSecret, callbackURL, timeoutSeconds, hooks…
  tokenStore: new RedisTokenStore({ client: redis, encryptionKeys: [process.env.TOKEN_KEY!] }), // 32 bytes, hex
  // Locks and notes the instances share; a lock's lease outlives a refresh (timeoutSeconds).
  coordinator: new RedisCoordinator({ client: redis, lockTtlSeconds: options.timeoutSeconds + 5 }),
});
// Each session-store call answers within 1 s, or the request gets 503 store_unavailable.
const store = guardSessionStore(new RedisStore({ client: redis }), { timeoutSeconds: 1 });
app.use(session({ store, secret, resave: false, saveUninitialized: false }));
// README: several instances, setup (end)

const passport = new Passport();
app.use(passport.initialize());
app.use(passport.session());
auth.use(passport);
app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
app.get('/', (_req, res) => res.type('text/plain').send('home'));
app.get('/stats', (_req, res) => res.json(stats));
// expiresAt: when the access token this request was served with expires (the fault tests check
// a provider outage against it).
app.get('/dashboard', auth.requireUser(), (req, res, next) => {
  req.synergyflow
    ?.token()
    .then(
      ({ expiresAt }) => res.json({ instance: process.env.INSTANCE, user: req.synergyflow?.profile?.name, expiresAt }),
      next,
    );
});
// Trusts req.user as many apps do, without requireUser().
app.get('/whoami', (req, res) => res.json({ instance: process.env.INSTANCE, user: req.user?.name ?? null }));
// How many /slow requests got past requireUser(): a test waits for it before what must come after.
let slowStarted = 0;
app.get('/slow-started', (_req, res) => res.json({ count: slowStarted }));
app.get('/slow', auth.requireUser(), (req, res) => {
  slowStarted += 1;
  setTimeout(
    () => {
      (req.session as unknown as Record<string, unknown>).touched = Date.now();
      res.json({ instance: process.env.INSTANCE });
    },
    Number(req.query.ms ?? 1500),
  );
});
// "Sign out of all devices" for the user of the request, and the same for admin code by user id.
app.post('/sign-out-everywhere', (req, res, next) => {
  auth.logoutEverywhere(req).then((ended) => res.json({ ended }), next);
});
app.post('/admin/sign-out/:user', (req, res, next) => {
  auth.logoutEverywhere(String(req.params.user)).then((ended) => res.json({ ended }), next);
});
// A "last seen" stamp on any request, as many apps have: loads the session, writes it back.
app.get('/stamp', (req, res) => {
  setTimeout(
    () => {
      (req.session as unknown as Record<string, unknown>).lastSeen = Date.now();
      res.json({ instance: process.env.INSTANCE, user: req.user ? 'someone' : null });
    },
    Number(req.query.ms ?? 0),
  );
});
app.use(auth.errorHandler());

// README: several instances, shutdown (begin)
const server = app.listen(port);
process.once('SIGTERM', async () => {
  // New refreshes answer 503; those in flight finish and their tokens are stored (10 s at most).
  const unsaved = await auth.close();
  if (unsaved > 0) console.error(`${unsaved} refreshed token sets could not be stored`);
  server.close(() => void redis.quit().finally(() => process.exit(0)));
});
// README: several instances, shutdown (end)

server.on('listening', () => console.log(`LISTENING http://127.0.0.1:${port}`));
