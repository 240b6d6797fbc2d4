import type { Request } from 'express';
import { LoginFailedError } from '../errors.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { TokenSet } from '../tokens/token-set.js';

/** The Passport-style callback a {@link LoginVerify} may call instead of returning. */
export type VerifyDone<User> = (error: unknown, user?: User | false | null) => void;

/**
 * Maps the provider's profile to the app's own user at login (the Passport convention, as in
 * `new Strategy(options, verify)`). Return (or resolve with) the user `req.user` should hold, or
 * `false` to refuse the login (`LoginFailedError`, reason `refused_by_app`, HTTP 403). A throw
 * or a rejection fails the login with that error. Callback style works too: call `done(err, user)`
 * and return nothing, as NestJS's `PassportStrategy` does around `validate()`.
 *
 * @param profile the normalised profile the provider returned.
 * @param tokens the login's tokens (store them yourself only if you need them elsewhere: the
 *   package already keeps them in its token store).
 * @param req the callback request.
 * @typeParam User the user it makes: by default the app's `Express.User` (declaration merging),
 *   so a verify returning something else is a type error where the app declared its users.
 */
export type LoginVerify<User extends object = Express.User> = (
  profile: SynergyFlowProfile,
  tokens: TokenSet,
  req: Request,
  done: VerifyDone<User>,
) =>
  // `void`: a callback-style verify returns nothing and calls `done` (as NestJS's wrapper does).
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
  User | false | null | void | Promise<User | false | null | void>;

/**
 * Runs a verify function, whichever style it uses: the first of its return value (when not
 * `undefined`) and its `done` call wins. A promise resolving to `undefined` before `done` was
 * called is a mistake in the app and fails the login with a message saying what to return.
 */
export function runVerify<User extends object>(
  verify: LoginVerify<User>,
  profile: SynergyFlowProfile,
  tokens: TokenSet,
  req: Request,
): Promise<User> {
  return new Promise<User>((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, user: User | false | null | undefined): void => {
      if (settled) return;
      settled = true;
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      if (user === false || user === null || user === undefined) return reject(new LoginFailedError('refused_by_app'));
      if (typeof user !== 'object') {
        return reject(new TypeError('passport-synergyflow: verify must return an object (the user) or false.'));
      }
      resolve(user);
    };
    let returned: ReturnType<LoginVerify<User>>;
    try {
      returned = verify(profile, tokens, req, (error, user) => settle(error, user));
    } catch (error) {
      return settle(error, undefined);
    }
    if (!isThenable(returned)) {
      if (returned !== undefined) settle(null, returned);
      return;
    }
    returned.then(
      (value) => {
        if (value !== undefined) return settle(null, value);
        if (!settled) {
          settle(
            new TypeError('passport-synergyflow: verify resolved with nothing. Return the user, or false to refuse.'),
            undefined,
          );
        }
      },
      (error: unknown) => settle(error ?? new Error('verify rejected'), undefined),
    );
  });
}

function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
