import { describe, expect, it } from 'vitest';
import { MemoryCoordinator } from 'passport-synergyflow';
import { MARK_GRACE_MS, RotationMarks } from '../../src/tokens/rotation-mark.js';

// The rule that keeps a rotation alive through an outage longer than the lock's lease (the
// end-to-end proof is test/faults/redis-restart.test.ts): a sibling never refreshes a token
// another instance marked, until the mark's writer has been silent for the grace.
describe('RotationMarks', () => {
  it('a marked refresh token is pending for a sibling, then abandoned only after the grace from its first sight', async () => {
    let now = 1_000_000;
    const marks = new RotationMarks(new MemoryCoordinator(), () => now);
    expect(await marks.verdict('k')).toBe('none');
    await marks.mark('k');
    now += 60_000; // the lock lapsed long ago (an outage): the grace starts when a sibling looks
    expect(await marks.verdict('k')).toBe('pending');
    now += MARK_GRACE_MS - 1;
    expect(await marks.verdict('k')).toBe('pending');
    now += 1;
    expect(await marks.verdict('k')).toBe('abandoned');
    expect(await marks.verdict('other')).toBe('none');
  });

  it('a refresh that produced no token set leaves no mark behind', async () => {
    const coordinator = new MemoryCoordinator();
    const marks = new RotationMarks(coordinator, () => Date.now());
    await marks.mark('k');
    await marks.unmark('k');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await marks.verdict('k')).toBe('none');
  });

  it('a mark that cannot be written stops the refresh (the store is down)', async () => {
    const down = {
      note: () => Promise.reject(new Error('ECONNREFUSED')),
      read: () => Promise.resolve(undefined),
    };
    const marks = new RotationMarks(down, () => Date.now());
    await expect(marks.mark('k')).rejects.toThrow('ECONNREFUSED');
    await expect(marks.unmark('k')).resolves.toBeUndefined();
  });
});
