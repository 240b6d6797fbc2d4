import type { Request } from 'express';
import type { Coordinator } from './coordination/coordinator.js';
import type { PassportInstance } from './login/passport-instance.js';
import type { RefusedCookieWatch } from './login/refused-cookies.js';
import type { LoginTransactionStore } from './login/transactions.js';
import type { ResolvedConfig } from './options.js';
import type { SynergyFlowProfile } from './provider/profile.js';
import type { SynergyFlowClient } from './provider/client.js';
import type { ProfileReader } from './session/profile-reader.js';
import type { TokenPath } from './tokens/fresh-token.js';
import type { TokenStore } from './tokens/token-store.js';

/** The pieces one `synergyFlow()` call builds and every router and middleware shares. */
export interface AuthParts {
  readonly config: ResolvedConfig;
  readonly client: SynergyFlowClient;
  readonly transactions: LoginTransactionStore;
  readonly tokenStore: TokenStore;
  /** The one way to a fresh access token; every entry point goes through it. */
  readonly tokens: TokenPath;
  /** Where the instances share locks and notes (`config.coordinator`). */
  readonly coordinator: Coordinator;
  /** Makes profiles from the provider answers cached in sessions. */
  readonly profiles: ProfileReader;
  /** Users a verify function made at login, mapped to the provider profile they came from. */
  readonly loginUsers: WeakMap<object, SynergyFlowProfile>;
  /** What login responses showed of cookies browsers refuse (a `__Host-` name over http). */
  readonly refusedCookies: RefusedCookieWatch;
  /** The Passport instance given to `auth.use()`; throws a how-to message before that. */
  passport(): PassportInstance;
  /** Guards the writes of the request's session, which holds a login (see `session-guard.ts`). */
  guardSession(req: Request): void;
}
