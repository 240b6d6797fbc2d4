import express, { type Express } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import {
  synergyFlow,
  type PassportInstance,
  type SynergyFlowAuth,
  type SynergyFlowOptions,
} from 'passport-synergyflow';
import type { TestAppAuthOptions } from 'passport-synergyflow/testing';

/** How a first-time user might wire the quick start, mistakes included. */
export interface Wiring {
  /** Mount `passport.session()` (default true); `'after-routes'` mounts it too late. */
  passportSession?: boolean | 'after-routes';
  /** Where the three routers are mounted. Default `/auth`. */
  mount?: string;
  /** Mount the login router alone at `/` and the callback router at `/auth`. */
  splitLogin?: boolean;
  cookieSecure?: boolean | 'auto';
  /** The session cookie's name (express-session's default, `connect.sid`, otherwise). */
  cookieName?: string;
  trustProxy?: boolean;
  /** Mount `auth.errorHandler()` (default true). */
  errorHandler?: boolean;
  /** Adds the app's own routes and middleware before the error handler. */
  routes?(app: Express, auth: SynergyFlowAuth): void;
  /** Hands `auth.use()` a Passport look-alike without Passport 0.7's internals. */
  opaquePassport?: boolean;
  auth?: Partial<SynergyFlowOptions>;
}

/** Only the public methods of a Passport instance, as a wrapper or another implementation has. */
function opaque(passport: InstanceType<typeof Passport>): PassportInstance {
  return {
    use: (strategy) => passport.use(strategy),
    serializeUser: (fn) => passport.serializeUser(fn),
    deserializeUser: (fn) => passport.deserializeUser(fn),
    authenticate: (...args: Parameters<PassportInstance['authenticate']>) =>
      (passport.authenticate as (...a: unknown[]) => express.RequestHandler)(...args),
  } as PassportInstance;
}

/** Builds the quick-start app from `startTestApp`'s options, wired as `wiring` says. */
export function buildApp(options: TestAppAuthOptions, wiring: Wiring = {}): Express {
  const auth = synergyFlow({ ...options, ...wiring.auth });
  const app = express();
  if (wiring.trustProxy) app.set('trust proxy', 1);
  app.use(
    session({
      secret: 'first-run',
      resave: false,
      saveUninitialized: false,
      ...(wiring.cookieName === undefined ? {} : { name: wiring.cookieName }),
      cookie: { httpOnly: true, sameSite: 'lax', secure: wiring.cookieSecure ?? false },
    }),
  );
  const passport = new Passport();
  app.use(passport.initialize());
  if (wiring.passportSession ?? true) {
    if (wiring.passportSession !== 'after-routes') app.use(passport.session());
  }
  auth.use(wiring.opaquePassport ? opaque(passport) : passport);
  if (wiring.splitLogin) {
    app.use(auth.loginRouter());
    app.use('/auth', auth.callbackRouter(), auth.logoutRouter());
  } else {
    app.use(wiring.mount ?? '/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  }
  if (wiring.passportSession === 'after-routes') app.use(passport.session());
  app.get('/', (_req, res) => {
    res.type('text/plain').send('home');
  });
  app.get('/dashboard', auth.requireUser(), (req, res) => {
    res.json({ name: req.user!.name });
  });
  wiring.routes?.(app, auth);
  if (wiring.errorHandler ?? true) app.use(auth.errorHandler());
  return app;
}

/** The text of Express's default error page (development mode), as the developer reads it. */
export function pageText(html: string): string {
  return html
    .replace(/<br>/g, '\n')
    .replace(/&nbsp;/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
