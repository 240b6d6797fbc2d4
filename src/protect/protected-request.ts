import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { RequestAuth } from '../tokens/request-auth.js';

/** `req.synergyflow` behind `requireUser()`: the profile is always there. */
export interface UserAuth extends RequestAuth {
  /** The provider's profile of the logged-in user. */
  readonly profile: SynergyFlowProfile;
}

/**
 * A request as a handler behind `requireUser()` sees it. Express types every handler of a route
 * with one request type, so a middleware cannot narrow it for the next: {@link sessionProfile}
 * and {@link requestAuth} give the narrowed values instead, without a `!`.
 */
export type ProtectedRequest = Request & { readonly synergyflow: UserAuth };

/** Any request the middleware saw: Express's, or Node's own in a plain Connect app. */
type AnyRequest = IncomingMessage & { readonly synergyflow?: RequestAuth | undefined };

function missing(what: string, middleware: string): Error {
  return new Error(
    `passport-synergyflow: ${what} found nothing on this request: mount auth.${middleware}() before the handler (app.get(path, auth.${middleware}(), handler)).`,
  );
}

/**
 * The provider's profile that `requireUser()` loaded for this request, typed without `!`:
 * `res.json({ name: sessionProfile(req).name })`. Throws (a programming error, answered 500)
 * when `requireUser()` did not run before the handler.
 */
export function sessionProfile(req: AnyRequest): SynergyFlowProfile {
  const profile = req.synergyflow?.profile;
  if (profile === undefined) throw missing('sessionProfile(req)', 'requireUser');
  return profile;
}

/**
 * `req.synergyflow`, typed without `!`, behind `requireUser()` or `requireToken()`: for
 * `await requestAuth(req).token()`. Throws (a programming error, answered 500) when neither
 * ran before the handler.
 */
export function requestAuth(req: AnyRequest): RequestAuth {
  const auth = req.synergyflow;
  if (auth === undefined) throw missing('requestAuth(req)', 'requireUser');
  return auth;
}

/** True behind `requireUser()`: narrows `req` to {@link ProtectedRequest}. */
export function isProtectedRequest(req: Request): req is ProtectedRequest {
  return req.synergyflow?.profile !== undefined;
}
