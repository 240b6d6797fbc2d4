import createDebug from 'debug';
import { format } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, TestBrowser, type TestApp } from 'passport-synergyflow/testing';
import { buildApp, pageText, type Wiring } from './wiring.js';

// A new user's first mistakes must stop the login before the provider is involved, with a
// message that names the line to fix: no consent screen, no authorization code redeemed.
let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

async function start(wiring: Wiring, loginPath?: string): Promise<TestApp> {
  testApp = await startTestApp((options) => buildApp(options, wiring), loginPath ? { loginPath } : {});
  return testApp;
}

/** Opens the login route as a browser would; resolves with the page it ends on. */
async function openLogin(app: TestApp, path = '/auth/login', headers: Record<string, string> = {}) {
  const browser = new TestBrowser();
  const page = await browser.request(`${app.url}${path}`, { headers });
  return { page, text: pageText(page.text), browser };
}

function expectProviderUntouched(app: TestApp): void {
  expect(app.emulator.counters.authorize).toBe(0);
  expect(app.emulator.counters.authorizationCodeGrants).toBe(0);
}

describe('forgetting app.use(passport.session())', () => {
  it('is a 500 at the first /login naming the missing line, before any consent or code', async () => {
    const app = await start({ passportSession: false });
    const { page, text, browser } = await openLogin(app);
    expect(page.status).toBe(500);
    expect(text).toContain('passport.session() did not run before this route');
    expect(text).toContain('add app.use(passport.session()) right after app.use(passport.initialize())');
    expect(browser.history).toHaveLength(1); // no redirect loop
    expectProviderUntouched(app);
  });

  it('is caught when passport.session() is mounted after the auth routes', async () => {
    const app = await start({ passportSession: 'after-routes' });
    const { page, text } = await openLogin(app);
    expect(page.status).toBe(500);
    expect(text).toContain('app.use(passport.session())');
    expectProviderUntouched(app);
  });

  it('is caught by requireUser after one login when the Passport instance cannot be watched', async () => {
    const app = await start({ passportSession: false, opaquePassport: true });
    const { page, text, browser } = await openLogin(app, '/auth/login?returnTo=%2Fdashboard');
    expect(page.url).toBe(`${app.url}/dashboard`);
    expect(page.status).toBe(500);
    expect(text).toContain('passport.session() did not run');
    expect(app.emulator.counters.authorizationCodeGrants).toBe(1); // one login, no loop
    expect(browser.history.filter((hop) => hop.url.includes('/auth/login'))).toHaveLength(1);
  });

  it('leaves a correctly wired app, watched or not, logging in as before', async () => {
    for (const opaquePassport of [false, true]) {
      const app = await start({ opaquePassport });
      const { cookie } = await app.login({ returnTo: '/dashboard' });
      expect(cookie).toMatch(/connect\.sid=/);
      await app.close();
      testApp = undefined;
    }
  });
});

describe('cookie.secure: true on http://localhost', () => {
  it('is a 500 at /login that says the Secure cookie would be dropped over http', async () => {
    const app = await start({ cookieSecure: true });
    const { page, text } = await openLogin(app);
    expect(page.status).toBe(500);
    expect(text).toContain('secure: true but this request came over plain http');
    expect(text).toContain("use cookie: { secure: 'auto' }");
    expect(text).toContain("app.set('trust proxy', 1)");
    expectProviderUntouched(app);
  });

  it("logs in with secure: 'auto' on http, and lets https behind a trusted proxy start the login", async () => {
    const auto = await start({ cookieSecure: 'auto' });
    await auto.login();
    await auto.close();
    const proxied = await start({ cookieSecure: true, trustProxy: true });
    const browser = new TestBrowser();
    const login = await browser.request(`${proxied.url}/auth/login`, {
      headers: { 'x-forwarded-proto': 'https' },
      follow: false,
    });
    expect(login.status).toBe(302);
    expect(login.location?.startsWith(proxied.emulator.url)).toBe(true);
    expect(login.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('explains an unknown_state callback that carried no cookie in the debug log', async () => {
    const lines: string[] = [];
    const previousLog = createDebug.log;
    const previous = createDebug.disable();
    createDebug.enable('passport-synergyflow:callback');
    createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
    try {
      // express-session trusts no proxy here, so it drops the Secure cookie; the header hides that from /login.
      const app = await start({ cookieSecure: true });
      const browser = new TestBrowser({ accept: 'text/html', 'x-forwarded-proto': 'https' });
      const end = await browser.request(`${app.url}/auth/login`);
      expect(end.status).toBe(400);
      expect(lines.join('\n')).toContain('unknown state: the callback carried no cookie');
    } finally {
      createDebug.log = previousLog;
      createDebug.enable(previous);
    }
  });
});

describe('routers mounted where callbackURL does not point', () => {
  it('is a 500 at /login naming the expected mount path, before any consent', async () => {
    const app = await start({ mount: '/oauth' });
    const { page, text } = await openLogin(app, '/oauth/login');
    expect(page.status).toBe(500);
    expect(text).toContain('the login router is mounted at "/oauth"');
    expect(text).toContain('sends the user back to "/auth/callback"');
    expect(text).toContain("app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter())");
    expectProviderUntouched(app);
  });

  it('catches routers mounted at the root', async () => {
    const app = await start({ mount: '/' });
    const { page, text } = await openLogin(app, '/login');
    expect(page.status).toBe(500);
    expect(text).toContain('mounted at "/", so the callback route answers at "/callback"');
    expectProviderUntouched(app);
  });

  it('accepts a login router mounted alone at loginURL', async () => {
    const app = await start({ splitLogin: true, auth: { loginURL: '/login' } }, '/login');
    await app.login();
    expect(app.emulator.counters.authorizationCodeGrants).toBe(1);
  });
});
