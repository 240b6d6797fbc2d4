import { createHash, randomBytes } from 'node:crypto';

/** A user the emulator knows, shaped like SynergyFlow Pro's `GET /api/user` answer. */
export interface EmulatedUser {
  id: number;
  name: string;
  email: string;
  email_verified_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A client registered at the emulator. */
export interface EmulatedClient {
  clientID: string;
  clientSecret: string;
  /** Redirect URIs, matched exactly as Laravel Passport does. */
  redirectURIs: string[];
}

interface Grant {
  clientID: string;
  userId: number;
  scopes: string[];
}

interface AccessToken extends Grant {
  expiresAt: number;
  revoked: boolean;
}

interface RefreshToken extends Grant {
  expiresAt: number;
  revoked: boolean;
  accessToken: string;
  /** When a refresh rotated it away (a later use is a reuse). */
  rotatedAt?: number;
  /** Whether its one tolerated reuse inside the grace window was spent. */
  reuseTolerated?: boolean;
}

interface AuthCode extends Grant {
  redirectURI: string;
  challenge: string | undefined;
  challengeMethod: string | undefined;
  expiresAt: number;
  used: boolean;
  issued: string[];
}

/** Token lifetimes in seconds (SynergyFlow Pro: 15 days and 30 days). */
export interface Lifetimes {
  accessToken: number;
  refreshToken: number;
}

const opaque = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

/** Why a grant was refused, with the `hint` Laravel Passport gives. */
export type GrantRefusal = { refused: true; hint: string; reused?: true };

/** A granted rotation; `reused` when it spent the one reuse the grace window tolerates. */
export type Rotation = Grant & { reused?: true };

/**
 * The emulator's data: codes, access and refresh tokens, with the rules of thephpleague's
 * oauth2-server (single-use codes, PKCE, rotation revoking the old pair, code reuse revoking what
 * the code issued).
 */
export class EmulatorState {
  readonly codes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  /** Every secret value the emulator issued: codes and tokens, for leak checks. */
  readonly issued: string[] = [];

  constructor(
    public lifetimes: Lifetimes,
    /** The emulator's clock (milliseconds since the epoch); a {@link FakeClock} in tests. */
    readonly clock: () => number = Date.now,
  ) {}

  /** Mints a single-use code (10 minutes) bound to the client, redirect URI and PKCE challenge. */
  issueCode(grant: Grant, redirectURI: string, challenge?: string, challengeMethod?: string): string {
    const code = opaque('code_');
    this.codes.set(code, {
      ...grant,
      redirectURI,
      challenge,
      challengeMethod,
      expiresAt: this.clock() + 600_000,
      used: false,
      issued: [],
    });
    this.issued.push(code);
    return code;
  }

  /** Redeems a code; a second redemption revokes what the first one issued. */
  redeemCode(
    code: string,
    clientID: string,
    redirectURI: string | undefined,
    verifier: string | undefined,
  ): (Grant & { issuedBy: AuthCode }) | GrantRefusal {
    const found = this.codes.get(code);
    if (!found || found.clientID !== clientID) return { refused: true, hint: 'Authorization code is invalid' };
    if (found.used) {
      for (const token of found.issued) this.#revoke(token);
      return { refused: true, hint: 'Authorization code has been revoked' };
    }
    found.used = true;
    if (found.expiresAt < this.clock()) return { refused: true, hint: 'Authorization code has expired' };
    if (redirectURI !== found.redirectURI) return { refused: true, hint: 'Invalid redirect URI' };
    if (found.challenge !== undefined) {
      if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
        return { refused: true, hint: 'Check the `code_verifier` parameter' };
      }
      const computed =
        found.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (computed !== found.challenge) return { refused: true, hint: 'Failed to verify `code_verifier`.' };
    }
    return { ...found, issuedBy: found };
  }

  /** Issues an access token and a refresh token for a grant. */
  issueTokens(grant: Grant): { accessToken: string; refreshToken: string; expiresIn: number } {
    const now = this.clock();
    const accessToken = opaque('at_');
    const refreshToken = opaque('rt_');
    this.accessTokens.set(accessToken, {
      ...grant,
      expiresAt: now + this.lifetimes.accessToken * 1000,
      revoked: false,
    });
    this.refreshTokens.set(refreshToken, {
      ...grant,
      accessToken,
      expiresAt: now + this.lifetimes.refreshToken * 1000,
      revoked: false,
    });
    this.issued.push(accessToken, refreshToken);
    return { accessToken, refreshToken, expiresIn: this.lifetimes.accessToken };
  }

  /**
   * Rotates a refresh token: the old access and refresh tokens are revoked at once. A rotated
   * token presented again is a reuse (`reused`): refused, unless it comes within `graceMs` of
   * its rotation and is its first reuse, as providers with a reuse interval allow.
   */
  rotate(refreshToken: string, clientID: string, graceMs = 0): Rotation | GrantRefusal {
    const found = this.refreshTokens.get(refreshToken);
    if (!found || found.clientID !== clientID) return { refused: true, hint: 'Cannot decrypt the refresh token' };
    const grant = { clientID: found.clientID, userId: found.userId, scopes: found.scopes };
    if (found.revoked && found.rotatedAt !== undefined) {
      if (graceMs > 0 && !found.reuseTolerated && this.clock() - found.rotatedAt <= graceMs) {
        found.reuseTolerated = true;
        return { ...grant, reused: true };
      }
      return { refused: true, hint: 'Token has been revoked', reused: true };
    }
    if (found.revoked) return { refused: true, hint: 'Token has been revoked' };
    if (found.expiresAt < this.clock()) return { refused: true, hint: 'Token has expired' };
    found.revoked = true;
    found.rotatedAt = this.clock();
    this.#revoke(found.accessToken);
    return grant;
  }

  /** The access token's grant when it is valid now. */
  validAccessToken(token: string): AccessToken | undefined {
    const found = this.accessTokens.get(token);
    return found && !found.revoked && found.expiresAt > this.clock() ? found : undefined;
  }

  /** Makes every access token expire now (clients see 401 and must refresh). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = Math.min(token.expiresAt, this.clock() - 1);
  }

  /** Revokes every token (clients must log in again). */
  revokeAll(): void {
    for (const token of this.accessTokens.values()) token.revoked = true;
    for (const token of this.refreshTokens.values()) Object.assign(token, { revoked: true, reuseTolerated: true });
  }

  /**
   * Revokes a token of `clientID` (RFC 7009): an access token, or a refresh token together with
   * its access token. A token unknown or of another client is left alone, as RFC 7009 answers it.
   */
  revokeToken(token: string, clientID: string): void {
    const refresh = this.refreshTokens.get(token);
    if (refresh?.clientID === clientID) {
      this.#revoke(token);
      this.#revoke(refresh.accessToken);
    }
    if (this.accessTokens.get(token)?.clientID === clientID) this.#revoke(token);
  }

  #revoke(token: string): void {
    const access = this.accessTokens.get(token);
    if (access) access.revoked = true;
    const refresh = this.refreshTokens.get(token);
    if (refresh) Object.assign(refresh, { revoked: true, reuseTolerated: true });
  }

  /** Records what a code redeemed, so a replay can revoke it. */
  remember(code: AuthCode, tokens: string[]): void {
    code.issued.push(...tokens);
  }
}
