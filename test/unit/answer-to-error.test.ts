import { describe, expect, it } from 'vitest';
import { isSynergyFlowError } from 'passport-synergyflow';
import { challengeScope, answerToError, type ProviderCall } from '../../src/provider/answer-to-error.js';

const answer = (status: number, json?: unknown, headers: Record<string, string> = {}) => ({
  status,
  json,
  headers: new Headers(headers),
});

describe('answerToError: the one status → error mapping', () => {
  const cases: Array<[ProviderCall, ReturnType<typeof answer>, string, number]> = [
    ['api', answer(401, { message: 'Unauthenticated.' }), 'SF_UNAUTHORIZED', 401],
    ['api', answer(403, { message: 'Invalid scope(s) provided.' }), 'SF_FORBIDDEN', 403],
    ['api', answer(429, {}, { 'retry-after': '12' }), 'SF_RATE_LIMITED', 429],
    ['api', answer(500), 'SF_PROVIDER_ERROR', 502],
    ['api', answer(503), 'SF_PROVIDER_ERROR', 503],
    ['api', answer(302), 'SF_PROVIDER_ERROR', 502],
    ['api', answer(404), 'SF_PROVIDER_ERROR', 502],
    ['refresh', answer(400, { error: 'invalid_grant' }), 'SF_LOGIN_REQUIRED', 401],
    ['refresh', answer(401, { error: 'invalid_request' }), 'SF_LOGIN_REQUIRED', 401],
    ['refresh', answer(401, { error: 'invalid_client' }), 'SF_PROVIDER_ERROR', 502],
    ['refresh', answer(400, { error: 'unsupported_grant_type' }), 'SF_PROVIDER_ERROR', 502],
    ['code_exchange', answer(400, { error: 'invalid_grant' }), 'SF_LOGIN_FAILED', 400],
    ['code_exchange', answer(400, { error: 'invalid_code' }), 'SF_LOGIN_FAILED', 400],
    ['code_exchange', answer(429), 'SF_RATE_LIMITED', 429],
    // A refused revocation ends no login: it is a provider error, never "log in again".
    ['revocation', answer(400, { error: 'invalid_grant' }), 'SF_PROVIDER_ERROR', 502],
    ['revocation', answer(401, { error: 'invalid_request' }), 'SF_PROVIDER_ERROR', 502],
    ['revocation', answer(400, { error: 'unsupported_token_type' }), 'SF_PROVIDER_ERROR', 502],
    ['revocation', answer(401, { error: 'invalid_client' }), 'SF_PROVIDER_ERROR', 502],
    ['revocation', answer(503), 'SF_PROVIDER_ERROR', 503],
  ];
  for (const [call, input, code, status] of cases) {
    it(`${call} ${input.status} ${JSON.stringify(input.json ?? '')} → ${code} ${status}`, () => {
      const error = answerToError(input, call, Date.now(), 300);
      expect(isSynergyFlowError(error)).toBe(true);
      expect(error).toMatchObject({ code, status });
    });
  }

  it('answers nothing for a 2xx', () => {
    expect(answerToError(answer(200, {}), 'api', Date.now(), 300)).toBeUndefined();
  });

  it('U3: the WWW-Authenticate reader never throws on junk', () => {
    expect(challengeScope('Bearer error="insufficient_scope", scope="user:write"')).toBe('user:write');
    for (const junk of [
      'Bearer scope="unbalanced',
      'Basic',
      'token68==',
      '"""',
      'x'.repeat(10_000),
      'Bearer scope=""',
    ]) {
      expect(() => challengeScope(junk)).not.toThrow();
    }
  });
});
