import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSynergyFlowEmulator, type EmulatorOptions, type SynergyFlowEmulator } from './emulator.js';
import type { FakeClock } from './fake-clock.js';
import { TestBrowser } from './test-browser.js';

/** The options the app under test gives `synergyFlow()`: spread them in (`synergyFlow({ ...options })`). */
export interface TestAppAuthOptions {
  clientID: string;
  clientSecret: string;
  /** The app's own callback URL on its test port, registered at the emulator. */
  callbackURL: string;
  /** The emulator's URL. */
  baseURL: string;
  /** The shared fake clock, when {@link startTestApp} was given one. */
  clock?: () => number;
}

/** What else the app builder may want: where it will be reached, and the emulator. */
export interface TestAppContext {
  /** The app's URL, for example `http://127.0.0.1:41234`. */
  url: string;
  emulator: SynergyFlowEmulator;
}

/** An Express app, or any Node request listener. */
export type TestRequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Options of {@link startTestApp}; every one has a default. */
export interface StartTestAppOptions {
  /** Emulator options; `autoApprove` defaults to true here. */
  emulator?: EmulatorOptions;
  /** Path of the callback route in the app. Default `/auth/callback`. */
  callbackPath?: string;
  /** Path of the login route in the app. Default `/auth/login`. */
  loginPath?: string;
  /** Path of the logout route in the app. Default `/auth/logout`. */
  logoutPath?: string;
  /** Runs the app's `synergyFlow()` and the emulator on this clock (`clock.advance(seconds)`). */
  clock?: FakeClock;
  /** Default `test-client`. */
  clientID?: string;
  /** Default `test-secret`. */
  clientSecret?: string;
}

/** A logged-in browser, and its cookies for the app (for `supertest`'s `.set('Cookie', cookie)`). */
export interface TestLogin {
  browser: TestBrowser;
  cookie: string;
}

/** How a logout through {@link TestApp.logout} was answered. */
export interface TestLogout {
  /** 303 (to `logoutRedirect`) for a browser, 204 for a script client. */
  status: number;
  /** Where a browser is sent next, when the answer is a redirect. */
  location: string | undefined;
}

/** The running app and emulator. */
export interface TestApp {
  /** The app's URL: `request(testApp.url)` with supertest. */
  url: string;
  server: Server;
  emulator: SynergyFlowEmulator;
  /** The options the app was built with. */
  authOptions: TestAppAuthOptions;
  /**
   * Logs a browser in through the login route and the emulator's consent (approved), and
   * checks that the callback succeeded. `returnTo` is passed to the login route.
   */
  login(options?: { returnTo?: string; browser?: TestBrowser }): Promise<TestLogin>;
  /**
   * Logs out as a form on the app's own page would: `POST` to the logout route with the app's
   * `Origin` (the route refuses cross-site requests with 403 `SF_CROSS_SITE_REQUEST`). Takes
   * what `login()` returned (its browser keeps the new cookies) or a cookie header, and throws,
   * with the answer, when the logout was refused.
   */
  logout(login: TestLogin | string): Promise<TestLogout>;
  /** Stops the app and the emulator, cutting open connections. */
  close(): Promise<void>;
}

/**
 * Starts the emulator and the app under test on an ephemeral port of 127.0.0.1. The port is
 * taken first, so the callback URL is known before the app is built; the client is registered
 * at the emulator with it, then `build` receives the options to spread into `synergyFlow()`.
 *
 * @example
 * const testApp = await startTestApp((options) => createApp(options));
 * const { cookie } = await testApp.login();
 * await request(testApp.url).get('/api/me').set('Cookie', cookie).expect(200);
 * await testApp.close();
 */
export async function startTestApp(
  build: (options: TestAppAuthOptions, context: TestAppContext) => TestRequestListener | Promise<TestRequestListener>,
  options: StartTestAppOptions = {},
): Promise<TestApp> {
  const { clock, callbackPath = '/auth/callback', loginPath = '/auth/login', logoutPath = '/auth/logout' } = options;
  const emulator = await startSynergyFlowEmulator({
    autoApprove: true,
    ...(clock ? { clock: clock.now } : {}),
    ...options.emulator,
  });
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const authOptions: TestAppAuthOptions = {
      clientID: options.clientID ?? 'test-client',
      clientSecret: options.clientSecret ?? 'test-secret',
      callbackURL: `${url}${callbackPath}`,
      baseURL: emulator.url,
      ...(clock ? { clock: clock.now } : {}),
    };
    emulator.registerClient({
      clientID: authOptions.clientID,
      clientSecret: authOptions.clientSecret,
      redirectURIs: [authOptions.callbackURL],
    });
    const app = await build(authOptions, { url, emulator });
    server.on('request', app);
    return {
      url,
      server,
      emulator,
      authOptions,
      login: ({ returnTo, browser = new TestBrowser() } = {}) =>
        logIn(browser, `${url}${loginPath}${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`, {
          url,
          emulator,
          callbackPath,
        }),
      logout: (login) => logOut(login, `${url}${logoutPath}`),
      close: () => stop(server, emulator),
    };
  } catch (error) {
    await stop(server, emulator);
    throw error;
  }
}

async function logIn(
  browser: TestBrowser,
  loginURL: string,
  where: { url: string; emulator: SynergyFlowEmulator; callbackPath: string },
): Promise<TestLogin> {
  const first = browser.history.length;
  const page = await browser.request(loginURL);
  if (page.url.startsWith(where.emulator.url) && page.text.includes('name="decision"')) {
    await browser.submitConsent(page, 'approve');
  }
  const callback = browser.history.slice(first).find((hop) => hop.url.startsWith(`${where.url}${where.callbackPath}?`));
  const landed = callback?.location !== undefined && !new URL(callback.location).searchParams.has('error');
  if (!callback || callback.status < 300 || callback.status >= 400 || !landed) {
    const last = browser.history.at(-1);
    throw new Error(
      `startTestApp: the login did not finish (${callback ? `callback answered ${callback.status}` : 'the callback was never reached'}; last page ${last?.status} at ${last?.url}: ${last?.text.slice(0, 200)})`,
    );
  }
  return { browser, cookie: browser.cookieHeader(where.url) };
}

async function logOut(login: TestLogin | string, logoutURL: string): Promise<TestLogout> {
  const origin = new URL(logoutURL).origin;
  let status: number;
  let location: string | undefined;
  let text: string;
  if (typeof login === 'string') {
    const response = await fetch(logoutURL, {
      method: 'POST',
      headers: { origin, cookie: login, accept: 'text/html' },
      redirect: 'manual',
    });
    status = response.status;
    const target = response.headers.get('location');
    location = target === null ? undefined : new URL(target, logoutURL).toString();
    text = await response.text();
  } else {
    ({ status, location, text } = await login.browser.request(logoutURL, {
      method: 'POST',
      headers: { origin },
      follow: false,
    }));
  }
  if (status >= 400) {
    throw new Error(`startTestApp: the logout was refused (${status} at ${logoutURL}: ${text.slice(0, 200)})`);
  }
  return { status, location };
}

async function stop(server: Server, emulator: SynergyFlowEmulator): Promise<void> {
  server.closeAllConnections();
  await Promise.all([
    new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
    emulator.close(),
  ]);
}
