import type { TokenStore } from '../tokens/token-store.js';
import { recordStoreFailure } from './metrics.js';
import { otel } from './otel-api.js';
import { inSpan } from './spans.js';

/**
 * The token store with a span per operation (`synergyflow.token_store.get`, `.set`, `.clear`)
 * and a failure counter; the store itself when `@opentelemetry/api` is not installed.
 */
export function tracedTokenStore(store: TokenStore): TokenStore {
  if (!otel()) return store;
  const traced = <T>(operation: string, work: () => Promise<T>): Promise<T> =>
    inSpan(`synergyflow.token_store.${operation}`, { 'synergyflow.operation': operation }, () =>
      work().catch((error: unknown) => {
        recordStoreFailure(operation);
        throw error;
      }),
    );
  return {
    get: (req) => traced('get', () => store.get(req)),
    set: (req, tokens, expectedVersion) => traced('set', () => store.set(req, tokens, expectedVersion)),
    clear: (req, expectedVersion) => traced('clear', () => store.clear(req, expectedVersion)),
  };
}
