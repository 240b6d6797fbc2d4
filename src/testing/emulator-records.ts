import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatedUser } from './emulator-state.js';
import type { EmulatedEndpoint } from './misbehaviour.js';

/** One recorded call, for assertions. Holds secrets: never print it outside tests. */
export interface RecordedCall {
  /** `'api'` for routes registered with `route()`. */
  endpoint: EmulatedEndpoint | 'api';
  body: Record<string, string>;
  /** The JSON body of an API call, when one was sent. */
  json?: unknown;
  headers: IncomingHttpHeaders;
  url: string;
}

/** Calls per endpoint and per grant, since start or the last `resetCounters()`. */
export interface EmulatorCounters {
  authorize: number;
  token: number;
  authorizationCodeGrants: number;
  refreshGrants: number;
  /** A rotated refresh token presented again (RFC 9700 §4.14.2 calls this reuse). */
  refreshTokenReuses: number;
  /** Reuses answered with tokens because they came inside `refreshReuseGraceSeconds`. */
  toleratedReuses: number;
  /** Token answers the client had hung up on before they were sent (it died mid-refresh). */
  undeliveredTokenAnswers: number;
  user: number;
  /** Calls of the revocation endpoint (`revocation: true`). */
  revoke: number;
  /** Calls of routes registered with `route()`. */
  api: number;
}

/** The default emulated user, as SynergyFlow Pro's documentation shows it. */
export const TEST_USER: EmulatedUser = {
  id: 1,
  name: 'Test User',
  email: 'test@example.com',
  email_verified_at: '2025-01-15T12:00:00.000000Z',
  created_at: '2025-01-01T00:00:00.000000Z',
  updated_at: '2025-01-15T12:00:00.000000Z',
};

/** Counters at zero. */
export const emptyCounters = (): EmulatorCounters => ({
  authorize: 0,
  token: 0,
  authorizationCodeGrants: 0,
  refreshGrants: 0,
  refreshTokenReuses: 0,
  toleratedReuses: 0,
  undeliveredTokenAnswers: 0,
  user: 0,
  revoke: 0,
  api: 0,
});
