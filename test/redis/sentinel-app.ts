// The app of test/redis/sentinel.test.ts, in the test process: the README's Sentinel recipe (the
// code between the two "README: sentinel" lines, which the test finds verbatim in the README)
// with the quick start's routes around it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { createSentinel } from 'redis';
import { guardSessionStore, RedisCoordinator, RedisTokenStore, synergyFlow } from 'passport-synergyflow';
import type { SynergyFlowEmulator } from 'passport-synergyflow/testing';

/** The app, listening on 127.0.0.1. */
export interface SentinelApp {
  url: string;
  /** Errors that errorHandler() passed on to Express (a 500, or a destroyed connection). */
  passedOn: unknown[];
  /** Closes the server and the Sentinel client. */
  close(): Promise<void>;
}

/** Registers a client at `emulator` and starts the README's Sentinel setup against `sentinels`. */
export async function startSentinelApp(
  sentinels: Array<{ host: string; port: number }>,
  emulator: SynergyFlowEmulator,
): Promise<SentinelApp> {
  const app = express();
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator.registerClient({
    clientID: 'sentinel-app',
    clientSecret: 'sentinel-secret',
    redirectURIs: [`${url}/auth/callback`],
  });
  process.env.TOKEN_KEY ??= 'e'.repeat(64);
  const options = {
    clientID: 'sentinel-app',
    clientSecret: 'sentinel-secret',
    callbackURL: `${url}/auth/callback`,
    baseURL: emulator.url,
    timeoutSeconds: 2,
  };
  const secret = 'sentinel-session-secret';

  // README: sentinel (begin)
  const redis = createSentinel({ name: 'mymaster', sentinelRootNodes: sentinels });
  // Without an 'error' listener a lost master kills the process; with one, the client rediscovers
  // it. (The Sentinel client also emits plain strings, hence String().)
  redis.on('error', (error: unknown) => console.error(`redis: ${String(error)}`));
  // Not awaited: the app listens at once and answers 503 until a master is reachable.
  redis.connect().catch((error: unknown) => console.error(`redis: ${String(error)}`));
  const auth = synergyFlow({
    ...options, // clientID, clientSecret, callbackURL, timeoutSeconds, hooks…
    tokenStore: new RedisTokenStore({ client: redis, encryptionKeys: [process.env.TOKEN_KEY!] }), // 32 bytes, hex
    coordinator: new RedisCoordinator({ client: redis, lockTtlSeconds: options.timeoutSeconds + 5 }),
  });
  // Each session-store call answers within 1 s, or the request gets 503 store_unavailable.
  const store = guardSessionStore(new RedisStore({ client: redis }), { timeoutSeconds: 1 });
  app.use(session({ store, secret, resave: false, saveUninitialized: false }));
  // README: sentinel (end)

  const passport = new Passport();
  app.use(passport.initialize());
  app.use(passport.session());
  auth.use(passport);
  app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  app.get('/', (_req, res) => res.type('text/plain').send('home'));
  app.get('/dashboard', auth.requireUser(), (req, res, next) => {
    req.synergyflow
      ?.token()
      .then(({ expiresAt }) => res.json({ user: req.synergyflow?.profile?.name, expiresAt }), next);
  });
  app.use(auth.errorHandler());
  const passedOn: unknown[] = [];
  app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    passedOn.push(error);
    next(error);
  });
  return {
    url,
    passedOn,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close(2_000);
      await redis.destroy().catch(() => undefined);
    },
  };
}
