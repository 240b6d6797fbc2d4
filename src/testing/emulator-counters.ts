import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatedEndpoint } from './misbehaviour.js';

/** One recorded call, for assertions. Holds secrets: never print it outside tests. */
export interface RecordedCall {
  endpoint: EmulatedEndpoint;
  body: Record<string, string>;
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
}

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
});
