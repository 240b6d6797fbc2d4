import type { EmulatedClient, EmulatedUser } from './emulator-state.js';
import type { EmulatedEndpoint } from './misbehaviour.js';
import { REVOCATION_PATH } from './revocation-endpoint.js';

/** The endpoints whose answers tests can delay and force, by path. */
export const ENDPOINTS: ReadonlyMap<string, EmulatedEndpoint> = new Map([
  ['/oauth/token', 'token'],
  ['/api/user', 'user'],
  [REVOCATION_PATH, 'revoke'],
]);

/** Options of {@link startSynergyFlowEmulator}; every one has a default. */
export interface EmulatorOptions {
  /** Port to listen on; default 0 (an ephemeral port). */
  port?: number;
  /** Host to bind; default `127.0.0.1`. */
  host?: string;
  /** Registered clients. Default: none; add them with `registerClient()`. */
  clients?: EmulatedClient[];
  /** Users; the first approves consent unless `approveAs()` picks another. Default: Test User (id 1). */
  users?: EmulatedUser[];
  /** Approve consent at once, without the page. Default false. */
  autoApprove?: boolean;
  /** Access-token lifetime in seconds. Default 1,296,000 (15 days). */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds. Default 2,592,000 (30 days). */
  refreshTokenTtlSeconds?: number;
  /** Requests per minute per access token on the API. Default 60. */
  rateLimit?: number;
  /**
   * Send `iss` on authorization redirects (RFC 9207): `true` sends the emulator's URL, a string
   * sends that string. Default false, like Laravel Passport.
   */
  issuerParameter?: boolean | string;
  /**
   * How long a rotated refresh token may be used once more, in seconds, answered with a fresh
   * pair (a provider-side reuse interval). Default 0: every reuse is refused, as Laravel does.
   */
  refreshReuseGraceSeconds?: number;
  /**
   * Offer a token revocation endpoint, `POST /oauth/revoke` (RFC 7009), which SynergyFlow Pro
   * does not document. Give the app `revocableSynergyFlowProvider` to use it. Default false.
   */
  revocation?: boolean;
  /**
   * The clock token lifetimes and rate windows run on (milliseconds since the epoch). Default
   * `Date.now`. Give the app and the emulator one {@link FakeClock} to skip time in tests.
   */
  clock?: () => number;
}
