import type { Request } from 'express';
import { logger } from '../log.js';
import { noteSessionEnded, type SessionGuardParts } from './session-guard.js';
import { forgetLogin } from './session-state.js';

const log = logger('logout');

/**
 * Ends the request's login for good: notes the session as ended with the coordinator (so a copy
 * a request in flight writes back is destroyed again, on any instance), removes the token set
 * from the token store, and forgets the login's state. Passport's own logout comes after.
 * Rejects when the token store cannot remove the tokens (the login is then not ended).
 */
export async function endLogin(parts: SessionGuardParts, req: Request): Promise<void> {
  if (!(await noteSessionEnded(parts, req.sessionID))) {
    log('the logout goes on, but a request in flight on another instance could write the session back');
  }
  await parts.tokenStore.clear(req);
  forgetLogin(req);
}
