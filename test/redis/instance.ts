// One app instance of the several-instances tests: Express + express-session on connect-redis +
// the package with RedisTokenStore and RedisRefreshLock. Started as a child process; prints its
// URL on stdout. Configuration comes from the environment the test sets.
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { createClient } from 'redis';
import { RedisRefreshLock, RedisTokenStore, synergyFlow } from '../../src/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`instance.ts: ${name} is not set`);
  return value;
};

const redis = createClient({ url: env('REDIS_URL') });
await redis.connect();
const auth = synergyFlow({
  clientID: env('CLIENT_ID'),
  clientSecret: env('CLIENT_SECRET'),
  callbackURL: env('CALLBACK_URL'),
  baseURL: env('PROVIDER_URL'),
  profileTtlSeconds: Number(process.env.PROFILE_TTL ?? 300),
  // SESSION_TOKENS=1 keeps tokens in the session blob (the default SessionTokenStore).
  ...(process.env.SESSION_TOKENS
    ? {}
    : { tokenStore: new RedisTokenStore({ client: redis, encryptionKeys: [env('TOKEN_KEY')] }) }),
  ...(process.env.NO_LOCK ? {} : { refreshLock: new RedisRefreshLock({ client: redis }) }),
});
const app = express();
app.use(
  session({
    store: new RedisStore({ client: redis }),
    secret: 'shared-session-secret',
    name: 'sid',
    resave: false,
    saveUninitialized: false,
  }),
);
const passport = new Passport();
app.use(passport.initialize());
app.use(passport.session());
auth.use(passport);
app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
app.get('/', (_req, res) => res.type('text/plain').send('home'));
app.get('/dashboard', auth.requireUser(), (req, res) =>
  res.json({ instance: process.env.INSTANCE, user: req.synergyflow?.profile?.name }),
);
// Trusts req.user as many apps do, without requireUser().
app.get('/whoami', (req, res) => res.json({ instance: process.env.INSTANCE, user: req.user?.name ?? null }));
app.get('/slow', auth.requireUser(), (req, res) => {
  setTimeout(
    () => {
      (req.session as unknown as Record<string, unknown>).touched = Date.now();
      res.json({ instance: process.env.INSTANCE });
    },
    Number(req.query.ms ?? 1500),
  );
});
app.use(auth.errorHandler());
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void redis.quit().finally(() => process.exit(0)));
});
