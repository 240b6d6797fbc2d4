import type { Counter, Histogram, MeterProvider } from '@opentelemetry/api';
import { otel } from './otel-api.js';
import { SCOPE } from './spans.js';

interface Instruments {
  logins: Counter;
  logouts: Counter;
  refreshes: Counter;
  refreshDuration: Histogram;
  staleServed: Counter;
  rateLimited: Counter;
  storeFailures: Counter;
  lockWait: Histogram;
  providerAnswers: Counter;
}

/** Last values, read by the observable gauges when the SDK collects. */
const latest: { unsaved?: number; remaining: Map<string, number> } = { remaining: new Map() };

let built: { provider: MeterProvider; instruments: Instruments } | undefined;

/**
 * The instruments, made again whenever the app registers another meter provider: the API has
 * no proxy for meters, so instruments made before the SDK started would stay no-ops for ever.
 */
function instruments(): Instruments | undefined {
  const api = otel();
  if (!api) return undefined;
  const provider = api.metrics.getMeterProvider();
  if (built?.provider === provider) return built.instruments;
  const meter = provider.getMeter(SCOPE);
  const seconds = { unit: 's' };
  meter
    .createObservableGauge('synergyflow.tokens.unsaved', {
      description: 'Refreshed token sets kept in memory because the token store refused them',
    })
    .addCallback((result) => void (latest.unsaved !== undefined && result.observe(latest.unsaved)));
  meter
    .createObservableGauge('synergyflow.provider.rate_limit.remaining', {
      description: "The provider's X-RateLimit-Remaining, as last seen",
    })
    .addCallback((result) => {
      for (const [server, value] of latest.remaining) result.observe(value, { 'server.address': server });
    });
  built = {
    provider,
    instruments: {
      logins: meter.createCounter('synergyflow.logins', { description: 'Callbacks, by outcome' }),
      logouts: meter.createCounter('synergyflow.logouts', { description: 'Logouts' }),
      refreshes: meter.createCounter('synergyflow.refreshes', {
        description: 'Refreshes by outcome: success, joined, adopted, or the error code',
      }),
      refreshDuration: meter.createHistogram('synergyflow.refresh.duration', seconds),
      staleServed: meter.createCounter('synergyflow.refresh.stale_served', {
        description: 'Requests served with a still-valid token after a due refresh failed, by reason',
      }),
      rateLimited: meter.createCounter('synergyflow.provider.rate_limited', { description: '429 answers' }),
      storeFailures: meter.createCounter('synergyflow.token_store.failures', {
        description: 'Token-store operations that failed, by operation (and kept/stored_late)',
      }),
      lockWait: meter.createHistogram('synergyflow.refresh.lock.wait.duration', {
        ...seconds,
        description: 'Time spent waiting for the refresh lock, by outcome',
      }),
      providerAnswers: meter.createCounter('synergyflow.provider.responses', {
        description: 'Provider answers by HTTP status',
      }),
    },
  };
  return built.instruments;
}

/**
 * What metrics read of a hook event. Written here rather than imported from `hooks.ts`, which
 * calls this module: telemetry stays below the hooks, with no import cycle.
 */
export interface MeasuredEvent {
  readonly outcome: string;
  readonly durationMs: number;
  /** `onTokenStoreFailed`: the token sets still waiting to be stored. */
  readonly unsaved?: number;
}

/** Turns a hook event (`onLogin`…) into metrics (called by `emit`, whether or not the app set the hook). */
export function recordHookEvent(name: string, event: MeasuredEvent): void {
  const m = instruments();
  if (!m) return;
  const outcome = { 'synergyflow.outcome': event.outcome };
  switch (name) {
    case 'onLogin':
      return m.logins.add(1, outcome);
    case 'onLogout':
      return m.logouts.add(1);
    case 'onRefresh':
    case 'onRefreshFailed':
      m.refreshes.add(1, outcome);
      return m.refreshDuration.record(event.durationMs / 1000, outcome);
    case 'onStaleTokenServed':
      return m.staleServed.add(1, outcome);
    case 'onRateLimited':
      return m.rateLimited.add(1);
    case 'onTokenStoreFailed':
      if (event.unsaved !== undefined) latest.unsaved = event.unsaved;
      return m.storeFailures.add(1, { 'synergyflow.operation': 'store_refreshed', ...outcome });
  }
}

/** A failed token-store operation (`get`, `set`, `clear`). */
export function recordStoreFailure(operation: string): void {
  instruments()?.storeFailures.add(1, { 'synergyflow.operation': operation });
}

/** How long a refresh waited for the lock, and whether it got it (`acquired`, `gave_up`, `error`). */
export function recordLockWait(ms: number, outcome: string): void {
  instruments()?.lockWait.record(ms / 1000, { 'synergyflow.outcome': outcome });
}

/** One provider answer: its status, and the rate-limit budget it announced. */
export function recordProviderAnswer(server: string, status: number, remaining: string | null): void {
  const m = instruments();
  if (!m) return;
  m.providerAnswers.add(1, { 'server.address': server, 'http.response.status_code': status });
  if (remaining !== null && /^\d{1,9}$/.test(remaining.trim())) latest.remaining.set(server, Number(remaining));
}
