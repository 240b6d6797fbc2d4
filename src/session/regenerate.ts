import type { Request } from 'express';
import { appSessionData } from './session-state.js';

/**
 * Gives the request a new session id, as a login must (a session id planted before the login
 * must not receive the credentials): the old session is destroyed, the app's own keys are
 * carried over, the package's state (tokens, pending logins) is not.
 */
export async function regenerateSession(req: Request): Promise<void> {
  const session = req.session;
  if (!session) {
    throw new Error('passport-synergyflow needs a session: mount express-session before calling attachUser().');
  }
  const appData = appSessionData(req);
  await new Promise<void>((resolve, reject) =>
    session.regenerate((error: unknown) => (error ? reject(error as Error) : resolve())),
  );
  Object.assign(req.session, appData);
}
