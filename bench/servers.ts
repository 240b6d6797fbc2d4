// The benchmark's servers, in their own process so the load generator does not share their
// event loop. Starts the emulator and four apps, logs each in, and prints their URLs and cookies.
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import express, { type Express } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { createClient } from 'redis';
import { RedisTokenStore, synergyFlow } from '../src/index.js';
import { startSynergyFlowEmulator, TestBrowser } from '../src/testing/index.js';

const emulator = await startSynergyFlowEmulator({ autoApprove: true, rateLimit: 1_000_000_000 });
const redis = createClient({ url: String(process.env.REDIS_URL) });
await redis.connect();

async function listen(app: Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const hello = (_req: express.Request, res: express.Response) => void res.json({ hello: 'world' });

// 1. The ceiling: a bare route.
const bare = express();
bare.get('/route', hello);

// 2. What the app pays without this package: express-session (memory) + passport, logged in.
const plain = express();
plain.use(session({ secret: 'bench', resave: false, saveUninitialized: false }));
const plainPassport = new Passport();
plainPassport.serializeUser((user, done) => done(null, (user as { id: string }).id));
plainPassport.deserializeUser((id: string, done) => done(null, { id } as Express.User));
plain.use(plainPassport.initialize());
plain.use(plainPassport.session());
plain.get('/login', (req, res, next) =>
  req.logIn({ id: '1' } as Express.User, (err) => (err ? next(err) : res.send('ok'))),
);
plain.get('/route', (req, res) => (req.isAuthenticated() ? hello(req, res) : res.status(401).end()));

// 3 and 4. requireUser, sessions and tokens in memory, then both in Redis (tokens encrypted).
async function withPackage(store: 'memory' | 'redis'): Promise<{ url: string; cookie: string }> {
  const app = express();
  const url = await listen(app);
  const callbackURL = `${url}/auth/callback`;
  emulator.registerClient({ clientID: `bench-${store}`, clientSecret: 'bench-secret', redirectURIs: [callbackURL] });
  const auth = synergyFlow({
    clientID: `bench-${store}`,
    clientSecret: 'bench-secret',
    callbackURL,
    baseURL: emulator.url,
    ...(store === 'redis'
      ? { tokenStore: new RedisTokenStore({ client: redis, encryptionKeys: ['c'.repeat(64)] }) }
      : {}),
  });
  app.use(
    session({
      secret: 'bench',
      resave: false,
      saveUninitialized: false,
      ...(store === 'redis' ? { store: new RedisStore({ client: redis }) } : {}),
    }),
  );
  const passport = new Passport();
  app.use(passport.initialize());
  app.use(passport.session());
  auth.use(passport);
  app.use('/auth', auth.loginRouter(), auth.callbackRouter());
  app.get('/', (_req, res) => void res.send('home'));
  app.get('/route', auth.requireUser(), hello);
  app.use(auth.errorHandler());
  const browser = new TestBrowser();
  await browser.request(`${url}/auth/login`);
  return { url: `${url}/route`, cookie: browser.cookieHeader(url) };
}

const bareURL = `${await listen(bare)}/route`;
const plainBase = await listen(plain);
const plainBrowser = new TestBrowser();
await plainBrowser.request(`${plainBase}/login`);
const memory = await withPackage('memory');
const redisRow = await withPackage('redis');
console.log(
  `READY ${JSON.stringify({
    bare: { url: bareURL, cookie: '' },
    plain: { url: `${plainBase}/route`, cookie: plainBrowser.cookieHeader(plainBase) },
    memory,
    redis: redisRow,
  })}`,
);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
