// Stubs of the package's own interfaces around a RefreshCoordinator, for the unit and model
// tests of the refresh core (no HTTP, no Redis: those are what the end-to-end tests are for).
// One virtual time drives all of them: FakeClock for the clock, and a sleep that resolves when
// the time is advanced past it.
import { LoginRequiredError, ProviderError } from '../../src/errors.js';
import type { Coordinator } from '../../src/coordination/coordinator.js';
import { RefreshCoordinator, type RefreshJob } from '../../src/tokens/refresh-coordinator.js';
import type { TokenSet } from '../../src/tokens/token-set.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

/** Lets every promise chain that can move, move (timers stay where they are). */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** FakeClock plus the timers that follow it. */
export class VirtualTime {
  readonly clock = new FakeClock(1_700_000_000_000);
  readonly #timers: Array<{ at: number; resolve: () => void }> = [];

  readonly now = (): number => this.clock.now();

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => this.#timers.push({ at: this.now() + ms, resolve }));

  /** Fires the earliest timer (moving the time to it); false when none is left. */
  fireNext(): boolean {
    this.#timers.sort((a, b) => a.at - b.at);
    const next = this.#timers.shift();
    if (!next) return false;
    this.#moveTo(next.at);
    next.resolve();
    return true;
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves the time forward by `ms`, firing each timer due on the way in order. */
  async advance(ms: number): Promise<void> {
    const end = this.now() + ms;
    await flush();
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.#moveTo(next.at);
      next.resolve();
      await flush();
    }
    this.#moveTo(end);
    await flush();
  }

  #moveTo(at: number): void {
    if (at > this.now()) this.clock.advance((at - this.now()) / 1000);
  }
}

/**
 * Where a stub's calls meet the world: the model test passes one that lets fast-check's scheduler
 * choose when each call runs (`label` names it); by default a call runs at once.
 */
export type Around = <T>(label: string, work: () => Promise<T>) => Promise<T>;
const atOnce: Around = (_label, work) => work();

/** A store outage: calls fail at once (refused) or, with `hang`, only after `hangMs` (a timeout). */
export interface Outage {
  down: boolean;
  hangMs: number;
}

async function gate(outage: Outage, time: VirtualTime, what: string): Promise<void> {
  if (!outage.down) return;
  if (outage.hangMs > 0) await time.sleep(outage.hangMs);
  throw Object.assign(new Error(`store down (${what})`), { code: 'ECONNREFUSED' });
}

/** One user's token set in a shared store, compare-and-swap on its version (as RedisTokenStore). */
export class StubStore {
  tokens: TokenSet | undefined;
  readonly outage: Outage = { down: false, hangMs: 0 };
  /** Set by a logout: from then on, any token set written is a logout undone. */
  loggedOut = false;
  undone = 0;
  constructor(
    readonly time: VirtualTime,
    first?: TokenSet,
    readonly around: Around = atOnce,
  ) {
    this.tokens = first;
  }

  get(): Promise<TokenSet | undefined> {
    return this.around('store.get', async () => {
      await gate(this.outage, this.time, 'get');
      return this.tokens;
    });
  }

  /** Writes when the stored version is `expected`; a cleared set (logout) is never written back. */
  set(tokens: TokenSet, expected: number | undefined): Promise<boolean> {
    return this.around('store.set', async () => {
      await gate(this.outage, this.time, 'set');
      if (expected !== undefined && this.tokens?.version !== expected) return false;
      this.tokens = tokens;
      if (this.loggedOut) this.undone++;
      return true;
    });
  }

  clear(expected?: number): Promise<void> {
    return this.around('store.clear', async () => {
      await gate(this.outage, this.time, 'clear');
      if (expected === undefined || this.tokens?.version === expected) this.tokens = undefined;
    });
  }

  /** The job a request holding `current` hands the coordinator. */
  job(current: TokenSet, extra: Partial<RefreshJob> = {}): RefreshJob {
    return { reread: () => this.get(), persist: (fresh) => this.set(fresh, current.version), ...extra };
  }
}

/** The shared coordinator: a lock whose lease lapses on the virtual time, and notes with TTLs. */
export class StubLock implements Pick<Coordinator, 'acquire' | 'note' | 'read'> {
  readonly #held = new Map<string, { owner: number; until: number }>();
  readonly #notes = new Map<string, { value: string; until: number }>();
  #owners = 0;
  acquired = 0;
  constructor(
    readonly time: VirtualTime,
    readonly outage: Outage,
    readonly leaseMs = 10_000,
    readonly around: Around = atOnce,
  ) {}

  async acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined> {
    const giveUpAt = this.time.now() + waitMs;
    for (;;) {
      const taken = await this.around('lock.acquire', async () => {
        await gate(this.outage, this.time, 'lock');
        const held = this.#held.get(key);
        return !held || held.until <= this.time.now() ? this.#take(key) : undefined;
      });
      if (taken) return taken;
      if (this.time.now() >= giveUpAt) return undefined;
      await this.time.sleep(Math.min(50, giveUpAt - this.time.now()));
    }
  }

  note(key: string, value: string, ttlMs: number): Promise<void> {
    return this.around('lock.note', async () => {
      await gate(this.outage, this.time, 'note');
      this.#notes.set(key, { value, until: this.time.now() + ttlMs });
    });
  }

  read(key: string): Promise<string | undefined> {
    return this.around('lock.read', async () => {
      await gate(this.outage, this.time, 'read');
      const found = this.#notes.get(key);
      return found && found.until > this.time.now() ? found.value : undefined;
    });
  }

  #take(key: string): () => Promise<void> {
    const owner = ++this.#owners;
    this.acquired++;
    this.#held.set(key, { owner, until: this.time.now() + this.leaseMs });
    return () =>
      this.around('lock.release', async () => {
        await gate(this.outage, this.time, 'unlock');
        if (this.#held.get(key)?.owner === owner) this.#held.delete(key);
      });
  }
}

/** What the stub provider does with the next refresh: answer, answer late, or fail (5xx). */
export type ProviderMood = { kind: 'answer'; delayMs: number } | { kind: 'fail'; delayMs: number };

/**
 * A provider that rotates refresh tokens and takes a reuse as theft: the whole family is revoked
 * (every later refresh is refused). It records every refresh token presented.
 */
export class StubProvider {
  readonly presented: string[] = [];
  readonly issued: TokenSet[] = [];
  readonly params: Array<Readonly<Record<string, string>> | undefined> = [];
  readonly #used = new Set<string>();
  revoked = false;
  reuses = 0;
  /** False: the refresh token is kept (presenting it again is no reuse). */
  rotates = true;
  moods: ProviderMood[] = [];
  #serial = 0;
  constructor(
    readonly time: VirtualTime,
    readonly around: Around = atOnce,
  ) {}

  /** A first token set, as a login would get it. */
  login(): TokenSet {
    return this.#issue(0);
  }

  async refresh(tokens: TokenSet, params?: Readonly<Record<string, string>>): Promise<TokenSet> {
    const mood = this.moods.shift() ?? { kind: 'answer', delayMs: 0 };
    this.params.push(params);
    if (mood.delayMs > 0) await this.time.sleep(mood.delayMs);
    return this.around('provider.refresh', async () => {
      if (mood.kind === 'fail') throw new ProviderError('unavailable', 'The provider is down (stub).');
      const presented = tokens.refreshToken ?? '';
      this.presented.push(presented);
      if (!this.rotates) return { ...this.#issue(tokens.version), refreshToken: presented };
      if (this.#used.has(presented)) {
        this.reuses++;
        this.revoked = true;
      }
      this.#used.add(presented);
      if (this.revoked) throw new LoginRequiredError('refresh_refused');
      return this.#issue(tokens.version);
    });
  }

  #issue(previousVersion: number): TokenSet {
    const serial = ++this.#serial;
    const now = this.time.now();
    const tokens: TokenSet = {
      accessToken: `at-${serial}`,
      refreshToken: `rt-${serial}`,
      expiresAt: now + 3_600_000,
      obtainedAt: now,
      version: previousVersion + 1,
    };
    this.issued.push(tokens);
    return tokens;
  }
}

/** One instance: its own RefreshCoordinator on the shared lock, provider and time. */
export function instance(
  time: VirtualTime,
  provider: StubProvider,
  lock: StubLock,
  lockWaitMs = 2_000,
): RefreshCoordinator {
  return new RefreshCoordinator({
    client: provider,
    hooks: {},
    clock: time.now,
    sleep: time.sleep,
    lock,
    lockWaitMs,
  });
}
