// The refresh core under every interleaving fast-check finds: several instances, each with its
// own RefreshCoordinator, share one store (CAS on versions), one lock (a lease that lapses, and
// the rotation marks) and one provider (rotates refresh tokens, revokes the family on reuse,
// answers late or fails), through a store outage longer than the lease. After every run:
// - no refresh token is presented twice;
// - no token set the provider issued is lost: once the world is quiet and the store is up, the
//   last one issued is the one stored (a set still unsaved would be written by then);
// - a logout is never undone: nothing is written after it;
// - with the store up all along, no refresh is attempted for a refresh token already rotated and
//   stored (one refresh per expiry; with an outage the rotation mark answers for this).
// Deterministic by seed: the scenarios and the scheduler's choices come from fast-check, the
// time is virtual (refresh-rig.ts), nothing waits on a real timer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { play, scenarios, type Outcome, type Seeded } from './refresh-model.js';

const SEED = 20261202;
const RUNS = 300;

function invariantsHold(outcome: Outcome): void {
  expect(new Set(outcome.presented).size, 'a refresh token was presented twice').toBe(outcome.presented.length);
  expect(outcome.reuses).toBe(0);
  expect(outcome.undone, 'a logged-out token set came back').toBe(0);
  expect(outcome.staleClaims, 'a second refresh was attempted for one expiry').toBe(0);
  if (outcome.loggedOut) return;
  expect(
    outcome.unsaved.every((count) => count === 0),
    'a set is still unsaved with the store up',
  ).toBe(true);
  expect(outcome.stored?.accessToken, 'the last issued token set is lost').toBe(outcome.lastIssued?.accessToken);
}

/** Without a logout, a reuse can come only from the outage (the lease lapsing), not from a cleared store. */
const withoutLogout = scenarios.map((scenario) => ({ ...scenario, logoutAt: null }));

function property(seeded: Seeded = {}, from = scenarios) {
  return fc.asyncProperty(from, fc.scheduler(), async (scenario, scheduler) => {
    invariantsHold(await play(scenario, scheduler, seeded));
  });
}

describe('RefreshCoordinator model: instances sharing one store, one lock and one provider', () => {
  it(`keeps the invariants over ${RUNS} generated runs`, async () => {
    await fc.assert(property(), { seed: SEED, numRuns: RUNS });
  });

  // The model is only as good as the bugs it finds: each seeded bug must fail a run.
  // With the seed above: the outage race in run 200, the second refresh in run 5 (each run is one
  // interleaving of about 40 scheduled calls). The rotation mark also stops a stale refresh after
  // a success, so without the re-read a second refresh is attempted but answered 503, not sent.
  it.each([
    [
      'no rotation mark: after an outage longer than the lease, a sibling presents the old refresh token',
      { noRotationMark: true },
      withoutLogout,
    ],
    ['no re-read under the lock: an instance refreshes what another already rotated', { noReread: true }, scenarios],
  ] as const)('finds a seeded bug: %s', async (_name, seeded, from) => {
    const result = await fc.check(property(seeded, from), { seed: SEED, numRuns: 2_000, endOnFailure: true });
    expect(result.failed).toBe(true);
  });
});
