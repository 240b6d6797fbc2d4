// The refresh core in milliseconds: a RefreshCoordinator (or two, as two instances) on FakeClock
// with a stub provider, store and lock (test/tokens/refresh-rig.ts). Each case names the rule
// it guards; each fails when that rule is broken in src/tokens/refresh-coordinator.ts.
import { describe, expect, it } from 'vitest';
import { LoginRequiredError, TemporarilyUnavailableError } from '../../src/errors.js';
import { MARK_GRACE_MS } from '../../src/tokens/rotation-mark.js';
import type { TokenSet } from '../../src/tokens/token-set.js';
import { flush, instance, StubLock, StubProvider, StubStore, VirtualTime } from './refresh-rig.js';

function rig(leaseMs = 10_000) {
  const time = new VirtualTime();
  const provider = new StubProvider(time);
  const first = provider.login();
  const store = new StubStore(time, first);
  const lock = new StubLock(time, store.outage, leaseMs);
  return { time, provider, first, store, lock, a: instance(time, provider, lock), b: instance(time, provider, lock) };
}

/** The reason of a 503, or the error's name. */
async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TemporarilyUnavailableError) return error.reason;
    return (error as Error).name;
  }
  return 'resolved';
}

describe('RefreshCoordinator: single flight and adoption', () => {
  it('concurrent requests holding one refresh token share one refresh', async () => {
    const { provider, first, store, a } = rig();
    const results = await Promise.all([1, 2, 3].map(() => a.refresh(first, store.job(first))));
    expect(provider.presented).toEqual([first.refreshToken]);
    expect(new Set(results).size).toBe(1);
    expect(store.tokens).toBe(results[0]);
  });

  it('a request that arrives after the refresh adopts its result in-process (no provider call, no store read)', async () => {
    const { provider, first, store, a } = rig();
    const fresh = await a.refresh(first, store.job(first));
    let reads = 0;
    const adopted = await a.refresh(first, store.job(first, { reread: async () => (reads++, store.tokens) }));
    expect(adopted).toBe(fresh);
    expect(provider.presented).toHaveLength(1);
    expect(reads).toBe(0);
  });

  it('another instance adopts the rotation from the store: it re-reads under the lock before refreshing', async () => {
    const { provider, first, store, a, b } = rig();
    const fresh = await a.refresh(first, store.job(first));
    // b's request read the token set before a stored the new one.
    expect(await b.refresh(first, store.job(first))).toBe(fresh);
    expect(provider.presented).toEqual([first.refreshToken]);
  });

  it('the in-process memory of a rotation ends after a minute (then the store decides)', async () => {
    const { time, provider, first, store, a } = rig();
    const fresh = await a.refresh(first, store.job(first));
    let reads = 0;
    const counted = store.job(first, { reread: async () => (reads++, store.tokens) });
    await time.advance(59_999);
    await a.refresh(first, counted);
    expect(reads).toBe(0);
    await time.advance(1);
    expect(await a.refresh(first, counted)).toBe(fresh);
    expect(reads).toBe(1); // adopted from the store under the lock, not from the memory
    expect(provider.presented).toHaveLength(1);
  });
});

describe('RefreshCoordinator: failures', () => {
  it('after a provider failure the same refresh token fails fast for the back-off, then is tried again', async () => {
    const { time, provider, first, store, a } = rig();
    const expired: TokenSet = { ...first, expiresAt: time.now() - 1 };
    provider.moods = [{ kind: 'fail', delayMs: 0 }];
    expect(await failure(a.refresh(expired, store.job(expired)))).toBe('ProviderError');
    await time.advance(4_999);
    expect(await failure(a.refresh(expired, store.job(expired)))).toBe('ProviderError');
    expect(provider.params).toHaveLength(1);
    await time.advance(1);
    await a.refresh(expired, store.job(expired));
    expect(provider.params).toHaveLength(2);
  });

  it('while the access token is valid, the back-off is half its remaining life (the next try comes before it expires)', async () => {
    const { time, provider, first, store, a } = rig();
    const soon: TokenSet = { ...first, expiresAt: time.now() + 2_000 };
    provider.moods = [{ kind: 'fail', delayMs: 0 }];
    expect(await failure(a.refresh(soon, store.job(soon)))).toBe('ProviderError');
    await time.advance(1_000);
    await a.refresh(soon, store.job(soon));
    expect(provider.params).toHaveLength(2);
  });

  it('a refused refresh adopts the set a sibling stores within the re-reads', async () => {
    const { time, provider, first, store, a } = rig();
    provider.revoked = true; // the provider refuses: the sibling's rotation won
    const sibling: TokenSet = { ...first, accessToken: 'at-sibling', refreshToken: 'rt-sibling', version: 2 };
    const refreshing = a.refresh(first, store.job(first));
    await time.advance(100);
    store.tokens = sibling;
    await time.advance(1_000);
    expect(await refreshing).toBe(sibling);
  });

  it('a refusal with nothing newer in the store is final: later requests fail at once, nothing presented again', async () => {
    const { time, provider, first, store, a } = rig();
    provider.revoked = true;
    const refreshing = failure(a.refresh(first, store.job(first)));
    await time.advance(1_000);
    expect(await refreshing).toBe('LoginRequiredError');
    await expect(a.refresh(first, store.job(first))).rejects.toBeInstanceOf(LoginRequiredError);
    expect(provider.params).toHaveLength(1);
  });
});

describe('RefreshCoordinator: token sets the store refused', () => {
  it('are served, adopted and written again until the store takes them', async () => {
    const { time, provider, first, store, a } = rig();
    provider.moods = [{ kind: 'answer', delayMs: 10 }];
    const refreshing = a.refresh(first, store.job(first));
    await flush();
    store.outage.down = true; // after the lock and the mark, before the write
    await time.advance(10);
    const fresh = await refreshing;
    expect(a.unsavedCount).toBe(1);
    expect(store.tokens).toBe(first);
    expect(await a.refresh(first, store.job(first))).toBe(fresh);
    await time.advance(5_000);
    expect(a.unsavedCount).toBe(1);
    store.outage.down = false;
    await time.advance(2_000);
    expect(a.unsavedCount).toBe(0);
    expect(store.tokens).toBe(fresh);
  });
});

describe('RefreshCoordinator: the rotation mark', () => {
  it('a sibling that takes a lapsed lock does not present a token being rotated (503 refresh_in_progress)', async () => {
    const { time, provider, first, store, a, b } = rig(1_000);
    provider.moods = [{ kind: 'answer', delayMs: 3_000 }];
    const slow = a.refresh(first, store.job(first));
    await time.advance(1_500); // a's lease lapsed while the provider thinks
    expect(await failure(b.refresh(first, store.job(first)))).toBe('refresh_in_progress');
    await time.advance(2_000);
    const fresh = await slow;
    expect(await b.refresh(first, store.job(first))).toBe(fresh);
    expect(provider.presented).toEqual([first.refreshToken]);
  });

  it('a mark whose writer stays silent for the grace is taken over (the writer died with its answer)', async () => {
    const { time, provider, first, store, a, b } = rig(1_000);
    provider.moods = [{ kind: 'answer', delayMs: 3_600_000 }]; // a never hears back
    void a.refresh(first, store.job(first)).catch(() => undefined);
    await time.advance(1_500);
    expect(await failure(b.refresh(first, store.job(first)))).toBe('refresh_in_progress');
    await time.advance(MARK_GRACE_MS - 1);
    expect(await failure(b.refresh(first, store.job(first)))).toBe('refresh_in_progress');
    await time.advance(1);
    const fresh = await b.refresh(first, store.job(first));
    expect(store.tokens).toBe(fresh);
  });

  it('a provider failure removes the mark: a sibling refreshes at once', async () => {
    const { provider, first, store, a, b } = rig();
    provider.moods = [{ kind: 'fail', delayMs: 0 }];
    expect(await failure(a.refresh(first, store.job(first)))).toBe('ProviderError');
    const fresh = await b.refresh(first, store.job(first));
    expect(store.tokens).toBe(fresh);
  });

  it('a refresh token the provider kept (no rotation) is refreshed again at once by a sibling: no mark left on it', async () => {
    const { provider, first, store, a, b } = rig();
    provider.rotates = false;
    const fresh = await a.refresh(first, store.job(first));
    expect(fresh.refreshToken).toBe(first.refreshToken);
    const again = await b.refresh(fresh, store.job(fresh));
    expect(again.version).toBe(3);
    expect(provider.presented).toEqual([first.refreshToken, first.refreshToken]);
  });

  it('no mark, no refresh: a mark the store cannot take stops the refresh (503 store_unavailable)', async () => {
    const { time, provider, first, store, a, lock } = rig();
    lock.note = () => Promise.reject(new Error('ECONNREFUSED'));
    expect(await failure(a.refresh(first, store.job(first)))).toBe('store_unavailable');
    await time.advance(10);
    expect(provider.params).toHaveLength(0);
  });
});

describe('RefreshCoordinator: a known gap of the rotation mark', () => {
  // KNOWN GAP, pinned with it.fails (it turns red once fixed: then make it an ordinary case).
  // The grace runs from a sibling's first sight of the mark, whether or not the store was up
  // meanwhile. A store that flaps (back for less than the writer's 2 s retry gap, then away for
  // the grace) lets the sibling take over a live rotation: it presents the consumed refresh
  // token, the provider revokes the family, and the login dies at its next refresh. The model
  // test's outages rarely make a window this narrow; this case makes it on purpose.
  it.fails('a flapping store: the writer is alive with the set, yet a sibling takes over after the grace', async () => {
    const { time, provider, first, store, a, b } = rig(10_000);
    provider.moods = [{ kind: 'answer', delayMs: 10 }];
    const refreshing = a.refresh(first, store.job(first));
    await time.advance(5);
    store.outage.down = true; // the answer comes back to a store that is away: kept, retried every 2 s
    await time.advance(5);
    await refreshing;
    await time.advance(10_990);
    store.outage.down = false; // t = 11 s: the lease has lapsed; a's next retry is at 11.76 s
    await time.advance(100);
    expect(await failure(b.refresh(first, store.job(first)))).toBe('refresh_in_progress'); // first sight
    await time.advance(100);
    store.outage.down = true; // t = 11.2 s, before a's retry, for 10.3 s
    await time.advance(10_300);
    store.outage.down = false;
    await time.advance(50);
    void b.refresh(first, store.job(first)).catch(() => undefined);
    await time.advance(3_000);
    expect(provider.reuses).toBe(0);
  });
});

describe('RefreshCoordinator.close()', () => {
  it('refuses new refreshes, waits for the one in flight and for its unsaved set', async () => {
    const { time, provider, first, store, a } = rig();
    provider.moods = [{ kind: 'answer', delayMs: 1_000 }];
    const refreshing = a.refresh(first, store.job(first));
    await flush();
    store.outage.down = true;
    let left: number | undefined;
    void a.close(10_000).then((count) => (left = count));
    const other = provider.login();
    expect(await failure(a.refresh(other, store.job(other)))).toBe('shutting_down');
    await time.advance(1_000);
    const fresh = await refreshing;
    expect(a.unsavedCount).toBe(1);
    expect(left).toBeUndefined();
    store.outage.down = false;
    await time.advance(2_000);
    expect(left).toBe(0);
    expect(store.tokens).toBe(fresh);
  });

  it('gives up at its deadline with the count of sets still unsaved', async () => {
    const { time, provider, first, store, a } = rig();
    provider.moods = [{ kind: 'answer', delayMs: 10 }];
    const refreshing = a.refresh(first, store.job(first));
    await flush();
    store.outage.down = true;
    await time.advance(10);
    await refreshing;
    let left: number | undefined;
    void a.close(3_000).then((count) => (left = count));
    await time.advance(2_999);
    expect(left).toBeUndefined();
    await time.advance(1);
    expect(left).toBe(1);
  });
});
