import { describe, expect, it } from 'vitest';
import { MemoryCoordinator } from 'passport-synergyflow';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MemoryCoordinator', () => {
  it('hands a lock to one holder at a time, in arrival order, and gives up a wait that runs out', async () => {
    const coordinator = new MemoryCoordinator();
    const order: string[] = [];
    const first = await coordinator.acquire('k', 0);
    expect(first).toBeTypeOf('function');
    expect(await coordinator.acquire('k', 0)).toBeUndefined(); // held, and no wait
    const second = coordinator.acquire('k', 1000).then(async (release) => {
      order.push('second');
      await release?.();
    });
    const third = coordinator.acquire('k', 1000).then(async (release) => {
      order.push('third');
      await release?.();
    });
    const gaveUp = coordinator.acquire('k', 20);
    expect(await gaveUp).toBeUndefined();
    await first?.();
    await first?.(); // a second release changes nothing
    await Promise.all([second, third]);
    expect(order).toEqual(['second', 'third']);
    expect(await coordinator.acquire('other', 0)).toBeTypeOf('function');
    const free = await coordinator.acquire('k', 0);
    expect(free).toBeTypeOf('function');
  });

  it('keeps a note for its lifetime and forgets it after', async () => {
    const coordinator = new MemoryCoordinator();
    await coordinator.note('n', 'one', 40);
    await coordinator.note('m', 'two', 10_000);
    expect(await coordinator.read('n')).toBe('one');
    await coordinator.note('n', 'newer', 40);
    expect(await coordinator.read('n')).toBe('newer');
    await sleep(60);
    expect(await coordinator.read('n')).toBeUndefined();
    expect(await coordinator.read('m')).toBe('two');
    expect(await coordinator.read('never')).toBeUndefined();
  });
});
