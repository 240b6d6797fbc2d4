// An existing Passport app with its own id-only serializers and passport-local adds the README's
// quick start, registering the package before or after its own serializers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session, { MemoryStore } from 'express-session';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { afterEach, describe, expect, it } from 'vitest';
import { synergyFlow, type LoginVerify } from 'passport-synergyflow';
import { startSynergyFlowEmulator, TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';

interface AppUser {
  id: string;
  name: string;
  password?: string;
  sfId?: string;
}

interface ExistingApp {
  url: string;
  users: Map<string, AppUser>;
  emulator: SynergyFlowEmulator;
  store: MemoryStore;
  close(): Promise<void>;
}

type Order = 'app serializers first' | 'package first';
const json = { accept: 'application/json' };
let running: ExistingApp | undefined;
afterEach(async () => running?.close());

/** verify: link the SynergyFlow account to the local user logged in, or find or create one. */
function linkingVerify(users: Map<string, AppUser>): LoginVerify<AppUser> {
  return (profile, _tokens, req) => {
    const current = req.user as AppUser | undefined;
    if (current && users.has(current.id)) return Object.assign(current, { sfId: profile.id });
    const linked = [...users.values()].find((user) => user.sfId === profile.id);
    if (linked) return linked;
    const created = { id: `u${users.size + 1}`, name: profile.name, sfId: profile.id };
    users.set(created.id, created);
    return created;
  };
}

async function startExistingApp(order: Order, options: { verify?: boolean } = {}): Promise<ExistingApp> {
  const emulator = await startSynergyFlowEmulator({ autoApprove: true });
  const users = new Map<string, AppUser>([['u1', { id: 'u1', name: 'Local Alice', password: 'pw' }]]);
  const app = express();
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator.registerClient({ clientID: 'app', clientSecret: 'secret', redirectURIs: [`${url}/auth/callback`] });
  const auth = synergyFlow({
    clientID: 'app',
    clientSecret: 'secret',
    callbackURL: `${url}/auth/callback`,
    baseURL: emulator.url,
    ...(options.verify === false ? {} : { verify: linkingVerify(users) }),
  });
  const store = new MemoryStore();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'existing-app', resave: false, saveUninitialized: false, store }));
  const passport = new Passport();
  app.use(passport.initialize());
  app.use(passport.session());
  passport.use(
    new LocalStrategy((username, password, done) => {
      const user = users.get(username);
      done(null, user?.password === password ? user : false);
    }),
  );
  // The app's own serializers: an id in the session, the user loaded from its "database".
  const ownSerializers = (): void => {
    passport.serializeUser((user: Express.User, done) => done(null, (user as AppUser).id));
    passport.deserializeUser((id: string, done: (error: unknown, user?: AppUser | false) => void) =>
      done(null, users.get(id) ?? false),
    );
  };
  if (order === 'app serializers first') {
    ownSerializers();
    auth.use(passport);
  } else {
    auth.use(passport);
    ownSerializers();
  }
  app.post('/local-login', passport.authenticate('local'), (_req, res) => void res.json({ ok: true }));
  app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  app.get('/', (_req, res) => void res.type('text/plain').send('home'));
  app.get('/whoami', (req, res) => void res.json({ user: req.user ?? null }));
  app.get('/dashboard', auth.requireUser(), (req, res) => {
    res.json({ user: req.user, profile: req.synergyflow?.profile?.id });
  });
  app.use(auth.errorHandler());
  return {
    url,
    users,
    emulator,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
}

function storedSessions(store: MemoryStore): Array<Record<string, unknown>> {
  const sessions = (store as unknown as { sessions: Record<string, string> }).sessions;
  return Object.values(sessions).map((text) => JSON.parse(text) as Record<string, unknown>);
}

describe('an existing Passport app with its own id-only serializers', () => {
  for (const order of ['app serializers first', 'package first'] as const) {
    describe(order, () => {
      it('a SynergyFlow login reaches requireUser() as the app user; deleting that user ends the login', async () => {
        const app = (running = await startExistingApp(order));
        const browser = new TestBrowser(json);
        expect((await browser.request(`${app.url}/auth/login`)).status).toBe(200);
        const page = await browser.request(`${app.url}/dashboard`);
        expect(page.status, page.text).toBe(200);
        expect(JSON.parse(page.text)).toEqual({ user: { id: 'u2', name: 'Test User', sfId: '1' }, profile: '1' });
        expect(app.emulator.counters.authorizationCodeGrants).toBe(1); // no loop
        // Passport's entry holds the app's id: the app's deserializeUser decides req.user.
        expect(storedSessions(app.store).map((data) => data.passport)).toEqual([{ user: 'u2' }]);

        app.users.delete('u2');
        const gone = await browser.request(`${app.url}/dashboard`);
        expect(gone.status).toBe(401);
        expect(JSON.parse(gone.text)).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'user_not_found' } });
        // Logged out, tokens and all: nothing of the login is left in the session.
        expect(storedSessions(app.store).map((data) => data.synergyflow ?? null)).toEqual([null]);
        expect((await browser.request(`${app.url}/dashboard`)).status).toBe(401);
      });

      it('a local user links the SynergyFlow account in verify, and logout ends the login', async () => {
        const app = (running = await startExistingApp(order));
        const browser = new TestBrowser(json);
        const local = await browser.request(`${app.url}/local-login`, { form: { username: 'u1', password: 'pw' } });
        expect(local.status).toBe(200);
        const before = JSON.parse((await browser.request(`${app.url}/dashboard`)).text);
        expect(before).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'other_login' } });
        expect((await browser.request(`${app.url}/auth/login`)).status).toBe(200);
        const linked = await browser.request(`${app.url}/dashboard`);
        expect(linked.status, linked.text).toBe(200);
        expect(JSON.parse(linked.text)).toMatchObject({ user: { id: 'u1', name: 'Local Alice', sfId: '1' } });
        expect(app.users.size).toBe(1);
        const logout = await browser.request(`${app.url}/auth/logout`, { form: {}, follow: false });
        expect(logout.status).toBe(204);
        expect(JSON.parse((await browser.request(`${app.url}/whoami`)).text)).toEqual({ user: null });
        expect((await browser.request(`${app.url}/dashboard`)).status).toBe(401);
      });

      it('without verify, the app serializing the profile is a SetupError at the first login, never a loop', async () => {
        const app = (running = await startExistingApp(order, { verify: false }));
        const browser = new TestBrowser(json);
        const end = await browser.request(`${app.url}/auth/login`);
        expect(end.status).toBe(500);
        expect(end.text).toContain('pass a verify function to synergyFlow()');
        expect(app.emulator.counters.authorizationCodeGrants).toBe(1);
        expect(JSON.parse((await browser.request(`${app.url}/whoami`)).text)).toEqual({ user: null });
      });
    });
  }
});
