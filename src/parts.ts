import type { PassportInstance } from './login/passport-instance.js';
import type { SynergyFlowClient } from './provider/client.js';
import type { LogoutRegistry } from './session/logout-registry.js';
import type { ResolvedConfig } from './options.js';
import type { RefreshCoordinator } from './tokens/refresh-coordinator.js';
import type { TokenStore } from './tokens/token-store.js';
import type { LoginTransactionStore } from './login/transactions.js';

/** The pieces one `synergyFlow()` call builds and every router and middleware shares. */
export interface AuthContext {
  readonly config: ResolvedConfig;
  readonly client: SynergyFlowClient;
  readonly transactions: LoginTransactionStore;
  readonly tokenStore: TokenStore;
  readonly refresher: RefreshCoordinator;
  readonly logouts: LogoutRegistry;
  /** The Passport instance given to `auth.use()`; throws a how-to message before that. */
  passport(): PassportInstance;
}

/** Sets the headers every auth route answers with: nothing here may be cached. */
export function noStore(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}
