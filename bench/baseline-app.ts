// The baseline the package is measured against: the usual passport-oauth2 way, written as its
// README and the provider strategies (passport-github) do it: an OAuth2Strategy whose
// userProfile() fetches the profile, and the whole profile serialised into the session.
import express, { type Express } from 'express';
import session, { type Store } from 'express-session';
import { Passport } from 'passport';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';

/** A profile shaped like passport-github's: normalised fields plus `_raw` and `_json`. */
interface BaselineProfile {
  provider: string;
  id: string;
  displayName: string;
  emails: Array<{ value: string }>;
  _raw: string;
  _json: Record<string, unknown>;
}

/** Options of {@link baselineApp}. */
export interface BaselineOptions {
  providerURL: string;
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  store?: Store | undefined;
}

/**
 * An Express app logging in through plain passport-oauth2 (and out through `req.logout()`), with
 * `/route` behind an `isAuthenticated()` guard.
 */
export function baselineApp(options: BaselineOptions, route: express.RequestHandler): Express {
  const app = express();
  app.use(
    session({
      secret: 'bench',
      resave: false,
      saveUninitialized: false,
      ...(options.store ? { store: options.store } : {}),
    }),
  );
  const passport = new Passport();
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: `${options.providerURL}/oauth/authorize`,
      tokenURL: `${options.providerURL}/oauth/token`,
      clientID: options.clientID,
      clientSecret: options.clientSecret,
      callbackURL: options.callbackURL,
      scope: ['user:read'],
      state: true,
      pkce: true,
    },
    (_accessToken: string, _refreshToken: string, profile: BaselineProfile, done: (e: null, u: object) => void) =>
      done(null, profile),
  );
  strategy.userProfile = (accessToken, done) => {
    fetch(`${options.providerURL}/api/user`, { headers: { authorization: `Bearer ${accessToken}` } })
      .then(async (answer) => {
        const raw = await answer.text();
        const json = JSON.parse(raw) as Record<string, unknown>;
        const profile: BaselineProfile = {
          provider: 'synergyflow',
          id: String(json.id),
          displayName: String(json.name),
          emails: typeof json.email === 'string' ? [{ value: json.email }] : [],
          _raw: raw,
          _json: json,
        };
        done(null, profile);
      })
      .catch((error: unknown) => done(error as Error));
  };
  passport.use('oauth2', strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/auth/login', passport.authenticate('oauth2'));
  app.get('/auth/callback', passport.authenticate('oauth2', { failureRedirect: '/' }), (_req, res) => {
    res.redirect('/');
  });
  app.post('/auth/logout', (req, res, next) => {
    req.logout((error: unknown) => (error ? next(error) : res.redirect(303, '/')));
  });
  app.get('/', (_req, res) => void res.send('home'));
  // The guard is its own middleware, as in passport-github's example app (`ensureAuthenticated`)
  // and connect-ensure-login: the same route shape as `requireUser()` and a handler.
  const ensureAuthenticated: express.RequestHandler = (req, res, next) =>
    req.isAuthenticated() ? next() : void res.status(401).end();
  app.get('/route', ensureAuthenticated, route);
  return app;
}
