import { LoginRequiredError, TwoFactorRequiredError, type SynergyFlowError } from '../errors.js';
import { type ProviderAnswer } from '../provider/http.js';
import { asRecord } from '../util/json.js';
import { defineProvider } from '../provider/define-provider.js';
import type { ClientCredentials, Grant, ProviderRequest } from '../provider/description.js';
import type { ProviderCall } from '../provider/answer-to-error.js';
import { expiryFrom, invalid, readExpiresIn, readScope, readToken, type TokenSet } from '../tokens/token-set.js';

/** Provider-data keys a SynapseFi token set carries. */
export const SYNAPSEFI_FIELDS = { userId: 'user_id', fingerprint: 'fingerprint', userIp: 'user_ip' } as const;

function userFieldsOf(tokens: TokenSet): { userId: string; fingerprint: string; userIp: string } {
  const fields = tokens.providerData ?? {};
  const userId = fields[SYNAPSEFI_FIELDS.userId];
  if (!userId)
    throw new TypeError(
      'passport-synergyflow: a SynapseFi token set needs a user id; attach it with auth.attachUser().',
    );
  return {
    userId,
    fingerprint: fields[SYNAPSEFI_FIELDS.fingerprint] ?? '',
    userIp: fields[SYNAPSEFI_FIELDS.userIp] ?? '127.0.0.1',
  };
}

/**
 * `POST /v3.1/oauth/:user_id` with the client in `X-SP-GATEWAY`, the device in `X-SP-USER`
 * (`|fingerprint` before there is a key) and a JSON body: the refresh token, plus `scope`,
 * `phone_number` or `validation_pin` when the app passes them.
 */
function synapseTokenRequest(grant: Grant, credentials: ClientCredentials, tokenURL: string): ProviderRequest {
  if (grant.type !== 'refresh_token') {
    throw new TypeError(
      'passport-synergyflow: SynapseFi has no browser login; attach the user with auth.attachUser().',
    );
  }
  const { userId, fingerprint, userIp } = userFieldsOf(grant.tokens);
  const extras = grant.params ?? {};
  const body: Record<string, unknown> = { refresh_token: grant.tokens.refreshToken ?? '' };
  if (extras.scope) body.scope = extras.scope.split(' ').filter(Boolean);
  if (extras.phone_number) body.phone_number = extras.phone_number;
  if (extras.validation_pin) body.validation_pin = extras.validation_pin;
  return {
    url: `${tokenURL}/${encodeURIComponent(userId)}`,
    init: {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-sp-gateway': `${credentials.clientID}|${credentials.clientSecret}`,
        'x-sp-user-ip': userIp,
        'x-sp-user': `|${fingerprint}`,
      },
      body: JSON.stringify(body),
    },
  };
}

/**
 * Reads the OAuth-key answer: `oauth_key`, `expires_in` (a string), a possibly rotated
 * `refresh_token`, `refresh_expires_in` (uses left) and the granted `scope` list. Expiry is
 * counted from local receipt time, so the provider's clock does not matter.
 */
function parseOAuthKeyAnswer(body: unknown, now: number, previous?: TokenSet): TokenSet {
  const json = asRecord(body);
  if (!json) throw invalid('it is not a JSON object');
  const { refresh_expires_in: usesLeft, user_id: userId } = json;
  const key = readToken(json.oauth_key, 'oauth_key', true);
  const refreshToken = readToken(json.refresh_token, 'refresh_token', false);
  if (usesLeft !== undefined && (typeof usesLeft !== 'number' || !Number.isInteger(usesLeft) || usesLeft < 0)) {
    throw invalid('"refresh_expires_in" must be a whole number of uses');
  }
  const expiresIn = readExpiresIn(json.expires_in);
  return {
    accessToken: key,
    refreshToken: typeof refreshToken === 'string' ? refreshToken : previous?.refreshToken,
    expiresAt: expiryFrom(now, expiresIn),
    refreshUsesLeft: typeof usesLeft === 'number' ? usesLeft : undefined,
    scope: readScope(json.scope) ?? previous?.scope,
    obtainedAt: now,
    providerData: {
      ...previous?.providerData,
      ...(typeof userId === 'string' ? { [SYNAPSEFI_FIELDS.userId]: userId } : {}),
    },
    version: (previous?.version ?? 0) + 1,
  };
}

/**
 * SynapseFi answers a device it does not know with HTTP 202: first listing the phone numbers a
 * PIN can go to, then (after `phone_number`) saying the PIN was sent. Both become a
 * {@link TwoFactorRequiredError}; a refused refresh token (401/404) means the user must be
 * attached again.
 */
function classifySynapseAnswer(answer: ProviderAnswer, call: ProviderCall): SynergyFlowError | undefined {
  if (call !== 'refresh') return undefined;
  const json = asRecord(answer.json);
  if (answer.status === 202) {
    const phones = Array.isArray(json?.phone_numbers)
      ? json.phone_numbers.filter((p): p is string => typeof p === 'string')
      : [];
    return phones.length > 0
      ? new TwoFactorRequiredError('phone_number', phones)
      : new TwoFactorRequiredError('validation_pin');
  }
  if (answer.status === 404) return new LoginRequiredError('refresh_refused');
  return undefined;
}

/**
 * The SynapseFi-style "OAuth key" API (`POST /v3.1/oauth/:user_id`): no browser login. The platform
 * holds each user's refresh token and trades it for a 2-hour OAuth key with
 * `POST /v3.1/oauth/:user_id`; API calls carry the key in `X-SP-USER`. Refresh tokens may rotate
 * and die after 10 uses; `TokenSet.refreshUsesLeft` counts them down.
 *
 * @example
 * const auth = synergyFlow({ provider: synapseFiProvider, clientID, clientSecret });
 * await auth.attachUser(req, { userId, refreshToken, fingerprint });
 * app.get('/nodes', auth.requireToken(), handler);
 */
export const synapseFiProvider = defineProvider({
  name: 'synapsefi',
  baseURL: 'https://uat-api.synapsefi.com',
  authorizationPath: undefined,
  tokenPath: '/v3.1/oauth',
  userPath: undefined,
  tokenRequest: synapseTokenRequest,
  parseTokenAnswer: parseOAuthKeyAnswer,
  authorizationHeaders(tokens: TokenSet, credentials: ClientCredentials) {
    const { fingerprint, userIp } = userFieldsOf(tokens);
    return {
      'x-sp-gateway': `${credentials.clientID}|${credentials.clientSecret}`,
      'x-sp-user': `${tokens.accessToken}|${fingerprint}`,
      'x-sp-user-ip': userIp,
    };
  },
  classifyAnswer: classifySynapseAnswer,
});
