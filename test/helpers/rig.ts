import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import session, { MemoryStore } from 'express-session';
import { Passport } from 'passport';
import { synergyFlow, type SynergyFlowAuth, type SynergyFlowOptions } from 'passport-synergyflow';
import {
  FakeClock,
  startSynergyFlowEmulator,
  TestBrowser,
  type EmulatorOptions,
  type SynergyFlowEmulator,
} from 'passport-synergyflow/testing';

export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'test-secret: with % and + and ünïcode';

/** A running app wired exactly as the README's quick start, against a running emulator. */
export interface Rig {
  emulator: SynergyFlowEmulator;
  app: Express;
  server: Server;
  url: string;
  auth: SynergyFlowAuth;
  store: MemoryStore;
  /** The app's Passport instance (for tests that add their own strategies or serializers). */
  passport: InstanceType<typeof Passport>;
  /** The clock app and emulator share, when the rig was started with `clock: true`. */
  clock: FakeClock | undefined;
  browser(): TestBrowser;
  /** Logs a fresh browser in through consent (auto-approved) and returns it. */
  login(browser?: TestBrowser, returnTo?: string): Promise<TestBrowser>;
  /** Number of sessions in the store. */
  sessionCount(): number;
  close(): Promise<void>;
}

export interface RigOptions {
  auth?: Partial<SynergyFlowOptions>;
  emulator?: EmulatorOptions;
  /** Adds routes before the error handler. */
  routes?(app: Express, auth: SynergyFlowAuth): void;
  session?: Partial<session.SessionOptions>;
  /** Run app and emulator on one fake clock (`rig.clock.advance(seconds)`) instead of real time. */
  clock?: boolean;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const clock = options.clock ? new FakeClock() : undefined;
  const emulator = await startSynergyFlowEmulator({
    autoApprove: true,
    ...(clock ? { clock: clock.now } : {}),
    ...options.emulator,
  });
  const app = express();
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const callbackURL = `${url}/auth/callback`;
  emulator.registerClient({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectURIs: [callbackURL] });
  const auth = synergyFlow({
    clientID: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    callbackURL,
    baseURL: emulator.url,
    ...(clock ? { clock: clock.now } : {}),
    ...options.auth,
  });
  const store = new MemoryStore();
  app.use(
    session({
      secret: 'rig-session-secret',
      resave: false,
      saveUninitialized: false,
      name: 'sid',
      cookie: { httpOnly: true, sameSite: 'lax' },
      store,
      ...options.session,
    }),
  );
  const passport = new Passport();
  app.use(passport.initialize());
  app.use(passport.session());
  auth.use(passport);
  app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  app.get('/', (_req, res) => {
    res.type('text/plain').send('home');
  });
  app.get('/dashboard', auth.requireUser(), (req, res, next) => {
    req.synergyflow?.token().then((token) => res.json({ user: req.user, expiresAt: token.expiresAt }), next);
  });
  options.routes?.(app, auth);
  app.use(auth.errorHandler());
  const rig: Rig = {
    emulator,
    app,
    server,
    url,
    auth,
    store,
    passport,
    clock,
    browser: () => new TestBrowser(),
    async login(browser = new TestBrowser(), returnTo?: string) {
      const query = returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
      const end = await browser.request(`${url}/auth/login${query}`);
      if (end.status !== 200)
        throw new Error(`login ended with ${end.status} at ${end.url}: ${end.text.slice(0, 200)}`);
      return browser;
    },
    sessionCount() {
      return Object.keys((store as unknown as { sessions: Record<string, string> }).sessions).length;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
  return rig;
}
