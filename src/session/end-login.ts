import type { Request } from 'express';
import { logger } from '../log.js';
import { unindexLogin, type LoginIndexParts } from './login-index.js';
import { noteSessionEnded } from './session-guard.js';
import { forgetLogin } from './session-state.js';

const log = logger('logout');

/**
 * Ends the request's login for good: notes the session as ended with the coordinator (so a copy
 * a request in flight writes back is destroyed again, on any instance), removes the token set
 * from the token store, takes it out of its user's index, and forgets the login's state. Passport's own logout comes after.
 * Rejects when the token store cannot remove the tokens (the login is then not ended).
 */
export async function endLogin(parts: LoginIndexParts, req: Request): Promise<void> {
  await unindexLogin(parts, req);
  if (!(await noteSessionEnded(parts, req.sessionID))) {
    log('the logout goes on, but a request in flight on another instance could write the session back');
  }
  await parts.tokenStore.clear(req);
  forgetLogin(req);
}
