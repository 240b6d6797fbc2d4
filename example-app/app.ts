import { randomBytes, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { requestAuth, sessionProfile, synergyFlow } from 'passport-synergyflow';
import type { SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { dashboardPage, errorPage, homePage, layout, loginFailedPage } from './views.js';

/** What the example needs to run: the OAuth client, and the emulator when it runs against one. */
export interface ExampleSettings {
  clientID: string;
  clientSecret: string;
  /** Absolute callback URL, as registered at the provider. */
  callbackURL: string;
  /** Provider URL; default SynergyFlow Pro's. */
  baseURL?: string;
  /** Signs the session cookie. */
  sessionSecret: string;
  /** The running emulator, which enables the "misbehave" buttons. */
  emulator?: SynergyFlowEmulator;
}

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
  }
}

function csrfToken(req: Request): string {
  req.session.csrf ??= randomBytes(24).toString('base64url');
  return req.session.csrf;
}

function checkCsrf(req: Request, res: Response, next: NextFunction): void {
  const sent = typeof req.body?._csrf === 'string' ? Buffer.from(req.body._csrf as string) : Buffer.alloc(0);
  const expected = Buffer.from(req.session.csrf ?? '');
  if (expected.length === 0 || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    res
      .status(403)
      .type('html')
      .send(
        layout(
          'Refused',
          '<section class="card"><h1>Refused</h1><p>This form expired. Go back and try again.</p></section>',
        ),
      );
    return;
  }
  next();
}

/** Builds the example app (it never listens; `server.ts` does). */
export function createApp(settings: ExampleSettings): express.Express {
  const { emulator } = settings;
  let refreshes = 0;
  const auth = synergyFlow({
    clientID: settings.clientID,
    clientSecret: settings.clientSecret,
    callbackURL: settings.callbackURL,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
    failureRedirect: '/login-failed',
    timeoutSeconds: 3,
    hooks: { onRefresh: (event) => void (event.outcome === 'success' && (refreshes += 1)) },
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(express.static(fileURLToPath(new URL('./public', import.meta.url))));
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      secret: settings.sessionSecret,
      name: 'acme.sid',
      resave: false,
      saveUninitialized: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: settings.callbackURL.startsWith('https:'),
        maxAge: 7 * 86_400_000,
      },
    }),
  );
  const passport = new Passport();
  app.use(passport.initialize());
  app.use(passport.session());
  auth.use(passport);
  app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  // The single-page app (public/spa.html): who is logged in, and the provider's API through a
  // proxy, both behind the X-CSRF header. The page's own forms stay as they are.
  app.use('/auth', auth.sessionRouter({ antiForgery: true }));
  app.use('/bff', auth.apiProxy({ allow: [{ method: 'GET', path: '/api/user' }] }));

  app.get('/', (req, res) => {
    res
      .type('html')
      .send(
        homePage(
          auth.profile(req),
          emulator ? `built-in emulator at ${emulator.url}` : (settings.baseURL ?? 'SynergyFlow Pro'),
        ),
      );
  });
  const dashboard = (notice?: string) => (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    // The page shows the token's expiry, so it asks for the token (one token-store read).
    requestAuth(req)
      .token()
      .then((token) => render(req, res, notice, token.expiresAt), next);
  };
  const render = (req: Request, res: Response, notice: string | undefined, expiresAt: number | undefined) => {
    res.type('html').send(
      dashboardPage({
        user: sessionProfile(req),
        expiresAt,
        profileLoadedAt: requestAuth(req).profileLoadedAt,
        refreshes,
        csrf: csrfToken(req),
        demo: emulator !== undefined,
        notice:
          notice ??
          (typeof req.query.did === 'string'
            ? `Done: ${req.query.did}. The profile was just reloaded from the provider.`
            : undefined),
      }),
    );
  };
  app.get('/dashboard', auth.requireUser(), dashboard());
  // A route that needs live data: it always reloads the profile and never serves a stale one.
  app.get('/dashboard/fresh', auth.requireUser({ profileTtlSeconds: 0, serveStaleOnRateLimit: false }), dashboard());
  app.get('/api/me', auth.requireUser({ profileTtlSeconds: 0, serveStaleOnRateLimit: false }), (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    req.synergyflow?.token().then((token) => {
      const profile = req.synergyflow?.profile;
      res.json({
        user: { id: profile?.id, name: profile?.name, email: profile?.email },
        accessTokenExpiresAt: token.expiresAt,
      });
    }, next);
  });
  app.get('/login-failed', (req, res) => {
    res
      .status(401)
      .type('html')
      .send(loginFailedPage(typeof req.query.error === 'string' ? req.query.error : ''));
  });
  if (emulator) {
    const actions: Record<string, () => void> = {
      expire: () => emulator.expireAccessTokens(),
      revoke: () => emulator.revokeAllTokens(),
      forbidden: () => emulator.failNext('user', { status: 403 }),
      ratelimit: () =>
        emulator.failNext('user', {
          status: 429,
          headers: { 'Retry-After': '30', 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0' },
        }),
      error: () => emulator.failNext('user', { status: 500 }),
      hang: () => emulator.failNext('user', 'hang'),
    };
    app.post('/demo/:action', auth.requireUser(), checkCsrf, (req, res) => {
      const name = String(req.params.action);
      const run = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!run) return void res.status(404).send('Unknown action');
      run();
      res.redirect(303, `/dashboard/fresh?did=${encodeURIComponent(name)}`);
    });
  }
  app.use(auth.errorHandler({ renderPage: errorPage }));
  app.use((_req: Request, res: Response) => {
    res
      .status(404)
      .type('html')
      .send(layout('Not found', '<section class="card"><h1>Not found</h1><p><a href="/">Home</a></p></section>'));
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error('example-app: unexpected error:', error instanceof Error ? error.message : error);
    res
      .status(500)
      .type('html')
      .send(layout('Error', '<section class="card"><h1>Something broke</h1><p>Please try again.</p></section>'));
  });
  return app;
}
