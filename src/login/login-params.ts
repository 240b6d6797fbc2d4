// The vocabulary of the `loginParams` option, on its own so that the resolved configuration can
// name it without importing the login routes' option checks.

/** Authorization-request parameters `/login?…` may carry when the `loginParams` option lists them. */
export type LoginParam = 'scope' | 'prompt' | 'login_hint';

/** The names `loginParams` may list. */
export const LOGIN_PARAMS: readonly LoginParam[] = ['scope', 'prompt', 'login_hint'];

/** The `loginParams` option as a frozen list, or `undefined` when it names anything else. */
export function loginParamList(value: unknown): readonly LoginParam[] | undefined {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || !value.every((name) => (LOGIN_PARAMS as readonly unknown[]).includes(name))) {
    return undefined;
  }
  return Object.freeze([...(value as LoginParam[])]);
}
