import { describe, expect, it } from 'vitest';
import { rememberNewest } from '../../src/util/bounded-map.js';

describe('rememberNewest', () => {
  it('keeps at most max entries, dropping the oldest, and refreshes the age of a re-set key', () => {
    const map = new Map<string, number>();
    for (const [i, key] of ['a', 'b', 'c'].entries()) rememberNewest(map, key, i, 3);
    rememberNewest(map, 'a', 10, 3); // "a" becomes the newest
    rememberNewest(map, 'd', 4, 3); // so "b" is the oldest and goes
    expect([...map]).toEqual([
      ['c', 2],
      ['a', 10],
      ['d', 4],
    ]);
  });
});
