import { asRecord, parseJson } from '../util/json.js';
import type { TokenSet } from './token-set.js';

/**
 * The compact text form's marker: a token set is kept as a JSON array of its values in a fixed
 * order, `[1, version, accessToken, refreshToken, expiresAt, refreshExpiresAt, refreshUsesLeft,
 * scope, obtainedAt, providerData]`, with `null` for what is absent and trailing `null`s left out.
 * Key names were half of a token set's bytes, and with `SessionTokenStore` the text sits inside
 * the session's own JSON, where every quote around a key is escaped: the array keeps about 100
 * bytes less per logged-in user, in the session or in Redis.
 */
const COMPACT = 1;

/** The text a store keeps for `tokens` (see {@link tokenSetFromText} for reading it back). */
export function tokenSetToText(tokens: TokenSet): string {
  const values: unknown[] = [
    COMPACT,
    tokens.version,
    tokens.accessToken,
    tokens.refreshToken ?? null,
    tokens.expiresAt ?? null,
    tokens.refreshExpiresAt ?? null,
    tokens.refreshUsesLeft ?? null,
    tokens.scope === undefined ? null : tokens.scope.join(' '),
    tokens.obtainedAt,
    tokens.providerData ?? null,
  ];
  while (values[values.length - 1] === null) values.pop();
  return JSON.stringify(values);
}

/**
 * A token set read back from a store, or `undefined` when the text is damaged or not a token set
 * (then the login has no tokens, and needs a new login; never a half-read token set). Reads the
 * compact form and the object form that earlier versions wrote, so sessions and token sets
 * stored before an upgrade stay logged in.
 */
export function tokenSetFromText(text: string): TokenSet | undefined {
  const value = parseJson(text);
  if (Array.isArray(value)) return fromCompact(value);
  const record = asRecord(value);
  return record && typeof record.accessToken === 'string' && typeof record.version === 'number'
    ? (record as unknown as TokenSet)
    : undefined;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const optional = <T>(value: unknown, is: (value: unknown) => value is T): T | undefined | false =>
  value === null || value === undefined ? undefined : is(value) ? value : false;
const isString = (value: unknown): value is string => typeof value === 'string';
const isStringRecord = (value: unknown): value is Record<string, string> =>
  asRecord(value) !== undefined && Object.values(value as object).every(isString);

function fromCompact(values: readonly unknown[]): TokenSet | undefined {
  const [format, version, accessToken, refresh, expires, refreshExpires, usesLeft, scope, obtainedAt, data] = values;
  if (format !== COMPACT || !isNumber(version) || !isString(accessToken) || !isNumber(obtainedAt)) {
    return undefined;
  }
  const refreshToken = optional(refresh, isString);
  const expiresAt = optional(expires, isNumber);
  const refreshExpiresAt = optional(refreshExpires, isNumber);
  const refreshUsesLeft = optional(usesLeft, isNumber);
  const scopeText = optional(scope, isString);
  const providerData = optional(data, isStringRecord);
  const fields = [refreshToken, expiresAt, refreshExpiresAt, refreshUsesLeft, scopeText, providerData];
  if (fields.includes(false)) return undefined;
  return {
    accessToken,
    obtainedAt,
    version,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(refreshExpiresAt !== undefined ? { refreshExpiresAt } : {}),
    ...(refreshUsesLeft !== undefined ? { refreshUsesLeft } : {}),
    ...(scopeText !== undefined && scopeText !== false ? { scope: scopeText.split(' ').filter(Boolean) } : {}),
    ...(providerData !== undefined && providerData !== false ? { providerData } : {}),
  } as TokenSet;
}
