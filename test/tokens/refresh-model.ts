// The world of the refresh model test (refresh-coordinator.model.test.ts): several instances,
// each with its own RefreshCoordinator, sharing one store, one lock and one provider, driven by
// a generated scenario on virtual time, with fast-check's scheduler choosing the order of every
// call that meets the store, the lock or the provider.
import fc from 'fast-check';
import { LoginRequiredError } from '../../src/errors.js';
import { tokenFingerprint } from '../../src/provider/client.js';
import type { RefreshCoordinator, RefreshJob } from '../../src/tokens/refresh-coordinator.js';
import type { TokenSet } from '../../src/tokens/token-set.js';
import {
  flush,
  instance,
  StubLock,
  StubProvider,
  StubStore,
  VirtualTime,
  type Around,
  type ProviderMood,
} from './refresh-rig.js';

/** The lock's lease; the provider answers within 4 s (a refresh's answer is read for 2 × timeoutSeconds). */
const LEASE_MS = 6_000;

/** One scenario: who asks when, how the provider answers, when the store is away, when the user logs out. */
export interface Scenario {
  instances: number;
  requests: Array<{ instance: number; at: number; canWait: boolean }>;
  moods: ProviderMood[];
  /** Each starts `offsetMs` after the request numbered `afterRequest` (so it often meets a refresh midway). */
  outages: Array<{ afterRequest: number; offsetMs: number; durationMs: number; hangMs: number }>;
  logoutAt: number | null;
}

/**
 * Scenarios: 2 or 3 instances, up to 14 requests in the first 40 s, up to `maxOutages` outages of
 * up to 30 s each (longer than the lease), and perhaps a logout.
 */
export function scenarioArbitrary(maxOutages: number): fc.Arbitrary<Scenario> {
  return fc.record({
    instances: fc.integer({ min: 2, max: 3 }),
    requests: fc.array(
      fc.record({ instance: fc.nat(2), at: fc.integer({ min: 0, max: 40_000 }), canWait: fc.boolean() }),
      { minLength: 2, maxLength: 14 },
    ),
    moods: fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({ kind: fc.constant('answer' as const), delayMs: fc.integer({ min: 0, max: 4_000 }) }),
        },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('fail' as const), delayMs: fc.integer({ min: 0, max: 1_000 }) }),
        },
      ),
      { maxLength: 14 },
    ),
    outages: fc.array(
      fc.record({
        afterRequest: fc.nat(13),
        offsetMs: fc.integer({ min: 0, max: 5_000 }),
        durationMs: fc.integer({ min: 0, max: 30_000 }),
        // 0: refused at once; 5000: each call hangs until the client's command timeout.
        hangMs: fc.constantFrom(0, 5_000),
      }),
      { maxLength: maxOutages },
    ),
    logoutAt: fc.option(fc.integer({ min: 0, max: 50_000 }), { freq: 4 }),
  });
}

/** Scenarios with one outage at most. */
export const scenarios = scenarioArbitrary(1);

/** Bugs seeded through the world (never in src/): the model test must find each. */
export interface Seeded {
  /** The lock forgets rotation marks: as if the coordinator wrote none. */
  noRotationMark?: boolean;
  /** The re-read under the lock sees the request's own copy: as if there were no re-read. */
  noReread?: boolean;
}

/** What a run left behind, for the invariants. */
export interface Outcome {
  presented: readonly string[];
  reuses: number;
  lastIssued: TokenSet | undefined;
  stored: TokenSet | undefined;
  unsaved: readonly number[];
  loggedOut: boolean;
  undone: number;
  /**
   * Refreshes attempted (the rotation mark consulted) for a refresh token the provider already
   * rotated and the store already replaced, in a run where the store never failed: each of them
   * is a second refresh for one expiry, whatever then stops it.
   */
  staleClaims: number;
}

/** One request on one instance, as TokenPath makes it: read, refresh, store the result, forget a refused set. */
async function request(
  coordinator: RefreshCoordinator,
  store: StubStore,
  canWait: boolean,
  seeded: Seeded,
): Promise<void> {
  const current = await store.get();
  if (!current) return;
  const job: RefreshJob = {
    reread: seeded.noReread ? async () => current : () => store.get(),
    persist: (fresh) => store.set(fresh, current.version),
    canWait,
  };
  try {
    const next = await coordinator.refresh(current, job);
    const stored = await store.get();
    if (!stored || stored.version < next.version) await store.set(next, current.version);
  } catch (error) {
    if (error instanceof LoginRequiredError) await store.clear(current.version);
  }
}

/** Runs `scenario` to its end (every timer fired, every scheduled call run), the store up again at the end. */
export async function play(scenario: Scenario, scheduler: fc.Scheduler, seeded: Seeded = {}): Promise<Outcome> {
  const time = new VirtualTime();
  const around: Around = (label, work) => scheduler.schedule(Promise.resolve(label), label).then(() => work());
  const provider = new StubProvider(time, around);
  provider.moods = [...scenario.moods];
  const store = new StubStore(time, provider.login(), around);
  const lock = new StubLock(time, store.outage, LEASE_MS, around);
  if (seeded.noRotationMark) {
    const note = lock.note.bind(lock);
    lock.note = (key, value, ttl) =>
      key.startsWith('rotating:') ? around('lock.note', async () => undefined) : note(key, value, ttl);
  }
  let staleClaims = 0;
  let storeFailed = false;
  const read = lock.read.bind(lock);
  lock.read = (key) => {
    const claimed = key.startsWith('rotating:') ? key.slice('rotating:'.length) : undefined;
    const rotated = provider.presented.some((token) => tokenFingerprint(token) === claimed);
    const replaced = store.tokens !== undefined && tokenFingerprint(store.tokens.refreshToken ?? '') !== claimed;
    if (claimed && rotated && replaced && !storeFailed) staleClaims++;
    return read(key);
  };
  const coordinators = Array.from({ length: scenario.instances }, () => instance(time, provider, lock));
  const at = (ms: number, what: () => void): void => void time.sleep(ms).then(what);
  for (const { instance: index, at: start, canWait } of scenario.requests) {
    const coordinator = coordinators[index % coordinators.length] as RefreshCoordinator;
    at(start, () => void request(coordinator, store, canWait, seeded).catch(() => undefined));
  }
  let down = 0; // outages may overlap: the store is up when none is on
  for (const outage of scenario.outages) {
    const after = scenario.requests[outage.afterRequest % scenario.requests.length]?.at ?? 0;
    const start = after + outage.offsetMs;
    at(start, () => {
      down++;
      Object.assign(store.outage, { down: true, hangMs: outage.hangMs });
      storeFailed = true;
    });
    at(start + outage.durationMs, () => (store.outage.down = --down > 0));
  }
  if (scenario.logoutAt !== null) {
    at(scenario.logoutAt, () => {
      store.tokens = undefined;
      store.loggedOut = true;
    });
  }
  await settle(scheduler, time);
  return {
    presented: provider.presented,
    reuses: provider.reuses,
    lastIssued: provider.issued.at(-1),
    stored: store.tokens,
    unsaved: coordinators.map((c) => c.unsavedCount),
    loggedOut: store.loggedOut,
    undone: store.undone,
    staleClaims,
  };
}

/** Runs scheduled calls and timers until none is left (each step lets promise chains move first). */
async function settle(scheduler: fc.Scheduler, time: VirtualTime): Promise<void> {
  for (let step = 0; step < 20_000; step++) {
    await flush(1);
    if (scheduler.count() > 0) await scheduler.waitNext(1);
    else if (!time.fireNext()) return;
  }
  throw new Error('the scenario did not settle in 20000 steps');
}
